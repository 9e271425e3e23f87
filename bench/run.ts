/**
 * `npm run bench [-- --size MB] [--noise F] [--trace FILE] [--only SECTION] [--no-arrow-cache]`:
 * benchmark sections, each step in its own child process so peak RSS
 * (process.resourceUsage().maxRSS) is per step.
 *
 *   import   generate a ~500 MB raw-ftrace trace of kvm_mmio lines (bench/gen-ftrace.ts; cached
 *            in bench/out/; `--noise F` wraps that fraction of accesses in kvm_exit/kvm_entry;
 *            `--trace FILE` benchmarks your own trace instead), import it through the real import
 *            path into a fresh file database, then DuckDB read_csv of the same rows (explicit
 *            column types) into a file database, twice: the rows as the accesses schema
 *            defines them (the bar's comparison) and all-integer codes (stricter); print MB/s,
 *            rows/s, peak RSS, the ratios import rows/s ÷ read_csv rows/s (bar ≥ 1.0, goal ≥
 *            1.5) and where the CPU went.
 *
 *   replay   bench/replay.ts (its own owner's section), run as a child with its output shown.
 *
 * Later sections register in SECTIONS.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadavg } from 'node:os';
import { generateFtrace, type GenResult } from './gen-ftrace.ts';
// @ts-expect-error plain JavaScript module without type declarations
import { ensureBundles } from '../src/runtime/bundle.mjs';

const OUT = join(import.meta.dirname, 'out');
/** Bump when generate() output changes, so cached traces are regenerated. */
const GEN_VERSION = 2;

interface Args {
  sizeMb: number;
  noise: number;
  trace: string | null;
  only: string | null;
  arrowCache: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sizeMb: 500, noise: 0, trace: null, only: null, arrowCache: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--size') a.sizeMb = Number(argv[++i]);
    else if (k === '--noise') a.noise = Number(argv[++i]);
    else if (k === '--trace') a.trace = argv[++i] ?? null;
    else if (k === '--only') a.only = argv[++i] ?? null;
    else if (k === '--no-arrow-cache') a.arrowCache = false;
    else throw new Error(`unknown argument ${k}; usage: npm run bench -- [--size MB] [--noise F] [--trace FILE] [--only import] [--no-arrow-cache]`);
  }
  if (!(a.sizeMb > 0)) throw new Error('--size expects megabytes > 0');
  if (!(a.noise >= 0 && a.noise <= 1)) throw new Error('--noise expects a fraction 0..1');
  if (a.trace !== null && !existsSync(a.trace)) throw new Error(`--trace ${a.trace}: no such file`);
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
const s2 = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');

/** The generated trace for these arguments (cached), with the generator's counts. */
function benchTrace(args: Args): { path: string; gen: GenResult | null } {
  if (args.trace !== null) return { path: args.trace, gen: null };
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `ftrace-kvm-mmio-v${GEN_VERSION}-${args.sizeMb}mb${args.noise > 0 ? `-noise${args.noise}` : ''}.log`);
  const metaPath = `${path}.json`;
  if (!existsSync(path) || !existsSync(metaPath)) {
    const t0 = performance.now();
    const g = generateFtrace({ path, bytes: args.sizeMb * 1e6, noise: args.noise });
    writeFileSync(metaPath, JSON.stringify(g));
    console.log(`generated ${path}: ${mb(g.bytes).toFixed(0)} MB, ${g.lines} lines, ${g.accesses} accesses (${g.reads} reads, ${g.writes} writes), ${g.vms} VMs / ${g.threads} vCPU threads in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return { path, gen: JSON.parse(readFileSync(metaPath, 'utf8')) as GenResult };
}

function importSection(args: Args): void {
  const { path: trace, gen } = benchTrace(args);
  mkdirSync(OUT, { recursive: true });
  const db = join(OUT, 'bench-import.duckdb');
  for (const p of [db, `${db}.wal`, `${db}.arrow`]) rmSync(p, { recursive: true, force: true });
  // Warm the page cache so both sides start from the same place.
  spawnSync('cat', [trace], { stdio: ['ignore', 'ignore', 'ignore'] });
  const load0 = loadavg()[0]!;

  const parseOnly = child('parse-child.ts', [trace]);
  const imp = child('import-child.ts', [trace, db, args.arrowCache ? 'arrow' : 'no-arrow']);
  const cliSeconds = cliImport(trace, db, args.arrowCache);
  const csv = join(OUT, 'bench-rows.csv');
  const csvDb = join(OUT, 'bench-csv.duckdb');
  const load = child('read-csv-child.ts', [db, csv, csvDb, 'schema']);
  const loadCodes = child('read-csv-child.ts', [db, csv, csvDb, 'codes']);
  rmSync(csv, { force: true });

  const bytes = statSync(trace).size;
  const rows = imp.rows!;
  const importRate = rows / imp.seconds!;
  const csvRate = load.rows! / load.seconds!;
  const ratio = importRate / csvRate;
  const codesRatio = importRate / (loadCodes.rows! / loadCodes.seconds!);
  console.log('\n== import (real import path, fresh file database) ==');
  console.log(`trace            ${basename(trace)}: ${mb(bytes).toFixed(0)} MB, ${imp.lines!.toLocaleString('en-US')} lines → ${rows.toLocaleString('en-US')} access rows (${(imp.lines! / rows).toFixed(2)} lines per row: a read is two kvm_mmio lines), arrow cache ${args.arrowCache ? 'on' : 'off'}`);
  console.log(`machine          ${loadavg().length ? `load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}` : ''} (other processes share the cores: compare CPU seconds, not only wall)`);
  console.log(`import           ${imp.seconds!.toFixed(2)} s  ${(mb(bytes) / imp.seconds!).toFixed(0)} MB/s  ${(importRate / 1e6).toFixed(2)} M rows/s  ${(imp.lines! / imp.seconds! / 1e6).toFixed(2)} M lines/s  CPU ${s2(imp.cpuMs!)}`);
  console.log(`parse only       ${parseOnly.seconds!.toFixed(2)} s  ${(mb(bytes) / parseOnly.seconds!).toFixed(0)} MB/s  (parser in its worker, batches discarded: the import's floor)`);
  console.log(`import peak RSS  ${mib(imp.maxRssKb!).toFixed(0)} MiB  (bar < 512 MiB)  database ${mb(imp.dbBytes!).toFixed(0)} MB`);
  const csvLine = (what: string, l: Record<string, number>) => console.log(`${what.padEnd(17)}${l.seconds!.toFixed(2)} s  ${(l.rows! / l.seconds! / 1e6).toFixed(2)} M rows/s  CPU ${s2(l.cpuMs!)}  (CSV ${mb(l.csvBytes!).toFixed(0)} MB, written in ${l.writeSeconds!.toFixed(2)} s, not counted)  peak RSS ${mib(l.maxRssKb!).toFixed(0)} MiB`);
  csvLine('read_csv', load);
  console.log('                 (the rows as the accesses schema defines them: vm, source, space, op as text)');
  csvLine('read_csv, codes', loadCodes);
  console.log('                 (stricter: every column an integer, strings as the dictionary codes abitrace stores)');
  console.log(`ratio            import rows/s ÷ read_csv rows/s = ${ratio.toFixed(2)}  (bar ≥ 1.0, goal ≥ 1.5) ${ratio >= 1.5 ? 'GOAL' : ratio >= 1 ? 'BAR' : 'BELOW BAR'}`);
  console.log(`ratio, codes     import rows/s ÷ read_csv rows/s of the integer-coded CSV = ${codesRatio.toFixed(2)}`);
  console.log(`abitrace import  ${cliSeconds.toFixed(2)} s  as a user runs it (\`abitrace import --quiet\`, process start-up and module loading included; both timings above exclude theirs)`);
  console.log('\n-- where the import\'s CPU went (thread CPU from /proc; the process ran on every core it could get) --');
  const line = (what: string, ms: number, note = '') => console.log(`  ${what.padEnd(34)} ${s2(ms).padStart(8)}  ${note}`);
  line('parse worker (read, tokenize, rows)', imp.parseWorkerMs!, `first batch after ${s2(imp.firstBatchMs!)} (worker start-up, overlapped with opening the database)`);
  line('  of which start-up (bundle load)', imp.parseWorkerBootMs!);
  line('  the parse alone, for comparison', parseOnly.inThreadParseMs!, `(same parser on one thread, same chunks: ${(mb(parseOnly.bytes!) / (parseOnly.inThreadParseMs! / 1000)).toFixed(0)} MB/s of CPU)`);
  line('hash worker (sha256 of the file)', imp.hashWorkerMs!);
  line('main: DuckDB append', imp.appendMs!, `${(rows / (imp.appendMs! / 1000) / 1e6).toFixed(1)} M rows/s of CPU`);
  line('main: Arrow cache write', imp.arrowMs!);
  line('main: everything else', imp.mainMs! - imp.appendMs! - imp.arrowMs!, `(open, schema, summary tables, COMMIT + checkpoint: ${s2(imp.commitMs!)} wall)`);
  line('other threads', imp.otherThreadsMs!, '(V8 compiler and GC helpers, libuv file reads, DuckDB, the tsx loader of this bench child)');
  line('total (user + system)', imp.cpuMs!, `= ${(imp.cpuMs! / 1000 / imp.seconds!).toFixed(2)} cores busy on average; read_csv: ${s2(load.cpuMs!)}, codes ${s2(loadCodes.cpuMs!)}`);
  if (gen && rows !== gen.accesses) console.log(`WARNING: imported ${rows} rows, generator wrote ${gen.accesses} accesses`);
}

/** Wall seconds of `abitrace import` run as a user runs it, into a fresh database. */
function cliImport(trace: string, db: string, arrowCache: boolean): number {
  for (const p of [db, `${db}.wal`, `${db}.arrow`]) rmSync(p, { recursive: true, force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '../src/cli/bin.mjs'), 'import', trace, '--db', db, '--quiet',
    ...(arrowCache ? [] : ['--no-arrow-cache'])], { stdio: ['ignore', 'ignore', 'inherit'] });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`abitrace import failed with status ${r.status}`);
  return seconds;
}

function replaySection(): void {
  console.log('\n== replay (bench/replay.ts) ==');
  // 20 M accesses, replayed 3 times: the first run (cold JIT) and the warm ones are both printed.
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'replay.ts'), '20000000', '3'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) console.log(`replay bench failed with status ${r.status}`);
}

const SECTIONS: Record<string, (a: Args) => void> = {
  import: importSection,
  replay: replaySection,
};

const args = parseArgs(process.argv.slice(2));
// the parse worker loads from a bundle: build it now if a source changed, not inside a timed import
await (ensureBundles as () => Promise<void>)();
for (const [name, run] of Object.entries(SECTIONS)) {
  if (args.only && args.only !== name) continue;
  run(args);
}
