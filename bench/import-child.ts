/** Bench child: imports one trace through importFiles (the CLI's path); prints JSON timings. */
import { statSync } from 'node:fs';
import { importFiles } from '../src/importer/import-files.ts';

const [trace, db, arrow] = process.argv.slice(2) as [string, string, string];
const t0 = performance.now();
const report = await importFiles([trace], { db, arrowCache: arrow === 'arrow', progress: false });
const seconds = (performance.now() - t0) / 1000;
const r = report.results[0]!;
if (r.status !== 'imported') {
  console.error(r.status === 'failed' ? `${r.error.code}: ${r.error.message}` : r.status);
  process.exit(1);
}
console.log(JSON.stringify({
  seconds, rows: r.rows, lines: r.summary.lines, maxRssKb: process.resourceUsage().maxRSS, dbBytes: statSync(db).size,
}));
