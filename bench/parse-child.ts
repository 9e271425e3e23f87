/**
 * Bench child: the parser alone (worker thread, sink discards batches) — the import's floor —
 * and the same parser on this thread over the file's chunks as the import reads them (decompressed;
 * pure parse CPU: no worker start-up, no messages). Prints JSON on the last line.
 */
import { openTraceInput } from '../src/ingest/input.ts';
import { parseFile, resolveFormat, type ParseFileStats } from '../src/ingest/parse-file.ts';
import { threadCpuMs } from '../src/ingest/thread-cpu.ts';
import { TraceParser } from '../src/ingest/trace-parser.ts';

const trace = process.argv[2]!;
const stats: ParseFileStats = { maxQueuedBatches: 0 };
const t0 = performance.now();
let rows = 0;
const summary = await parseFile(trace, { path: trace, fallbackVm: 'bench', strict: false }, {
  accesses: (b) => {
    rows += b.length;
  },
  irqs: () => {},
}, { worker: true, stats });
const seconds = (performance.now() - t0) / 1000;
const maxRssKb = process.resourceUsage().maxRSS;

// in-thread: the same parser over the chunks the import reads (decompressed; no hashing), the
// thread's CPU over the whole loop (per-call readings of the thread clock are too coarse)
const input = await openTraceInput(trace, { onRawChunk: () => {} });
const { format, variant } = resolveFormat(input.head, trace, undefined);
const parser = new TraceParser({ format, variant, path: trace, fallbackVm: 'bench', strict: false }, { accesses() {}, irqs() {} });
const c0 = threadCpuMs();
for await (const chunk of input.chunks()) parser.feed(chunk);
parser.finish();
const inThreadMs = threadCpuMs() - c0;

console.log(JSON.stringify({
  seconds, rows, lines: summary.lines, bytes: summary.bytes, maxRssKb,
  parseWorkerMs: stats.parseWorkerCpuMs ?? NaN, hashWorkerMs: stats.hashWorkerCpuMs ?? NaN, firstBatchMs: stats.firstMessageMs ?? NaN,
  inThreadParseMs: inThreadMs,
}));
