/**
 * Messages between parseFile (main thread) and the parse worker. Batches travel as
 * AccessBatchBuffers with their ArrayBuffers transferred; dictionaries travel as the entries added
 * since the previous message, so the main thread's copies stay code-for-code identical.
 */
import type { AccessBatchBuffers } from '../model/access-batch.ts';
import type { IrqEventRow } from '../model/irq-batch.ts';
import type { Compression } from './input.ts';
import type { ParseOptions, ParseSummary, TraceFormat } from './types.ts';

/** Batches the worker may have in flight before it waits for the main thread to consume one. */
export const MAX_BATCHES_IN_FLIGHT = 4;

export interface WorkerInput {
  path: string;
  opts: Omit<ParseOptions, 'format'> & { format?: TraceFormat };
}

export interface ParseFileSummary extends ParseSummary {
  path: string;
  compression: Compression;
  /** sha256 (hex) of the raw file bytes. */
  sha256: string;
  /** Raw (compressed) file bytes read. */
  rawBytes: number;
}

export type ToMain =
  | { t: 'batch'; batch: AccessBatchBuffers; vms: string[]; sources: string[] }
  | { t: 'irqs'; rows: IrqEventRow[]; vms: string[]; sources: string[] }
  | { t: 'progress'; rawBytes: number; totalBytes: number; lines: number }
  /** A copy of a raw file chunk: the main thread computes the sha256, off the parse thread. */
  | { t: 'raw'; bytes: Uint8Array }
  | { t: 'done'; summary: ParseFileSummary }
  | { t: 'error'; code: string | null; message: string; exitCode: number; stack?: string };

export type ToWorker = { t: 'credit'; n: number };
