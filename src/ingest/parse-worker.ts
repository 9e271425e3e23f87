/**
 * The parse worker: opens the input, sniffs, parses, and posts batches to the main thread with
 * their buffers transferred. It waits for credit before reading more input when
 * MAX_BATCHES_IN_FLIGHT batches are unconsumed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AbitraceError } from '../errors.ts';
import type { AccessBatch } from '../model/access-batch.ts';
import type { IrqEventRow } from '../model/irq-batch.ts';
import { openTraceInput } from './input.ts';
import { parseInput } from './parse-file.ts';
import { MAX_BATCHES_IN_FLIGHT, type ToMain, type ToWorker, type WorkerInput } from './parse-protocol.ts';
import type { TraceParser } from './trace-parser.ts';
import type { ParseSink } from './types.ts';

const port = parentPort!;
const input = workerData as WorkerInput;

let credits = MAX_BATCHES_IN_FLIGHT;
let wake: (() => void) | null = null;
port.on('message', (m: ToWorker) => {
  if (m.t === 'credit') {
    credits += m.n;
    if (credits > 0 && wake !== null) {
      const w = wake;
      wake = null;
      w();
    }
  }
});

const post = (m: ToMain, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

let vmsSent = 0;
let sourcesSent = 0;
function newEntries(vms: readonly string[], sources: readonly string[]): { vms: string[]; sources: string[] } {
  const out = { vms: vms.slice(vmsSent), sources: sources.slice(sourcesSent) };
  vmsSent = vms.length;
  sourcesSent = sources.length;
  return out;
}

let parser: TraceParser | null = null;
const sink: ParseSink = {
  accesses(batch: AccessBatch, vms: readonly string[], sources: readonly string[]): void {
    credits--;
    post({ t: 'batch', batch: batch.toBuffers(), ...newEntries(vms, sources) }, batch.transferables());
  },
  irqs(rows: IrqEventRow[]): void {
    // irq rows carry codes from the same dictionaries: send the entries added so far
    post({ t: 'irqs', rows, ...newEntries(parser?.vmNames ?? [], parser?.sourceNames ?? []) });
  },
};

async function run(): Promise<void> {
  // hashing runs on the main thread (it would cost the parse thread about a third of its time)
  const trace = await openTraceInput(input.path, {
    onRawChunk: (chunk) => {
      const copy = new Uint8Array(chunk.length);
      copy.set(chunk);
      post({ t: 'raw', bytes: copy }, [copy.buffer]);
    },
  });
  const summary = await parseInput(trace, input.opts, sink, {
    afterChunk: () => (credits > 0 ? undefined : new Promise<void>((resolve) => (wake = resolve))),
    onProgress: (p) => post({ t: 'progress', ...p }),
    onParser: (p) => (parser = p),
  });
  post({ t: 'done', summary });
}

run().then(
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
