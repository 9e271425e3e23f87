/**
 * Non-event lines the trace tools print: ring-buffer loss markers and trace-cmd's preamble.
 *
 *   CPU:3 [LOST 1834 EVENTS]     CPU:3 [LOST EVENTS]        (kernel print_trace_line)
 *   CPU:5 [212 EVENTS DROPPED]   CPU:5 [EVENTS DROPPED]     (trace-cmd report)
 *   cpus=8   version = 6   CPU 2 is empty                   (trace-cmd report preamble)
 */
import { CH_LBRACKET, lit, matchLit, NumScratch, parseDec, parseSmallDec, skipSpaces } from './bytes.ts';

const CPU_COLON = lit('CPU:');
const CPU_SPACE = lit('CPU ');
const IS_EMPTY = lit(' is empty');
const CPUS_EQ = lit('cpus=');
const VERSION_EQ = lit('version = ');
const LOST = lit('LOST ');
const EVENTS_CLOSE = lit('EVENTS]');
const EVENTS_DROPPED = lit('EVENTS DROPPED]');

const num = new NumScratch();

export class LostMarker {
  cpu = 0;
  /** -1 when the marker gives no count. */
  count = -1;
}

/** True when the line starts with `CPU:` (a loss marker, well-formed or not). */
export function isLostMarkerLine(buf: Buffer, p: number, end: number): boolean {
  return matchLit(buf, p, end, CPU_COLON);
}

/** Parses a loss marker; false when the `CPU:` line has another shape. */
export function parseLostMarker(buf: Buffer, p: number, end: number, out: LostMarker): boolean {
  if (!matchLit(buf, p, end, CPU_COLON)) return false;
  const cpu = parseSmallDec(buf, p + 4, end, num);
  if (cpu < 0 || cpu > 32767) return false; // host_cpu is SMALLINT
  p = skipSpaces(buf, num.end, end);
  if (p >= end || buf[p]! !== CH_LBRACKET) return false;
  p++;
  let count = -1;
  let dropped = false;
  if (matchLit(buf, p, end, LOST)) {
    p += LOST.length;
    if (p < end && buf[p]! >= 48 && buf[p]! <= 57) {
      if (!parseDec(buf, p, end, num)) return false;
      count = num.n;
      p = num.end + 1;
    }
  } else if (p < end && buf[p]! >= 48 && buf[p]! <= 57) {
    if (!parseDec(buf, p, end, num)) return false;
    count = num.n;
    p = num.end + 1;
    dropped = true;
  } else {
    dropped = true;
  }
  if (dropped ? !matchLit(buf, p, end, EVENTS_DROPPED) : !matchLit(buf, p, end, EVENTS_CLOSE)) return false;
  out.cpu = cpu;
  out.count = count;
  return true;
}

/** trace-cmd report's preamble lines, which carry no events. */
export function isPreambleLine(buf: Buffer, p: number, end: number): boolean {
  if (matchLit(buf, p, end, CPUS_EQ)) return parseSmallDec(buf, p + CPUS_EQ.length, end, num) >= 0 && num.end === end;
  if (matchLit(buf, p, end, VERSION_EQ)) return true;
  if (matchLit(buf, p, end, CPU_SPACE)) {
    if (parseSmallDec(buf, p + 4, end, num) < 0) return false;
    return num.end + IS_EMPTY.length === end && matchLit(buf, num.end, end, IS_EMPTY);
  }
  return false;
}

