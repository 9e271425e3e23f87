/**
 * The parse worker: opens the input, sniffs, parses, and posts batches (accesses and irq events)
 * to the main thread with their buffers transferred. It waits for credit before reading more input when
 * MAX_BATCHES_IN_FLIGHT batches are unconsumed; a credit may bring a consumed batch back for
 * reuse. Each raw chunk, once parsed, moves on to the hash worker, which returns the read buffers.
 * Started with its input (workerData) or warm, waiting for a 'start' message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AbitraceError } from '../errors.ts';
import { AccessBatch } from '../model/access-batch.ts';
import { IrqBatch } from '../model/irq-batch.ts';
import { ChunkPool, openTraceInput } from './input.ts';
import { parseInput, type ParseProgress } from './parse-file.ts';
import { transferables } from './page-arrays.ts';
import { threadCpuMs } from './thread-cpu.ts';
import { MAX_BATCHES_IN_FLIGHT, type ToMain, type ToWorker, type WorkerInput } from './parse-protocol.ts';
import type { TraceParser } from './trace-parser.ts';
import type { LostEventsRecord, ParseSink } from './types.ts';
import { deltaOf, type VmLabelList, type VmLabelsDelta } from './vm-labels.ts';

const port = parentPort!;

let credits = MAX_BATCHES_IN_FLIGHT;
let wake: (() => void) | null = null;
port.on('message', (m: ToWorker) => {
  if (m.t === 'credit') {
    if (m.batch && parser) parser.reuseBatch(AccessBatch.fromBuffers(m.batch));
    if (m.irqBatch && parser) parser.reuseIrqBatch(IrqBatch.fromBuffers(m.irqBatch));
    credits += m.n;
    if (credits > 0 && wake !== null) {
      const w = wake;
      wake = null;
      w();
    }
  } else if (m.t === 'start') {
    start(m.input);
  }
});

const post = (m: ToMain, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

let vmsSent = 0;
let sourcesSent = 0;
/** The dictionary entries the main thread has not had; VM labels go as numbers (vm-labels.ts). */
function newEntries(vms: VmLabelList, sources: readonly string[]): { vms: VmLabelsDelta; sources: string[] } {
  const out = { vms: deltaOf(vms, vmsSent), sources: sources.slice(sourcesSent) };
  vmsSent = vms.length;
  sourcesSent = sources.length;
  return out;
}

let parser: TraceParser | null = null;
const sink: ParseSink = {
  accesses(batch: AccessBatch, vms: VmLabelList, sources: readonly string[]): void {
    credits--;
    const entries = newEntries(vms, sources);
    post({ t: 'batch', batch: batch.toBuffers(), ...entries }, [...batch.transferables(), entries.vms.tgids.buffer as ArrayBuffer]);
  },
  irqs(batch: IrqBatch, vms: VmLabelList, sources: readonly string[]): void {
    credits--;
    const entries = newEntries(vms, sources);
    post({ t: 'irqs', batch: batch.toBuffers(), ...entries }, [...batch.transferables(), entries.vms.tgids.buffer as ArrayBuffer]);
  },
  // they draw on the batches' credits: in a trace of a marker per line they come as fast
  lost(records: LostEventsRecord[]): void {
    credits--;
    post({ t: 'lost', records });
  },
};

/** Raw chunks handed to the hash worker and not hashed yet; reading pauses above the limit. */
let hashQueued = 0;
let hashWake: (() => void) | null = null;
const MAX_HASH_QUEUED = 16;

/** Read buffers come back from the hash worker and are read into again. */
const chunkPool = new ChunkPool();

function hashDone(m: { hashed: number; buffers: ArrayBuffer[] }): void {
  hashQueued -= m.hashed;
  for (const b of m.buffers) chunkPool.give(new Uint8Array(b));
  if (hashQueued <= MAX_HASH_QUEUED / 2 && hashWake !== null) {
    const w = hashWake;
    hashWake = null;
    w();
  }
}

/** Hands a raw chunk to the hash worker: moved when this thread is done with it, else copied. */
function toHasher(hasher: WorkerInput['hashPort'], chunk: Buffer, owned: boolean): void {
  hashQueued++;
  // an owned chunk is a whole pooled read buffer, or (last chunk) the start of one
  if (owned && chunk.byteOffset === 0) {
    hasher.postMessage({ bytes: chunk }, [chunk.buffer as ArrayBuffer]);
  } else {
    const copy = new Uint8Array(chunk.length);
    copy.set(chunk);
    hasher.postMessage({ bytes: copy }, [copy.buffer]);
  }
}

async function run(input: WorkerInput): Promise<void> {
  const progress = { last: null as ParseProgress | null, posted: 0 };
  // hashing runs on a thread of its own (it would cost the parse thread about a third of its time)
  input.hashPort.on('message', hashDone);
  const trace = await openTraceInput(input.path, { onRawChunk: (chunk, owned) => toHasher(input.hashPort, chunk, owned), chunkPool });
  const summary = await parseInput(trace, input.opts, sink, {
    afterChunk: async () => {
      if (credits <= 0) await new Promise<void>((resolve) => (wake = resolve));
      if (hashQueued > MAX_HASH_QUEUED) await new Promise<void>((resolve) => (hashWake = resolve));
    },
    onProgress: (p) => {
      // at most ~10 messages a second: the main thread redraws 5 times a second
      progress.last = p;
      const now = performance.now();
      if (now - progress.posted < 100) return;
      progress.posted = now;
      post({ t: 'progress', ...p });
    },
    onParser: (p) => (parser = p),
  });
  if (progress.last !== null) post({ t: 'progress', ...progress.last });
  input.hashPort.postMessage({ end: true });
  input.hashPort.off('message', hashDone);
  // the dictionaries as the entries not sent yet (the main thread has the rest): a host trace's
  // million VM labels would otherwise cross again; the page counts move instead of being copied
  const rest = newEntries(summary.vms, summary.sources);
  post({ t: 'done', summary: { ...summary, vms: rest.vms, sources: rest.sources }, cpuMs: threadCpuMs(), bootCpuMs },
    transferables([summary.layoutPages, rest.vms.tgids, summary.layoutIcc, summary.layoutV2, summary.layoutIdReads?.vm,
      summary.layoutIdReads?.gpa, summary.layoutIdReads?.len, summary.layoutIdReads?.value, summary.layouts?.shapeOf,
      summary.vmInfo.vmm, summary.vmInfo.threads, summary.vmInfo.vcpus]));
}

let started = false;
/** CPU ms this thread had used when its input arrived: loader and module start-up. */
let bootCpuMs = NaN;
function start(input: WorkerInput): void {
  if (started) return;
  started = true;
  bootCpuMs = threadCpuMs();
  run(input).then(
    () => port.close(),
    (err: unknown) => {
      if (err instanceof AbitraceError) post({ t: 'error', code: err.code, message: err.message, exitCode: err.exitCode });
      else {
        const e = err as Error;
        post({ t: 'error', code: null, message: e?.message ?? String(err), exitCode: 70, stack: e?.stack });
      }
      port.close();
    },
  );
}

// Started with its input, or warm (booted ahead of time) and waiting for a 'start' message.
if (workerData !== null && workerData !== undefined) start(workerData as WorkerInput);
