/**
 * Detects the format family and layout from the first lines (up to 50 event lines within 64 KiB),
 * skipping `#` headers, trace-cmd's preamble, loss markers and blank lines. Each candidate line is
 * tried with the real tokenizers; the family that accepts most lines wins.
 */
import { AbitraceError, E } from '../errors.ts';
import { CH_HASH, CH_SPACE, CH_TAB, sampleText } from './bytes.ts';
import { tokenizeFtrace } from './ftrace-tokenizer.ts';
import { HEAD_BYTES } from './input.ts';
import { L_LATENCY, L_PADDED, L_PID_TID, L_QEMU_AT, L_QEMU_ISO, L_TGID, LineHeader } from './line-header.ts';
import { tokenizePerf } from './perf-tokenizer.ts';
import { tokenizeQemu } from './qemu-tokenizer.ts';
import { isLostMarkerLine, isPreambleLine } from './special-lines.ts';
import type { TraceFormat } from './types.ts';

export type TraceVariant = 'ftrace' | 'ftrace-tgid' | 'trace-cmd' | 'perf' | 'perf-pid' | 'qemu' | 'qemu-iso' | 'qemu-plain';

export interface SniffResult {
  format: TraceFormat;
  variant: TraceVariant;
}

const MAX_EVENT_LINES = 50;

/**
 * QEMU lines without a prefix are just `<identifier> <text>`: demand trace-event-like names
 * (lower-case identifiers with an underscore, as QEMU's trace-events files define them).
 */
function plausibleQemuEvent(buf: Buffer, h: LineHeader): boolean {
  let underscore = false;
  for (let i = h.eventStart; i < h.eventEnd; i++) {
    const c = buf[i]!;
    if (c === 95 /* _ */) underscore = true;
    else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57))) return false;
  }
  return underscore;
}

/** Events every useful prefix-less QEMU capture contains at least once: the generic MMIO ones or the GIC's. */
const KNOWN_QEMU_EVENT = /^(memory_region_ops_|gicv3_|gic_|kvm_)/;

export function sniffFormat(head: Buffer, path: string): SniffResult {
  const h = new LineHeader();
  const buf = head.subarray(0, HEAD_BYTES);
  let ftrace = 0;
  let perf = 0;
  let qemu = 0;
  let qemuPlain = 0;
  let qemuKnown = 0;
  let ftraceBits = 0;
  let perfBits = 0;
  let qemuBits = 0;
  let seen = 0;
  let headerHint: 'ftrace' | 'trace-cmd' | null = null;
  let firstOther: string | null = null;
  let pos = 0;
  while (pos < buf.length && seen < MAX_EVENT_LINES) {
    let nl = buf.indexOf(10, pos);
    if (nl < 0) {
      if (pos > 0 && buf.length === HEAD_BYTES) break; // a cut line at the end of the window
      nl = buf.length;
    }
    let e = nl;
    if (e > pos && buf[e - 1] === 13) e--;
    const lineStart = pos;
    let p = pos;
    pos = nl + 1;
    while (p < e && (buf[p] === CH_SPACE || buf[p] === CH_TAB)) p++;
    if (p === e) continue;
    if (buf[p] === CH_HASH) {
      if (headerHint === null && buf.toString('latin1', p, Math.min(e, p + 10)).startsWith('# tracer:')) headerHint = 'ftrace';
      continue;
    }
    if (isPreambleLine(buf, p, e)) {
      headerHint = 'trace-cmd';
      continue;
    }
    if (isLostMarkerLine(buf, p, e)) continue;
    seen++;
    firstOther ??= sampleText(buf, p, e);
    if (tokenizeFtrace(buf, lineStart, e, h) === 0) {
      ftrace++;
      ftraceBits |= h.layout;
      continue;
    }
    if (tokenizePerf(buf, p, e, h) === 0) {
      perf++;
      perfBits |= h.layout;
      continue;
    }
    if (tokenizeQemu(buf, p, e, h) === 0) {
      if (h.layout & (L_QEMU_AT | L_QEMU_ISO)) qemu++;
      else if (plausibleQemuEvent(buf, h)) {
        qemuPlain++;
        if (KNOWN_QEMU_EVENT.test(buf.toString('latin1', h.eventStart, h.eventEnd))) qemuKnown++;
      }
      qemuBits |= h.layout;
    }
  }
  const best = Math.max(ftrace, perf, qemu);
  // A real trace is mostly event lines; a document that quotes a few (a README) is not a trace.
  if (best > 0 && best * 2 >= seen) {
    if (ftrace === best) {
      const variant = ftraceBits & L_TGID ? 'ftrace-tgid' : headerHint === 'trace-cmd' || ftraceBits & (L_PADDED | L_LATENCY) ? 'trace-cmd' : 'ftrace';
      return { format: 'ftrace', variant };
    }
    if (perf === best) return { format: 'perf', variant: perfBits & L_PID_TID ? 'perf-pid' : 'perf' };
    return { format: 'qemu', variant: qemuBits & L_QEMU_AT ? 'qemu' : 'qemu-iso' };
  }
  // prefix-less QEMU logs: by the same majority as the other formats, and only with at least one
  // event a GIC capture holds (QEMU's own messages, `qemu-system-aarch64: …`, may be interleaved)
  if (qemuKnown > 0 && qemuPlain * 2 >= seen) return { format: 'qemu', variant: 'qemu-plain' };
  if (seen === 0 && headerHint !== null) return { format: 'ftrace', variant: headerHint };
  throw new AbitraceError(
    E.FORMAT_UNKNOWN,
    firstOther === null
      ? `${path}: no trace lines in the first ${Math.min(buf.length, HEAD_BYTES)} bytes; expected ftrace, trace-cmd report, perf script or QEMU trace-log text`
      : `${path}: unrecognised trace format; expected ftrace, trace-cmd report, perf script or QEMU trace-log lines, first line: "${firstOther}" (use --format to force one)`,
  );
}

/** The layout name for a forced `--format` when sniffing found another family or none. */
export function defaultVariant(format: TraceFormat): TraceVariant {
  return format === 'ftrace' ? 'ftrace' : format === 'perf' ? 'perf' : 'qemu';
}
