/**
 * Raw ftrace (`trace`, `trace_pipe`) and `trace-cmd report` event lines:
 *
 *   <comm>-<pid> [(<tgid>)] [<cpu>] [<flags>] <secs>.<usecs>: <event>:<pad> <fields>
 *   <comm>-<pid> <cpu><flags> <secs>.<usecs>: <event>:<pad> <fields>   (trace-cmd report -l:
 *                                               comm cut to 8 characters, no brackets)
 *
 * The comm may contain spaces and dashes, so the pid is the digits after the dash that is followed
 * by digits, spaces and the `(`/`[` column — never a split on whitespace or on the first dash.
 *
 * Hot path: byte constants are literals and tables are read into locals once per call (module
 * bindings cost a load and a hole check per use inside the loops).
 */
import { NAME_CHAR } from './bytes.ts';
import {
  L_FLAGS4, L_FLAGS5, L_LATENCY, L_PADDED, L_TGID, LineHeader, MAX_CPU, MAX_TID, R_CPU, R_EVENT, R_FLAGS, R_NO_PID, R_TGID, R_TIMESTAMP,
} from './line-header.ts';
import { FRAC_SCALE, nsFromSeconds, TimeScratch } from './timestamp.ts';

/** Characters of the irq-flags token (kernel and libtraceevent). */
export const FLAG_CHAR: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const c of '.dDbXBNnLlpZzHhs0123456789abcdef') t[c.charCodeAt(0)] = 1;
  return t;
})();

const wide = new TimeScratch();

/**
 * Finds `<comm>-<pid>` followed by spaces and the `(`/`[` column, scanning for the dash from q.
 * Returns the position of the column (and sets h.tid, h.commEnd), or -1.
 */
export function findPid(buf: Buffer, q: number, end: number, h: LineHeader): number {
  for (; ; q++) {
    while (q < end && buf[q]! !== 45 /* - */) q++;
    if (q >= end) return -1;
    const r = afterPid(buf, q, end, h);
    if (r < 0 || r >= end || (buf[r]! !== 91 /* [ */ && buf[r]! !== 40 /* ( */)) continue;
    h.commEnd = q;
    return r;
  }
}

/**
 * trace-cmd's latency layout (`report -l`): finds `<comm>-<pid> <cpu><flags> ` — the pid, spaces,
 * the CPU number and at once an irq-flags token (its first character is never a digit), then a
 * space. Returns the position of the CPU number (and sets h.tid, h.commEnd), or -1.
 */
function findLatencyPid(buf: Buffer, q: number, end: number, h: LineHeader): number {
  const flagChar = FLAG_CHAR;
  for (; ; q++) {
    while (q < end && buf[q]! !== 45 /* - */) q++;
    if (q >= end) return -1;
    let r = afterPid(buf, q, end, h);
    if (r < 0) continue;
    const cs = r;
    while (r < end && buf[r]! >= 48 && buf[r]! <= 57) r++;
    if (r === cs || r - cs > 4 || r >= end || flagChar[buf[r]!]! !== 1) continue;
    const fs = r;
    while (r < end && flagChar[buf[r]!]! === 1) r++;
    if (r - fs < 4 || r - fs > 5 || r >= end || buf[r]! !== 32) continue;
    h.commEnd = q;
    return cs;
  }
}

/**
 * If the dash at q starts `-<digits> +`, the position after the spaces (the pid in h.tid, which
 * a line that is not one leaves to be overwritten), else -1.
 */
function afterPid(buf: Buffer, q: number, end: number, h: LineHeader): number {
  let r = q + 1;
  let v = 0;
  for (; r < end; r++) {
    const c = buf[r]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  if (r === q + 1 || r >= end || buf[r]! !== 32 || v > MAX_TID) return -1;
  h.tid = v;
  r++;
  while (r < end && buf[r]! === 32) r++;
  return r;
}

/**
 * Tokenizes the line buf[s, end). The kernel and trace-cmd right-align the comm in 16 columns, so
 * the dash is normally at s + 16 (checked first, inline); otherwise the dash is searched for.
 * Returns 0 or a negative R_* reason.
 */
export function tokenizeFtrace(buf: Buffer, s: number, end: number, h: LineHeader): number {
  let c = s;
  while (c < end && buf[c]! === 32) c++;
  h.commStart = c;
  let p = -1;
  const d = s + 16;
  if (d < end && buf[d]! === 45 && c < d) {
    // inline pidColumn(buf, d, end, h): `-<digits> +[(\[]`
    let r = d + 1;
    let v = 0;
    for (; r < end; r++) {
      const ch = buf[r]!;
      if (ch < 48 || ch > 57) break;
      v = v * 10 + (ch - 48);
    }
    if (r > d + 1 && r < end && buf[r]! === 32 && v <= MAX_TID) {
      r++;
      while (r < end && buf[r]! === 32) r++;
      if (r < end && (buf[r]! === 91 || buf[r]! === 40)) {
        h.tid = v;
        h.commEnd = d;
        p = r;
      }
    }
  }
  if (p < 0) {
    p = findPid(buf, c, end, h);
    // only when no dash is followed by a bracketed column: a comm may hold "-<digits> <digits>"
    if (p < 0) p = findLatencyPid(buf, c, end, h);
    if (p < 0) return R_NO_PID;
  }
  const q = h.commEnd;
  // `<...>`: the kernel's comm cache did not know the thread
  h.commKnown = !(q - c === 5 && buf[c]! === 60 /* < */ && buf[c + 1]! === 46);
  return tokenizeFtraceColumns(buf, p, end, h);
}

/**
 * The rest of an ftrace line, from the `(`/`[` column after `<comm>-<pid> ` at p: sets tgid, cpu,
 * the layout bits of those columns in h.layout, h.tsStart, then the timestamp, event name and body
 * start. Returns 0 or a negative R_* reason.
 */
export function tokenizeFtraceColumns(buf: Buffer, p: number, end: number, h: LineHeader): number {
  const flagChar = FLAG_CHAR;
  let layout = 0;
  let tgid = -1;
  // (tgid) or (-------)
  if (buf[p]! === 40 /* ( */) {
    p++;
    while (p < end && buf[p]! === 32) p++;
    if (p < end && buf[p]! === 45 /* - */) {
      while (p < end && buf[p]! === 45) p++;
    } else {
      const ts = p;
      let v = 0;
      for (; p < end; p++) {
        const ch = buf[p]!;
        if (ch < 48 || ch > 57) break;
        v = v * 10 + (ch - 48);
      }
      if (p === ts || v > MAX_TID) return R_TGID;
      tgid = v;
    }
    if (p >= end || buf[p]! !== 41 /* ) */) return R_TGID;
    layout |= L_TGID;
    p++;
    while (p < end && buf[p]! === 32) p++;
    if (p >= end || buf[p]! !== 91 /* [ */) return R_CPU;
  }
  h.tgid = tgid;
  if (buf[p]! !== 91 /* [ */) return latencyColumns(buf, p, end, h, layout);
  // [cpu]
  h.cpuStart = p;
  p++;
  const cs = p;
  let cpu = 0;
  for (; p < end; p++) {
    const ch = buf[p]!;
    if (ch < 48 || ch > 57) break;
    cpu = cpu * 10 + (ch - 48);
  }
  if (p === cs || p >= end || buf[p]! !== 93 /* ] */ || cpu > MAX_CPU) return R_CPU;
  h.cpu = cpu;
  p++;
  while (p < end && buf[p]! === 32) p++;
  // optional irq-flags token: a token not ending in ':' before the timestamp. One pass: flag
  // characters include the digits and '.', so a timestamp stops this scan at its ':'.
  let t = p;
  while (t < end && flagChar[buf[t]!]! === 1) t++;
  if (t >= end || buf[t]! === 32) {
    // the whole token consists of flag characters, so it does not end in ':'
    const n = t - p;
    if (n === 0) return R_TIMESTAMP;
    if (n < 4 || n > 5) return R_FLAGS;
    layout |= n === 4 ? L_FLAGS4 : L_FLAGS5;
    h.flagsStart = p;
    p = t;
    while (p < end && buf[p]! === 32) p++;
  } else if (buf[t]! !== 58 || (t + 1 < end && buf[t + 1]! !== 32)) {
    // some other character: the token is the timestamp only if it ends in ':'
    while (t < end && buf[t]! !== 32) t++;
    if (buf[t - 1]! !== 58) return R_FLAGS;
  }
  h.tsStart = p;
  return tokenizeFtraceTimestamp(buf, p, end, h, layout);
}

/** trace-cmd's latency layout from the CPU number at p (findLatencyPid checked its shape). */
function latencyColumns(buf: Buffer, p: number, end: number, h: LineHeader, layout: number): number {
  const flagChar = FLAG_CHAR;
  let cpu = 0;
  const cs = p;
  for (; p < end; p++) {
    const ch = buf[p]!;
    if (ch < 48 || ch > 57) break;
    cpu = cpu * 10 + (ch - 48);
  }
  if (p === cs || cpu > MAX_CPU) return R_CPU;
  h.cpu = cpu;
  const fs = p;
  while (p < end && flagChar[buf[p]!]! === 1) p++;
  const n = p - fs;
  if (n < 4 || n > 5 || p >= end || buf[p]! !== 32) return R_FLAGS;
  h.flagsStart = fs;
  layout |= L_LATENCY | (n === 4 ? L_FLAGS4 : L_FLAGS5);
  while (p < end && buf[p]! === 32) p++;
  h.tsStart = p;
  return tokenizeFtraceTimestamp(buf, p, end, h, layout);
}

/**
 * The timestamp, event name and body start of an ftrace line, from the first timestamp digit
 * at p; `layout` carries the bits of the columns before it. Returns 0 or a negative R_* reason.
 */
export function tokenizeFtraceTimestamp(buf: Buffer, p: number, end: number, h: LineHeader, layout: number): number {
  // <secs>.<frac>: (6 or 9 decimals; a counter clock prints a bare integer)
  const ss = p;
  let secs = 0;
  for (; p < end; p++) {
    const ch = buf[p]!;
    if (ch < 48 || ch > 57) break;
    secs = secs * 10 + (ch - 48);
  }
  if (p === ss || p - ss > 20) return R_TIMESTAMP;
  if (p < end && buf[p]! === 46 /* . */) {
    p++;
    const fs = p;
    let frac = 0;
    for (; p < end; p++) {
      const ch = buf[p]!;
      if (ch < 48 || ch > 57) break;
      if (p - fs < 9) frac = frac * 10 + (ch - 48);
    }
    const nf = p - fs;
    if (nf === 0) return R_TIMESTAMP;
    if (nf === 6) frac *= 1000;
    else if (nf !== 9) frac *= FRAC_SCALE[nf > 9 ? 9 : nf]!;
    if (secs <= 9007198) {
      const ns = secs * 1e9 + frac; // exact below 2^53
      h.tsLo = ns >>> 0;
      h.tsHi = (ns / 4294967296) >>> 0;
    } else {
      const w = wide;
      if (!nsFromSeconds(secs, frac, w)) return R_TIMESTAMP;
      h.tsLo = w.lo;
      h.tsHi = w.hi;
    }
  } else {
    if (secs >= 9007199254740992) return R_TIMESTAMP;
    h.tsLo = secs >>> 0;
    h.tsHi = (secs / 4294967296) >>> 0;
  }
  return tokenizeFtraceEvent(buf, p, end, h, layout);
}

/**
 * The event name and body start of an ftrace line whose timestamp (already in h.tsLo/h.tsHi)
 * ends at p, where its ':' should be. Returns 0 or a negative R_* reason.
 */
export function tokenizeFtraceEvent(buf: Buffer, p: number, end: number, h: LineHeader, layout: number): number {
  const nameChar = NAME_CHAR;
  if (p >= end || buf[p]! !== 58 /* : */) return R_TIMESTAMP;
  h.tsValid = true;
  // <event>:
  p++;
  while (p < end && buf[p]! === 32) p++;
  const es = p;
  while (p < end && nameChar[buf[p]!]! === 1) p++;
  if (p === es || p >= end || buf[p]! !== 58) return R_EVENT;
  h.eventStart = es;
  h.eventEnd = p;
  p++;
  const b = p;
  while (p < end && buf[p]! === 32) p++;
  if (p - b >= 2) layout |= L_PADDED; // trace-cmd pads the event name
  h.bodyStart = p;
  h.layout = layout;
  return 0;
}
