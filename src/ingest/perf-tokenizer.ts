/**
 * `perf script` tracepoint lines (default fields, or with `-F comm,pid,tid,cpu,time,event,trace`):
 *
 *   <comm> <tid> [<cpu>] <secs>.<usecs>: <system>:<event>: <fields>
 *   <comm> <pid>/<tid> [<cpu>] <secs>.<usecs>: <system>:<event>: <fields>
 *   <comm> <tid> <secs>.<usecs>: <system>:<event>: <fields>      (no CPU: a per-thread recording, `-p PID`)
 *
 * The comm is right-aligned and may contain spaces, so the tid is the last integer before ` [`
 * (or, without a CPU column, before the timestamp).
 * The event column is right-aligned to the longest event name in the file.
 */
import { CH_COLON, CH_LBRACKET, CH_RBRACKET, CH_SLASH, CH_SPACE, NAME_CHAR, skipSpaces } from './bytes.ts';
import {
  L_PID_TID, L_SYSTEM, LineHeader, MAX_CPU, MAX_TID, R_EVENT, R_NO_CPU_COLUMN, R_TID, R_TIMESTAMP,
} from './line-header.ts';
import { parseSecondsDotFraction, TimeScratch } from './timestamp.ts';

const ts = new TimeScratch();

function digitsBack(buf: Buffer, from: number, min: number): number {
  let r = from;
  while (r >= min && buf[r]! >= 48 && buf[r]! <= 57) r--;
  return r; // index of the first non-digit going left
}

function decValue(buf: Buffer, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) v = v * 10 + (buf[i]! - 48);
  return v;
}

/**
 * Start of the `<secs>.<frac>: <name>:` column of a line without a CPU column (after a space, so
 * not inside a comm word), or -1.
 */
function timestampColumn(buf: Buffer, p: number, end: number): number {
  for (let i = p + 1; i < end; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57 || buf[i - 1]! !== CH_SPACE) continue;
    if (!parseSecondsDotFraction(buf, i, end, ts) || ts.end >= end || buf[ts.end]! !== CH_COLON) continue;
    const n = skipSpaces(buf, ts.end + 1, end);
    if (n < end && NAME_CHAR[buf[n]!]! === 1) return i;
  }
  return -1;
}

export function tokenizePerf(buf: Buffer, p: number, end: number, h: LineHeader): number {
  while (p < end && buf[p]! === CH_SPACE) p++;
  h.commStart = p;
  h.layout = 0;
  h.tgid = -1;
  // the ` [<digits>]` CPU column
  let br = -1;
  let q = p;
  let cpu = 0;
  while (br < 0) {
    while (q < end && buf[q]! !== CH_LBRACKET) q++;
    if (q >= end) {
      // no CPU column: `perf record -p`/`-t` samples carry none; the tid ends before the timestamp
      br = timestampColumn(buf, p, end);
      if (br < 0) return R_NO_CPU_COLUMN;
      cpu = -1;
      break;
    }
    if (q > p && buf[q - 1]! === CH_SPACE) {
      let r = q + 1;
      cpu = 0;
      for (; r < end; r++) {
        const c = buf[r]!;
        if (c < 48 || c > 57) break;
        cpu = cpu * 10 + (c - 48);
      }
      // the CPU column is the ` [<digits>]` followed by the timestamp: a comm may hold one too
      // (`fc_vcpu [0]`), so an earlier candidate without `<secs>.<frac>:` after it is skipped
      if (r > q + 1 && cpu <= MAX_CPU && r < end && buf[r]! === CH_RBRACKET) {
        const t = skipSpaces(buf, r + 1, end);
        if (parseSecondsDotFraction(buf, t, end, ts) && ts.end < end && buf[ts.end]! === CH_COLON) br = q;
      }
    }
    q++;
  }
  // walk back over spaces, the tid, and an optional pid/
  let r = br - 1;
  while (r >= p && buf[r]! === CH_SPACE) r--;
  const tidEnd = r + 1;
  r = digitsBack(buf, r, p);
  const tidStart = r + 1;
  if (tidStart === tidEnd || tidEnd - tidStart > 10) return R_TID;
  h.tid = decValue(buf, tidStart, tidEnd);
  if (h.tid > MAX_TID) return R_TID;
  if (r >= p && buf[r]! === CH_SLASH) {
    const pidEnd = r;
    r = digitsBack(buf, r - 1, p);
    if (r + 1 === pidEnd || pidEnd - (r + 1) > 10) return R_TID;
    h.tgid = decValue(buf, r + 1, pidEnd);
    if (h.tgid > MAX_TID) return R_TID;
    h.layout |= L_PID_TID;
  }
  if (r >= p && buf[r]! !== CH_SPACE) return R_TID;
  while (r >= p && buf[r]! === CH_SPACE) r--;
  h.commEnd = r + 1;
  // unknown threads print as ':<tid>'
  h.commKnown = h.commEnd > h.commStart && buf[h.commStart]! !== CH_COLON;
  h.cpu = cpu;
  if (cpu >= 0) {
    // skip '[cpu]'
    p = br + 1;
    while (buf[p]! !== CH_RBRACKET) p++;
    p = skipSpaces(buf, p + 1, end);
  } else {
    p = br;
  }
  if (!parseSecondsDotFraction(buf, p, end, ts)) return R_TIMESTAMP;
  p = ts.end;
  if (p >= end || buf[p]! !== CH_COLON) return R_TIMESTAMP;
  h.tsValid = true;
  h.tsLo = ts.lo;
  h.tsHi = ts.hi;
  p = skipSpaces(buf, p + 1, end);
  // [<system>:]<event>:
  let es = p;
  while (p < end && NAME_CHAR[buf[p]!]! === 1) p++;
  if (p === es || p >= end || buf[p]! !== CH_COLON) return R_EVENT;
  if (p + 1 < end && NAME_CHAR[buf[p + 1]!]! === 1) {
    p++;
    es = p;
    while (p < end && NAME_CHAR[buf[p]!]! === 1) p++;
    if (p >= end || buf[p]! !== CH_COLON) return R_EVENT;
    h.layout |= L_SYSTEM;
  }
  h.eventStart = es;
  h.eventEnd = p;
  h.bodyStart = skipSpaces(buf, p + 1, end);
  return 0;
}
