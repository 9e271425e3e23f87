/**
 * Bench child: the parser alone (worker thread, sink discards batches) — the import's floor —
 * and the same parser on this thread over the file in 1 MiB chunks (pure parse CPU: no worker
 * start-up, no messages). Prints JSON on the last line.
 */
import { closeSync, openSync, readSync } from 'node:fs';
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

// in-thread: read (not timed) and parse 1 MiB at a time
const buf = Buffer.allocUnsafe(1 << 20);
const fd = openSync(trace, 'r');
let n = readSync(fd, buf);
const { format, variant } = resolveFormat(buf.subarray(0, n), trace, undefined);
const parser = new TraceParser({ format, variant, path: trace, fallbackVm: 'bench', strict: false }, { accesses() {}, irqs() {} });
let inThreadMs = 0;
while (n > 0) {
  const c0 = threadCpuMs();
  parser.feed(buf.subarray(0, n));
  inThreadMs += threadCpuMs() - c0;
  n = readSync(fd, buf);
}
const c0 = threadCpuMs();
parser.finish();
inThreadMs += threadCpuMs() - c0;
closeSync(fd);

console.log(JSON.stringify({
  seconds, rows, lines: summary.lines, bytes: summary.bytes, maxRssKb,
  parseWorkerMs: stats.parseWorkerCpuMs ?? NaN, hashWorkerMs: stats.hashWorkerCpuMs ?? NaN, firstBatchMs: stats.firstMessageMs ?? NaN,
  inThreadParseMs: inThreadMs,
}));
