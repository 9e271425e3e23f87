/**
 * Parses one trace file: open (decompressing), sniff (unless --format), parse. By default the
 * parse runs in ONE worker thread while the main thread feeds the sink (e.g. the DuckDB appender)
 * in parallel; credit-based backpressure keeps at most MAX_BATCHES_IN_FLIGHT batches queued, so
 * memory stays bounded for any input size.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { AbitraceError, E } from '../errors.ts';
import { AccessBatch } from '../model/access-batch.ts';
import { Dictionary } from '../model/dictionary.ts';
import { openTraceInput, type TraceInput } from './input.ts';
import { MAX_BATCHES_IN_FLIGHT, type ParseFileSummary, type ToMain, type ToWorker, type WorkerInput } from './parse-protocol.ts';
import { defaultVariant, sniffFormat, type SniffResult } from './sniff.ts';
import { TraceParser } from './trace-parser.ts';
import type { ParseOptions, ParseSink, TraceFormat } from './types.ts';

export type { ParseFileSummary } from './parse-protocol.ts';

export interface ParseProgress {
  rawBytes: number;
  totalBytes: number;
  lines: number;
}

/** Below this file size 'auto' parses in-process: a worker costs ~0.2–0.4 s to start (tsx). */
export const AUTO_WORKER_MIN_BYTES = 2 * 1024 * 1024;

export interface ParseFileRunOptions {
  /**
   * true: parse in one worker thread; false: in this thread; 'auto' (default): in a worker unless
   * the file is smaller than AUTO_WORKER_MIN_BYTES on disk.
   */
  worker?: boolean | 'auto';
  onProgress?: (p: ParseProgress) => void;
  /** Filled in as the parse runs (diagnostics; tests use it to check the backpressure bound). */
  stats?: ParseFileStats;
}

export interface ParseFileStats {
  /** Most batches received from the worker and not yet consumed by the sink at any moment. */
  maxQueuedBatches: number;
}

export type ParseFileOptions = Omit<ParseOptions, 'format'> & { format?: TraceFormat };

/** Sniffs, or honours a forced format (keeping the sniffed variant when the family agrees). */
export function resolveFormat(head: Buffer, path: string, forced: TraceFormat | undefined): SniffResult {
  if (forced === undefined) return sniffFormat(head, path);
  try {
    const s = sniffFormat(head, path);
    if (s.format === forced) return s;
  } catch (err) {
    if (!(err instanceof AbitraceError) || err.code !== E.FORMAT_UNKNOWN) throw err;
  }
  return { format: forced, variant: defaultVariant(forced) };
}

/** The in-thread parse loop, shared by the worker and the `worker: false` path. */
export async function parseInput(
  input: TraceInput,
  opts: ParseFileOptions,
  sink: ParseSink,
  hooks: {
    afterChunk?: () => Promise<void> | void;
    onProgress?: (p: ParseProgress) => void;
    onParser?: (parser: TraceParser) => void;
  } = {},
): Promise<ParseFileSummary> {
  const { format, variant } = resolveFormat(input.head, input.path, opts.format);
  const parser = new TraceParser({ ...opts, format, variant }, sink);
  hooks.onParser?.(parser);
  try {
    for await (const chunk of input.chunks()) {
      parser.feed(chunk);
      if (parser.pendingSinkCalls > 0) await parser.drain();
      await hooks.afterChunk?.();
      hooks.onProgress?.({ rawBytes: input.rawBytesRead, totalBytes: input.totalBytes, lines: parser.lineCount });
    }
    const summary = parser.finish();
    await parser.drain();
    return { ...summary, path: input.path, compression: input.compression, sha256: input.sha256(), rawBytes: input.rawBytesRead };
  } catch (err) {
    await parser.drain().catch(() => {}); // let sink calls in flight finish before the caller cleans up
    throw err;
  } finally {
    input.close();
  }
}

export async function parseFile(
  path: string,
  opts: ParseFileOptions,
  sink: ParseSink,
  run: ParseFileRunOptions = {},
): Promise<ParseFileSummary> {
  const mode = run.worker ?? 'auto';
  const inWorker = mode === 'auto' ? await fileSize(path) >= AUTO_WORKER_MIN_BYTES : mode;
  if (!inWorker) {
    const input = await openTraceInput(path);
    return parseInput(input, opts, sink, { onProgress: run.onProgress });
  }
  return parseInWorker(path, opts, sink, run.onProgress, run.stats);
}

/** Size on disk, or 0 when it cannot be read (openTraceInput then reports the real error). */
async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function parseInWorker(
  path: string,
  opts: ParseFileOptions,
  sink: ParseSink,
  onProgress?: (p: ParseProgress) => void,
  stats?: ParseFileStats,
): Promise<ParseFileSummary> {
  const workerData: WorkerInput = { path, opts };
  // The .mjs bootstrap registers tsx itself, so this works under `node --import tsx`, bin.mjs and vitest.
  const worker = new Worker(new URL('./parse-worker-boot.mjs', import.meta.url), { workerData, execArgv: [] });
  const vms = new Dictionary();
  const sources = new Dictionary();
  const hash = createHash('sha256');
  let chain: Promise<void> = Promise.resolve();
  let settled = false;
  let done = false; // 'done' received: the worker may exit while the sink still drains the queue
  let queued = 0;
  if (stats) stats.maxQueuedBatches = Math.max(stats.maxQueuedBatches, 0);

  return new Promise<ParseFileSummary>((resolve, reject) => {
    // Queued sink calls are skipped once failed, but one already running is awaited before
    // rejecting, so the caller never rolls back while the sink is still writing.
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      chain.then(() => reject(err), () => reject(err));
    };
    const enqueue = (work: () => void | Promise<void>, credit: boolean): void => {
      chain = chain.then(async () => {
        if (settled) return;
        await work();
        if (credit && !settled) worker.postMessage({ t: 'credit', n: 1 } satisfies ToWorker);
      });
      chain.catch(fail);
    };
    worker.on('message', (m: ToMain) => {
      if (settled) return;
      switch (m.t) {
        case 'batch': {
          vms.extend(m.vms);
          sources.extend(m.sources);
          const batch = AccessBatch.fromBuffers(m.batch);
          queued++;
          if (stats && queued > stats.maxQueuedBatches) stats.maxQueuedBatches = queued;
          enqueue(async () => {
            await sink.accesses(batch, vms.entries, sources.entries);
            queued--;
          }, true);
          break;
        }
        case 'irqs':
          vms.extend(m.vms);
          sources.extend(m.sources);
          enqueue(() => sink.irqs(m.rows), false);
          break;
        case 'raw':
          hash.update(m.bytes);
          break;
        case 'progress':
          onProgress?.({ rawBytes: m.rawBytes, totalBytes: m.totalBytes, lines: m.lines });
          break;
        case 'done':
          done = true;
          chain.then(() => {
            if (settled) return;
            settled = true;
            void worker.terminate();
            resolve({ ...m.summary, sha256: hash.digest('hex') });
          }, fail);
          break;
        case 'error': {
          const err = m.code !== null ? new AbitraceError(m.code, m.message, m.exitCode) : new Error(m.message);
          if (m.code === null && m.stack) err.stack = m.stack;
          fail(err);
          break;
        }
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!settled && !done) fail(new Error(`parse worker exited with code ${code} before finishing ${path}`));
    });
  });
}

export { MAX_BATCHES_IN_FLIGHT };
