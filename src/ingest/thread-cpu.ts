/**
 * CPU time of the calling thread (main or worker), for benchmark breakdowns: Node 20 has no
 * per-thread CPU clock, so this reads Linux's /proc/thread-self/schedstat (ns on CPU). NaN where
 * that file does not exist. One small file read: call it per batch at most, not per row.
 */
import { readFileSync } from 'node:fs';

let available = process.platform === 'linux';

export function threadCpuMs(): number {
  if (!available) return NaN;
  try {
    const s = readFileSync('/proc/thread-self/schedstat', 'latin1');
    return Number(s.slice(0, s.indexOf(' '))) / 1e6;
  } catch {
    available = false;
    return NaN;
  }
}
