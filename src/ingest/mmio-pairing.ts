/**
 * kvm_mmio read pairing. A guest read shows up as `unsatisfied-read` (no value) on the vCPU thread,
 * then — after the in-kernel device or, via kvm_userspace_exit, the VMM answered — a `read` with
 * the same gpa and len on the same thread carrying the value. There is no sequence number, so the
 * pairing is per thread: the pending half lives in ThreadState until its `read` arrives.
 */
import type { MmioFields } from './event-decoders/mmio.ts';
import type { ThreadState } from './thread-state.ts';

/** The `read` has no pending unsatisfied-read: still a row. */
export const READ_UNPAIRED = 0;
/** The `read` completes the pending unsatisfied-read. */
export const READ_PAIRED = 1;
/** A pending unsatisfied-read exists but is for another address/len: it will never complete. */
export const READ_MISMATCH = 2;

/** Remembers an unsatisfied-read and the thread's current PC (report any pending one first). */
export function holdUnsatisfiedRead(th: ThreadState, f: MmioFields, line: number): void {
  th.pendLine = line;
  th.pendLen = f.len;
  th.pendGpaLo = f.gpaLo;
  th.pendGpaHi = f.gpaHi;
  th.pendPcValid = th.pcValid;
  th.pendPcLo = th.pcLo;
  th.pendPcHi = th.pcHi;
}

/**
 * Matches a `read` against the thread's pending half. On READ_PAIRED the pending half is cleared
 * and its PC (from the exit that caused the access) stays in th.pend* for the row; on
 * READ_MISMATCH the pending half is left for the caller to report.
 */
export function matchRead(th: ThreadState, f: MmioFields): number {
  if (th.pendLine === 0) return READ_UNPAIRED;
  if (th.pendGpaLo === f.gpaLo && th.pendGpaHi === f.gpaHi && th.pendLen === f.len) {
    th.pendLine = 0;
    return READ_PAIRED;
  }
  return READ_MISMATCH;
}
