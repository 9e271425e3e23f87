/** Bench child: the parser alone (worker thread, sink discards batches) — the import's floor. */
import { parseFile } from '../src/ingest/parse-file.ts';

const trace = process.argv[2]!;
const t0 = performance.now();
let rows = 0;
await parseFile(trace, { path: trace, fallbackVm: 'bench', strict: false }, {
  accesses: (b) => {
    rows += b.length;
  },
  irqs: () => {},
}, { worker: true });
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, rows, maxRssKb: process.resourceUsage().maxRSS }));
