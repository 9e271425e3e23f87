/**
 * Parses one trace file: open (decompressing), sniff (unless --format), parse. By default the
 * parse runs in ONE worker thread while the main thread feeds the sink (e.g. the DuckDB appender)
 * in parallel; credit-based backpressure keeps at most MAX_BATCHES_IN_FLIGHT batches (access and
 * irq-event batches alike) queued, so memory stays bounded for any input size. Around it:
 *  - the sha256 of the raw file is computed by a small hash worker (plain JS, starts in ms) to
 *    which the parse worker moves each raw chunk once parsed — no copy, and neither the parse
 *    nor the main thread pays for it;
 *  - a sink that sets `releasesBatches` hands each consumed batch back with its credit, and the
 *    parser reuses it (zeroed) instead of allocating a new 4 MiB batch;
 *  - `warmParseWorker()` boots the next parse worker ahead of time (the importer does this while
 *    it opens the database), hiding its ~0.3 s of loader and module start-up.
 */
import { stat } from 'node:fs/promises';
import { MessageChannel, Worker } from 'node:worker_threads';
import { AbitraceError, E } from '../errors.ts';
import { AccessBatch, DEFAULT_BATCH_ROWS } from '../model/access-batch.ts';
import { IrqBatch } from '../model/irq-batch.ts';
import { Dictionary } from '../model/dictionary.ts';
import { openTraceInput, type TraceInput } from './input.ts';
import { MAX_BATCHES_IN_FLIGHT, type ParseFileSummary, type ToMain, type ToWorker, type WorkerInput } from './parse-protocol.ts';
import { defaultVariant, sniffFormat, type SniffResult } from './sniff.ts';
import { TraceParser } from './trace-parser.ts';
import type { ParseOptions, ParseSink, TraceFormat } from './types.ts';
import { VmLabels, type VmLabelsDelta } from './vm-labels.ts';

export type { ParseFileSummary } from './parse-protocol.ts';

export interface ParseProgress {
  rawBytes: number;
  totalBytes: number;
  lines: number;
}

/** Below this file size 'auto' parses in-process: a worker costs ~0.2–0.4 s to start (tsx). */
export const AUTO_WORKER_MIN_BYTES = 2 * 1024 * 1024;

const PARSE_WORKER_URL = new URL('./parse-worker-boot.mjs', import.meta.url);

/** A parse worker booted ahead of time (its tsx start-up overlaps other work), or null. */
let warm: Worker | null = null;

/**
 * The parse worker's young generation, in MB (V8's default is 48: three 16 MiB semi-spaces). Its
 * hot path allocates nothing, so a small one costs no time (500 MB benchmark: same CPU); but at the
 * end of a parse the layout resolver makes objects for every VM, and with pid_max VMs the default
 * young generation stayed resident on top of the parse's tables: ~25 MiB more at the peak.
 */
const PARSE_WORKER_YOUNG_MB = 6;
const PARSE_WORKER_OPTIONS = { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: PARSE_WORKER_YOUNG_MB } };

/**
 * Boots a parse worker now so the next worker-mode parseFile need not wait for it (~0.3 s of
 * loader and module start-up, which then overlaps e.g. opening the database). It does not keep
 * the process alive; `dropWarmParseWorker` ends it when it turns out not to be needed.
 */
export function warmParseWorker(): void {
  if (warm !== null) return;
  // The .mjs bootstrap registers tsx itself, so this works under `node --import tsx`, bin.mjs and vitest.
  const w = new Worker(PARSE_WORKER_URL, { ...PARSE_WORKER_OPTIONS, workerData: null });
  w.unref();
  w.on('error', () => {
    if (warm === w) warm = null;
  });
  warm = w;
}

export function dropWarmParseWorker(): void {
  const w = warm;
  warm = null;
  if (w !== null) void w.terminate();
}

export interface ParseFileRunOptions {
  /**
   * true: parse in one worker thread; false: in this thread; 'auto' (default): in a worker unless
   * the file is smaller than AUTO_WORKER_MIN_BYTES on disk.
   */
  worker?: boolean | 'auto';
  onProgress?: (p: ParseProgress) => void;
  /** Filled in as the parse runs (diagnostics; tests use it to check the backpressure bound). */
  stats?: ParseFileStats;
  /** Aborting ends the parse at once (worker mode: the worker is terminated); parseFile rejects. */
  signal?: AbortSignal;
}

export interface ParseFileStats {
  /** Most batches received from the worker and not yet consumed by the sink at any moment. */
  maxQueuedBatches: number;
  /** Worker mode, for benchmark breakdowns (NaN where a thread's CPU time cannot be read): */
  /** ms from parseFile's call to the worker's first message (start-up, unless it was warm). */
  firstMessageMs?: number;
  /** CPU ms of the parse worker thread (its start-up included) and of the hash worker thread. */
  parseWorkerCpuMs?: number;
  /** Of parseWorkerCpuMs, the start-up before it had its input (tsx loader, modules). */
  parseWorkerBootCpuMs?: number;
  hashWorkerCpuMs?: number;
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

/**
 * Rows per batch for an input: a small plain file gets batches no larger than it can fill (a
 * trace line is at least ~40 bytes), so a directory of small traces does not allocate and zero
 * 3.5 MB per file; compressed input keeps the default.
 */
function batchRowsFor(input: TraceInput): number {
  if (input.compression !== 'none') return DEFAULT_BATCH_ROWS;
  let rows = 4096;
  while (rows < DEFAULT_BATCH_ROWS && rows * 40 < input.totalBytes) rows *= 2;
  return rows;
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
  const parser = new TraceParser({ ...opts, format, variant, batchRows: opts.batchRows ?? batchRowsFor(input) }, sink);
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
  return parseInWorker(path, opts, sink, run.onProgress, run.stats, run.signal);
}

/** Size on disk, or 0 when it cannot be read (openTraceInput then reports the real error). */
async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** With an abort signal, the sink calls give the event loop a turn at least this often (ms). */
const SIGNAL_YIELD_MS = 50;

function parseInWorker(
  path: string,
  opts: ParseFileOptions,
  sink: ParseSink,
  onProgress?: (p: ParseProgress) => void,
  stats?: ParseFileStats,
  signal?: AbortSignal,
): Promise<ParseFileSummary> {
  // The parse worker hands raw chunks straight to the hash worker (plain JS, no loader to boot).
  const { port1, port2 } = new MessageChannel();
  const hasher = new Worker(new URL('./hash-worker.mjs', import.meta.url), { workerData: { port: port2 }, transferList: [port2], execArgv: [] });
  const digest = new Promise<string>((resolve, reject) => {
    hasher.once('message', (m: { sha256: string; cpuMs: number }) => {
      if (stats) stats.hashWorkerCpuMs = m.cpuMs;
      resolve(m.sha256);
    });
    hasher.once('error', reject);
    hasher.once('exit', (code) => reject(new Error(`hash worker exited with code ${code} before finishing ${path}`)));
  });
  digest.catch(() => {}); // observed through `done` below
  const input: WorkerInput = { path, opts, hashPort: port1 };
  let worker: Worker;
  if (warm !== null) {
    worker = warm;
    warm = null;
    worker.ref();
    worker.postMessage({ t: 'start', input } satisfies ToWorker, [port1]);
  } else {
    worker = new Worker(PARSE_WORKER_URL, { ...PARSE_WORKER_OPTIONS, workerData: input, transferList: [port1] });
  }
  // the worker's labels are unique: appended as they come, as numbers (vm-labels.ts)
  const vms = new VmLabels();
  const addVms = (more: VmLabelsDelta): void => vms.apply(more);
  const sources = new Dictionary();
  let chain: Promise<void> = Promise.resolve();
  let settled = false;
  let done = false; // 'done' received: the worker may exit while the sink still drains the queue
  let queued = 0;
  let first = true;
  const t0 = performance.now();
  if (stats) stats.maxQueuedBatches = Math.max(stats.maxQueuedBatches, 0);

  return new Promise<ParseFileSummary>((resolve, reject) => {
    // Queued sink calls are skipped once failed, but one already running is awaited before
    // rejecting, so the caller never rolls back while the sink is still writing.
    const onAbort = (): void => fail(new Error(`parse of ${path} aborted`));
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      void hasher.terminate();
      chain.then(() => reject(err), () => reject(err));
    };
    type Released = void | AccessBatch | IrqBatch;
    let lastYield = performance.now();
    const enqueue = (work: () => Released | Promise<Released>): void => {
      chain = chain.then(async () => {
        if (settled) return;
        if (signal && performance.now() - lastYield > SIGNAL_YIELD_MS) {
          // While the worker keeps the port busy, Node dispatches its messages (and these sink
          // calls, as microtasks) in one go — up to 1,000 — and a SIGINT handler, which runs in
          // the event loop's poll phase, would wait for the end of the parse. Stepping out to
          // the loop now and then lets the signal (and so the abort) through.
          await new Promise<void>((r) => setImmediate(r));
          lastYield = performance.now();
          if (settled) return;
        }
        const released = await work();
        if (settled) return;
        // a batch the sink has released goes back to the worker for reuse
        if (released instanceof AccessBatch) {
          worker.postMessage({ t: 'credit', n: 1, batch: released.toBuffers() } satisfies ToWorker, released.transferables());
        } else if (released instanceof IrqBatch) {
          worker.postMessage({ t: 'credit', n: 1, irqBatch: released.toBuffers() } satisfies ToWorker, released.transferables());
        } else {
          worker.postMessage({ t: 'credit', n: 1 } satisfies ToWorker);
        }
      });
      chain.catch(fail);
    };
    const queuedOne = (): void => {
      queued++;
      if (stats && queued > stats.maxQueuedBatches) stats.maxQueuedBatches = queued;
    };
    worker.on('message', (m: ToMain) => {
      if (settled) return;
      if (first) {
        first = false;
        if (stats) stats.firstMessageMs = performance.now() - t0;
      }
      switch (m.t) {
        case 'batch': {
          addVms(m.vms);
          sources.extend(m.sources);
          const batch = AccessBatch.fromBuffers(m.batch);
          queuedOne();
          enqueue(async () => {
            await sink.accesses(batch, vms, sources.entries);
            queued--;
            return sink.releasesBatches === true ? batch : undefined;
          });
          break;
        }
        case 'irqs': {
          addVms(m.vms);
          sources.extend(m.sources);
          const batch = IrqBatch.fromBuffers(m.batch);
          queuedOne();
          enqueue(async () => {
            await sink.irqs(batch, vms, sources.entries);
            queued--;
            return sink.releasesBatches === true ? batch : undefined;
          });
          break;
        }
        case 'lost': {
          const records = m.records;
          queuedOne();
          enqueue(async () => {
            await sink.lost?.(records);
            queued--;
          });
          break;
        }
        case 'progress':
          onProgress?.({ rawBytes: m.rawBytes, totalBytes: m.totalBytes, lines: m.lines });
          break;
        case 'done': {
          done = true;
          addVms(m.summary.vms);
          sources.extend(m.summary.sources);
          const summary: ParseFileSummary = { ...m.summary, vms, sources: sources.entries };
          if (stats) {
            stats.parseWorkerCpuMs = m.cpuMs;
            stats.parseWorkerBootCpuMs = m.bootCpuMs;
          }
          Promise.all([chain, digest]).then(([, sha256]) => {
            if (settled) return;
            settled = true;
            signal?.removeEventListener('abort', onAbort); // a long-lived signal (a whole import run) must not collect listeners
            void worker.terminate();
            resolve({ ...summary, sha256 });
          }, fail);
          break;
        }
        case 'error': {
          const err = m.code !== null ? new AbitraceError(m.code, m.message, m.exitCode) : new Error(m.message);
          if (m.code === null && m.stack) err.stack = m.stack;
          fail(err);
          break;
        }
      }
    });
    worker.on('error', fail);
    if (signal) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    worker.on('exit', (code) => {
      if (!settled && !done) fail(new Error(`parse worker exited with code ${code} before finishing ${path}`));
    });
  });
}

export { MAX_BATCHES_IN_FLIGHT };
