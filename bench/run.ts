/**
 * `npm run bench [-- --size MB] [--only SECTION] [--no-arrow-cache]`: benchmark sections, each
 * run in its own child process so peak RSS (process.resourceUsage().maxRSS) is per section.
 *
 *   import   generate a ~500 MB raw-ftrace trace (bench/out/, cached), import it through the
 *            real import path into a fresh file database; then DuckDB read_csv of the same rows
 *            (explicit column types) into a file database; print MB/s, rows/s, peak RSS and the
 *            ratio import rows/s ÷ read_csv rows/s (bar ≥ 1.0, goal ≥ 1.5).
 *
 * Later sections (replay, …) register in SECTIONS.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFtrace } from './gen-ftrace.ts';

const OUT = join(import.meta.dirname, 'out');

interface Args {
  sizeMb: number;
  only: string | null;
  arrowCache: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sizeMb: 500, only: null, arrowCache: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--size') a.sizeMb = Number(argv[++i]);
    else if (k === '--only') a.only = argv[++i] ?? null;
    else if (k === '--no-arrow-cache') a.arrowCache = false;
    else throw new Error(`unknown argument ${k}; usage: npm run bench -- [--size MB] [--only import] [--no-arrow-cache]`);
  }
  if (!(a.sizeMb > 0)) throw new Error('--size expects megabytes > 0');
  return a;
}

/** Runs `bench/<script> ...args` in a child and parses the last stdout line as JSON. */
function child(script: string, args: string[]): Record<string, number> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, script), ...args], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${script} failed with status ${r.status}: ${r.stdout}`);
  const last = r.stdout.trim().split('\n').at(-1)!;
  return JSON.parse(last) as Record<string, number>;
}

const mb = (b: number) => b / 1e6;
const mib = (kb: number) => kb / 1024;

function importSection(args: Args): void {
  mkdirSync(OUT, { recursive: true });
  const trace = join(OUT, `ftrace-${args.sizeMb}mb.log`);
  const metaPath = `${trace}.json`;
  if (!existsSync(trace) || !existsSync(metaPath)) {
    const t0 = performance.now();
    const g = generateFtrace({ path: trace, bytes: args.sizeMb * 1e6 });
    writeFileSync(metaPath, JSON.stringify(g));
    console.log(`generated ${trace}: ${mb(g.bytes).toFixed(0)} MB, ${g.lines} lines, ${g.accesses} accesses in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const gen = JSON.parse(readFileSync(metaPath, 'utf8')) as { bytes: number; lines: number; accesses: number };
  const db = join(OUT, 'bench-import.duckdb');
  for (const p of [db, `${db}.wal`, `${db}.arrow`]) rmSync(p, { recursive: true, force: true });
  // Warm the page cache so both sides start from the same place.
  spawnSync('cat', [trace], { stdio: ['ignore', 'ignore', 'ignore'] });

  const parseOnly = child('parse-child.ts', [trace]);
  const imp = child('import-child.ts', [trace, db, args.arrowCache ? 'arrow' : 'no-arrow']);
  const csv = join(OUT, 'bench-rows.csv');
  const csvDb = join(OUT, 'bench-csv.duckdb');
  const load = child('read-csv-child.ts', [db, csv, csvDb]);

  const bytes = statSync(trace).size;
  const importRate = imp.rows! / imp.seconds!;
  const csvRate = load.rows! / load.seconds!;
  console.log('\n== import (real import path, fresh file database) ==');
  console.log(`trace            ${mb(bytes).toFixed(0)} MB, ${gen.lines.toLocaleString('en-US')} lines, arrow cache ${args.arrowCache ? 'on' : 'off'}`);
  console.log(`import           ${imp.seconds!.toFixed(2)} s  ${(mb(bytes) / imp.seconds!).toFixed(0)} MB/s  ${(importRate / 1e6).toFixed(2)} M rows/s  ${(gen.lines / imp.seconds! / 1e6).toFixed(2)} M lines/s  rows ${imp.rows!.toLocaleString('en-US')}`);
  console.log(`parse only       ${parseOnly.seconds!.toFixed(2)} s  ${(mb(bytes) / parseOnly.seconds!).toFixed(0)} MB/s  (parser in its worker, batches discarded: the import's floor)`);
  console.log(`import peak RSS  ${mib(imp.maxRssKb!).toFixed(0)} MiB  (bar < 512 MiB)  database ${mb(imp.dbBytes!).toFixed(0)} MB`);
  console.log(`read_csv         ${load.seconds!.toFixed(2)} s  ${(csvRate / 1e6).toFixed(2)} M rows/s  (CSV ${mb(load.csvBytes!).toFixed(0)} MB, written in ${load.writeSeconds!.toFixed(2)} s, not counted)  peak RSS ${mib(load.maxRssKb!).toFixed(0)} MiB`);
  const ratio = importRate / csvRate;
  console.log(`ratio            import rows/s ÷ read_csv rows/s = ${ratio.toFixed(2)}  (bar ≥ 1.0, goal ≥ 1.5) ${ratio >= 1.5 ? 'GOAL' : ratio >= 1 ? 'BAR' : 'BELOW BAR'}`);
  if (imp.rows !== gen.accesses) console.log(`WARNING: imported ${imp.rows} rows, generator wrote ${gen.accesses} accesses`);
}

const SECTIONS: Record<string, (a: Args) => void> = {
  import: importSection,
};

const args = parseArgs(process.argv.slice(2));
for (const [name, run] of Object.entries(SECTIONS)) {
  if (args.only && args.only !== name) continue;
  run(args);
}
