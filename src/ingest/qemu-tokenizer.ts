/**
 * QEMU `log` trace backend lines, in the three shapes QEMU has printed:
 *
 *   <tid>@<secs>.<usecs>:<event> <message>       (-msg timestamp=on, up to QEMU 10.0)
 *   2025-07-21T18:43:28.089797Z <event> <message> (-msg timestamp=on, QEMU 10.1+ via qemu_log)
 *   <event> <message>                            (no timestamp)
 *
 * Event names are QEMU trace-event identifiers: lower-case letters, digits and '_'. A line without
 * a tid gets NO_TID (NULL in `accesses`); QEMU lines have no host CPU.
 */
import { CH_AT, CH_COLON, CH_DASH, CH_SPACE } from './bytes.ts';
import {
  L_QEMU_AT, L_QEMU_ISO, L_QEMU_PLAIN, LineHeader, MAX_TID, NO_TID, R_EVENT, R_QEMU_PREFIX, R_TIMESTAMP,
} from './line-header.ts';
import { parseIsoUtc, parseSecondsDotFraction, TimeScratch } from './timestamp.ts';

const QEMU_NAME_CHAR: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 48; c <= 57; c++) t[c] = 1;
  for (let c = 97; c <= 122; c++) t[c] = 1;
  t[95] = 1;
  return t;
})();

const ts = new TimeScratch();

export function tokenizeQemu(buf: Buffer, p: number, end: number, h: LineHeader): number {
  while (p < end && buf[p]! === CH_SPACE) p++;
  if (p >= end) return R_EVENT;
  h.commStart = p;
  h.commEnd = p;
  h.commKnown = false;
  h.tgid = -1;
  h.cpu = -1;
  h.tid = NO_TID;
  h.tsValid = false;
  const c0 = buf[p]!;
  if (c0 >= 48 && c0 <= 57) {
    let q = p;
    let v = 0;
    for (; q < end; q++) {
      const c = buf[q]!;
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    if (q < end && buf[q]! === CH_AT && v <= MAX_TID) {
      if (!parseSecondsDotFraction(buf, q + 1, end, ts)) return R_TIMESTAMP;
      if (ts.end >= end || buf[ts.end]! !== CH_COLON) return R_TIMESTAMP;
      h.tid = v;
      p = ts.end + 1;
      h.layout = L_QEMU_AT;
    } else if (q - p === 4 && q < end && buf[q]! === CH_DASH) {
      if (!parseIsoUtc(buf, p, end, ts)) return R_QEMU_PREFIX;
      if (ts.end >= end || buf[ts.end]! !== CH_SPACE) return R_QEMU_PREFIX;
      p = ts.end + 1;
      h.layout = L_QEMU_ISO;
    } else {
      return R_QEMU_PREFIX;
    }
    h.tsValid = true;
    h.tsLo = ts.lo;
    h.tsHi = ts.hi;
  } else {
    h.layout = L_QEMU_PLAIN;
  }
  const es = p;
  while (p < end && QEMU_NAME_CHAR[buf[p]!]! === 1) p++;
  if (p === es || (p < end && buf[p]! !== CH_SPACE)) return R_EVENT;
  h.eventStart = es;
  h.eventEnd = p;
  h.bodyStart = p < end ? p + 1 : end;
  return 0;
}
