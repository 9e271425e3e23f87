/**
 * Bench child: imports one trace through importFiles (the CLI's path) into a fresh file database
 * and prints, as JSON on the last line, wall time, rows, peak RSS and where the CPU went: the
 * parse worker, the hash worker, the main thread (DuckDB append, Arrow cache write, the rest) and
 * every other thread of the process (V8 compiler and GC helpers, libuv reads, DuckDB's own).
 */
import { statSync } from 'node:fs';
import { importFiles, type ImportStats } from '../src/importer/import-files.ts';
import { threadCpuMs } from '../src/ingest/thread-cpu.ts';

const [trace, db, arrow] = process.argv.slice(2) as [string, string, string];
const stats: ImportStats[] = [];
const cpu0 = process.cpuUsage();
const main0 = threadCpuMs();
const t0 = performance.now();
const report = await importFiles([trace], { db, arrowCache: arrow === 'arrow', progress: false, stats });
const seconds = (performance.now() - t0) / 1000;
const mainMs = threadCpuMs() - main0;
const cpu = process.cpuUsage(cpu0);
const r = report.results[0]!;
if (r.status !== 'imported') {
  console.error(r.status === 'failed' ? `${r.error.code}: ${r.error.message}` : r.status);
  process.exit(1);
}
const s = stats[0]!;
const processMs = (cpu.user + cpu.system) / 1000;
const parseWorkerMs = s.parse.parseWorkerCpuMs ?? NaN;
const hashWorkerMs = s.parse.hashWorkerCpuMs ?? NaN;
console.log(JSON.stringify({
  seconds, rows: r.rows, lines: r.summary.lines, maxRssKb: process.resourceUsage().maxRSS, dbBytes: statSync(db).size,
  cpuMs: processMs, userMs: cpu.user / 1000, sysMs: cpu.system / 1000,
  mainMs, appendMs: s.writer.appendCpuMs, arrowMs: s.writer.arrowCpuMs, commitMs: s.writer.commitMs,
  parseWorkerMs, parseWorkerBootMs: s.parse.parseWorkerBootCpuMs ?? NaN, hashWorkerMs, otherThreadsMs: processMs - mainMs - parseWorkerMs - hashWorkerMs,
  beginMs: s.beginMs, parseMs: s.parseMs, firstBatchMs: s.parse.firstMessageMs ?? NaN,
}));
