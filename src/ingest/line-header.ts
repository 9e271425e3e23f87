/**
 * What a tokenizer extracts from the common part of an event line (everything before the event's
 * own fields), as positions into the line buffer plus small integers. One instance is reused for
 * every line.
 */
import { U32_FIELD } from './bytes.ts';

/** Layout evidence bits a tokenizer sets, for sniffing and the summary's `variant`. */
export const L_TGID = 1; // ftrace `(tgid)` column
export const L_FLAGS4 = 2; // 4-character irq-flags token
export const L_FLAGS5 = 4; // 5-character irq-flags token
export const L_PADDED = 8; // event name padded with spaces (trace-cmd report)
export const L_PID_TID = 16; // perf `pid/tid`
export const L_QEMU_AT = 32; // QEMU `<tid>@<secs>.<usecs>:` prefix
export const L_QEMU_ISO = 64; // QEMU 10.1+ ISO-8601 prefix
export const L_QEMU_PLAIN = 128; // QEMU without a prefix
export const L_SYSTEM = 256; // event name carried a `<system>:` prefix (perf)
export const L_LATENCY = 512; // trace-cmd report -l: `%8.8s-%-5d %3d<flags>`, no [cpu] brackets

/** Column limits: host_cpu and vcpu are SMALLINT, tid INTEGER. Larger values are malformed input. */
export const MAX_CPU = 32767;
export const MAX_TID = 2147483647;
export { NO_TID } from '../model/codes.ts';

export class LineHeader {
  commStart = 0;
  commEnd = 0;
  /** False for `<...>` (ftrace/trace-cmd) and `:<tid>` (perf), and when the layout has no comm. */
  commKnown = false;
  tid = 0;
  /** Thread-group id from the line itself, -1 when the line has none. */
  tgid = -1;
  /** Host CPU, -1 when the layout has none. */
  cpu = -1;
  tsValid = false;
  /** ftrace: where the `[` of the CPU column is (not in trace-cmd's latency layout). */
  cpuStart = 0;
  /** ftrace: where the irq-flags token starts (when the line has one). */
  flagsStart = 0;
  /** ftrace: where the timestamp starts (after the irq-flags token and its padding). */
  tsStart = 0;
  tsLo = U32_FIELD;
  tsHi = U32_FIELD;
  eventStart = 0;
  eventEnd = 0;
  bodyStart = 0;
  layout = 0;
}

/** Tokenizer failure reasons (negative return codes) and how they read in messages. */
export const R_NO_PID = -1;
export const R_TGID = -2;
export const R_CPU = -3;
export const R_FLAGS = -4;
export const R_TIMESTAMP = -5;
export const R_EVENT = -6;
export const R_NO_CPU_COLUMN = -7;
export const R_TID = -8;
export const R_QEMU_PREFIX = -9;
export const R_BODY = -10;
export const R_LOST_MARKER = -11;

export const REASON_TEXT: Readonly<Record<number, string>> = {
  [R_NO_PID]: "no '<comm>-<pid>' before the CPU column",
  [R_TGID]: "bad '(tgid)' column",
  [R_CPU]: "bad '[cpu]' column",
  [R_FLAGS]: 'bad irq-flags token',
  [R_TIMESTAMP]: "bad '<secs>.<usecs>:' timestamp",
  [R_EVENT]: "no '<event>:' name",
  [R_NO_CPU_COLUMN]: "no '[cpu]' column",
  [R_TID]: 'bad tid / pid/tid column',
  [R_QEMU_PREFIX]: "bad '<tid>@<secs>.<usecs>:' or ISO-8601 prefix",
  [R_BODY]: 'fields do not match the event format',
  [R_LOST_MARKER]: "bad 'CPU:<n> [...]' marker",
};
