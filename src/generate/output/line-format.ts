/**
 * One text layout of host trace lines (tracepoints.md §4): a header, one line per event, and the
 * layout's inline lost-events marker if it has one.
 */
import type { HostEvent } from '../events.ts';
import type { HostThread } from '../host-thread.ts';
import type { ByteWriter } from './byte-writer.ts';

export interface LineFormat {
  readonly name: string;
  /** False for layouts that print no inline marker (perf script): dropped events just vanish. */
  readonly marksLostEvents: boolean;
  header(w: ByteWriter, hostCpus: number): void;
  event(w: ByteWriter, ev: HostEvent, th: HostThread): void;
  lost(w: ByteWriter, cpu: number, count: number): void;
}

/** `comm` right-aligned in 16 columns, as `%16s` (comms are at most 15 characters). */
export function comm16(comm: string): string {
  return comm.length >= 16 ? comm : ' '.repeat(16 - comm.length) + comm;
}
