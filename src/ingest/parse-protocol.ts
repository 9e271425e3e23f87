/**
 * Messages between parseFile (main thread) and the parse worker. Batches travel as
 * AccessBatchBuffers / IrqBatchBuffers with their ArrayBuffers transferred; dictionaries travel
 * as the entries added since the previous message, so the main thread's copies stay code-for-code
 * identical. Both kinds of batch draw on the same credits.
 */
import type { MessagePort } from 'node:worker_threads';
import type { AccessBatchBuffers } from '../model/access-batch.ts';
import type { IrqBatchBuffers } from '../model/irq-batch.ts';
import type { Compression } from './input.ts';
import type { LostEventsRecord, ParseOptions, ParseSummary, TraceFormat } from './types.ts';
import type { VmLabelsDelta } from './vm-labels.ts';

/**
 * Batches (access and irq together) the worker may have in flight before it waits for the main
 * thread to consume one: ~4 MiB each, so ≤ 48 MiB. Enough for the worker to keep parsing while
 * a fresh CLI process loads DuckDB and opens the database (~0.3 s of parse).
 */
export const MAX_BATCHES_IN_FLIGHT = 12;

export interface WorkerInput {
  path: string;
  opts: Omit<ParseOptions, 'format'> & { format?: TraceFormat };
  /** To the hash worker: raw chunks `{ bytes }` in file order, then `{ end: true }`. */
  hashPort: MessagePort;
}

export interface ParseFileSummary extends ParseSummary {
  path: string;
  compression: Compression;
  /** sha256 (hex) of the raw file bytes ('' in the worker's own summary: the hash worker has it). */
  sha256: string;
  /** Raw (compressed) file bytes read. */
  rawBytes: number;
}

export type ToMain =
  | { t: 'batch'; batch: AccessBatchBuffers; vms: VmLabelsDelta; sources: string[] }
  | { t: 'irqs'; batch: IrqBatchBuffers; vms: VmLabelsDelta; sources: string[] }
  /** Closed loss-marker records (ParseSink.lost), in file order per chunk; they draw on the credits too. */
  | { t: 'lost'; records: LostEventsRecord[] }
  | { t: 'progress'; rawBytes: number; totalBytes: number; lines: number }
  /** cpuMs: the worker thread's CPU time, start-up (bootCpuMs) included; NaN off Linux. */
  /** summary.vms / .sources: only the entries no batch carried (the main thread appends them). */
  | { t: 'done'; summary: Omit<ParseFileSummary, 'vms'> & { vms: VmLabelsDelta }; cpuMs: number; bootCpuMs: number }
  | { t: 'error'; code: string | null; message: string; exitCode: number; stack?: string };

export type ToWorker =
  /** `batch` / `irqBatch`: a consumed batch handed back for reuse (its buffers transferred). */
  | { t: 'credit'; n: number; batch?: AccessBatchBuffers; irqBatch?: IrqBatchBuffers }
  /** For a warm worker (booted without workerData): the input to parse. */
  | { t: 'start'; input: WorkerInput };
