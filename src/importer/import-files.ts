/**
 * The importer: for each file, duplicate pre-check, then ONE transaction in which the parser
 * (worker thread) feeds AccessBatches to the DuckDB appender and the Arrow cache, then the
 * layout is resolved and the summary tables are written, then COMMIT. A file that fails is
 * reported and rolled back; the others go on (unless strict). The database lock is held for the
 * whole run.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AbitraceError, E, interruption } from '../errors.ts';
import type { LayoutOverrides } from '../gic/layout.ts';
import { VmLayoutTable } from '../gic/vm-layout-table.ts';
import { dropWarmParseWorker, warmParseWorker } from '../ingest/parse-file.ts';
import type { ParseSummary, TraceFormat } from '../ingest/types.ts';
import { Database } from '../store/database.ts';
import { arrowDirFor } from '../store/arrow-cache.ts';
import { ImportWriter, type ImportWriterTiming } from '../store/import-writer.ts';
import type { ParseFileStats } from '../ingest/parse-file.ts';
import { ensureSchema } from '../store/schema.ts';
import { fileSha256, headFingerprint } from './fingerprint.ts';
import { ImportProgress } from './progress.ts';
import type { EarlyParse } from './early-parse.ts';
import { needsParseWorker, parseOptionsFor, startImport, type ImportStart } from './import-start.ts';
import { parseTraceFile, type BridgeProgress, type TraceParseFn } from './trace-parser-bridge.ts';

export interface ImportOptions {
  /** Database file (created when missing). */
  db: string;
  format?: TraceFormat | 'auto';
  /** `--vm`: label for rows whose trace has no tgid (default: the file's base name). */
  vm?: string;
  tgidMap?: ReadonlyMap<number, number>;
  layout?: LayoutOverrides;
  /** Stop at the first malformed line / failing file. */
  strict?: boolean;
  /** Import even when identical content was imported before. */
  force?: boolean;
  /** Keep `<db>.arrow/<import_id>.arrow` (default true). */
  arrowCache?: boolean;
  /** Progress line on stderr (the CLI passes `stderr.isTTY && !quiet`). */
  progress?: boolean;
  /** Called once per file as soon as its outcome is known (the CLI prints it). */
  onResult?: (r: FileImportResult) => void;
  /** Filled per imported file with where the time went (the benchmark prints it). */
  stats?: ImportStats[];
  /**
   * Aborting it (the CLI does on SIGINT/SIGTERM) stops the run: the parse in progress ends, its
   * file is rolled back like a failing one, nothing further is imported, and importFiles throws
   * E_INTERRUPTED (see `interruption()`) after the usual clean-up. Files committed before stay.
   */
  signal?: AbortSignal;
  /** VMs whose row stats are read at once at commit (tests shrink it; VM_STATS_RANGE). */
  vmStatsRange?: number;
}

/** Diagnostics of one file's import: wall ms per phase and CPU ms per thread and step. */
export interface ImportStats {
  path: string;
  /** Duplicate check, BEGIN and appender set-up. */
  beginMs: number;
  /** Parse with appends and Arrow writes running alongside. */
  parseMs: number;
  parse: ParseFileStats;
  writer: ImportWriterTiming;
}

export type FileImportResult =
  | { status: 'imported'; path: string; importId: number; summary: ParseSummary; vms: number; rows: number;
      arrowPath: string | null; seconds: number; sha256: string; platform: string | null }
  | { status: 'duplicate'; path: string; importId: number; sha256: string }
  /** A file found under a directory argument that is not a trace (README, notes): skipped, not a failure. */
  | { status: 'not-a-trace'; path: string; reason: AbitraceError }
  | { status: 'failed'; path: string; error: AbitraceError };

export interface ImportReport {
  results: FileImportResult[];
  imported: number;
  duplicates: number;
  notTraces: number;
  failed: number;
}

/**
 * Imports every file (directories expanded). Throws only for whole-run problems (DB open/lock,
 * strict, an abort of `options.signal`). `started`: what startImport() already began (the CLI
 * calls it before loading this module); otherwise it is called here.
 */
export async function importFiles(
  paths: readonly string[], options: ImportOptions, parse: TraceParseFn = parseTraceFile, started?: ImportStart,
): Promise<ImportReport> {
  // The first file's parse runs while the database opens (it waits for its sink in its own
  // bounded queue); so does the parse worker's start-up.
  const start = started ?? startImport(paths, options, parse);
  const items = start.items;
  let early = start.early;
  const signal = options.signal;
  if (signal?.aborted) {
    early?.cancel();
    dropWarmParseWorker();
    throw interruption(signal);
  }
  let db: Database;
  // a database this run creates and then imports nothing into is removed again: a failed first
  // import leaves no empty database for `stats` to report on
  const createdHere = options.db !== ':memory:' && !existsSync(options.db);
  try {
    db = await Database.open(options.db);
  } catch (err) {
    early?.cancel();
    dropWarmParseWorker();
    throw err;
  }
  const results: FileImportResult[] = [];
  /** Set when options.signal stopped the run: the file rolled back then, if one was in progress. */
  let interrupted: { rolledBack: string | null } | null = null;
  let dbRemoved = false;
  const report = (r: FileImportResult) => {
    results.push(r);
    options.onResult?.(r);
  };
  try {
    await ensureSchema(db);
    // The parse worker owns the second core: a second DuckDB thread only competes with it
    // (measured on 2 cores: 500 MB import 4.3 s with DuckDB's default 2 threads, 2.6 s with 1).
    await db.run('SET threads = 1');
    // The blocks an import writes stay in DuckDB's buffer pool (up to 80 % of RAM by default), so
    // the process grew ~75 MiB per GB of trace; with a cap they are dropped once on disk and the
    // import's peak RSS no longer depends on the input size.
    await db.run(`SET memory_limit = '${IMPORT_MEMORY_LIMIT}'`);
    const arrowDir = options.arrowCache === false ? null : arrowDirFor(db.path);
    if (arrowDir) removeStaleArrowFiles(arrowDir);
    if (items.length > 1 && parse === parseTraceFile && items.slice(1).some((i) => needsParseWorker(i.path))) warmParseWorker();
    for (const item of items) {
      if (signal?.aborted) {
        interrupted = { rolledBack: null };
        break;
      }
      let r: FileImportResult;
      if (item.error) r = { status: 'failed', path: item.path, error: item.error };
      else {
        const pre = early !== null && early.path === item.path ? early : null;
        early = null;
        r = await importOne(db, item.path, options, arrowDir !== null, parse, pre);
        if (r.status === 'failed' && r.error.code === E.INTERRUPTED) {
          // rolled back like any failing file, but the run ends here and it is not reported as failed
          interrupted = { rolledBack: item.path };
          break;
        }
        if (r.status === 'failed' && item.fromDirectory && NOT_A_TRACE.has(r.error.code)) {
          r = { status: 'not-a-trace', path: item.path, reason: r.error };
        }
      }
      report(r);
      if (r.status === 'failed' && options.strict) throw r.error;
    }
    // a signal during the last file's COMMIT: that file stays, and the run still ends as interrupted
    if (interrupted === null && signal?.aborted) interrupted = { rolledBack: null };
  } finally {
    early?.cancel();
    dropWarmParseWorker();
    db.close();
    if (createdHere && !results.some((r) => r.status === 'imported')) {
      for (const p of [options.db, `${options.db}.wal`]) rmSync(p, { force: true });
      const arrowDir = arrowDirFor(options.db);
      if (arrowDir && existsSync(arrowDir) && readdirSync(arrowDir).length === 0) rmSync(arrowDir, { recursive: true, force: true });
      dbRemoved = true;
    }
  }
  if (interrupted !== null) {
    const done: string[] = [];
    if (interrupted.rolledBack !== null) done.push(`${interrupted.rolledBack} rolled back`);
    const kept = results.filter((r) => r.status === 'imported').length;
    if (kept > 0) {
      done.push(`${kept} file${kept === 1 ? '' : 's'} imported ${interrupted.rolledBack !== null ? 'before it ' : ''}${kept === 1 ? 'stays' : 'stay'}`);
    }
    if (dbRemoved) done.push(`${options.db} removed`);
    throw interruption(signal!, done.join(', '));
  }
  return {
    results,
    imported: results.filter((r) => r.status === 'imported').length,
    duplicates: results.filter((r) => r.status === 'duplicate').length,
    notTraces: results.filter((r) => r.status === 'not-a-trace').length,
    failed: results.filter((r) => r.status === 'failed').length,
  };
}

/** DuckDB's buffer pool during an import (evictable: written blocks are re-read from the file). */
export const IMPORT_MEMORY_LIMIT = '64MB';

/** Errors that mean "this file is not a trace at all" rather than "this trace is broken". */
const NOT_A_TRACE: ReadonlySet<string> = new Set([E.FORMAT_UNKNOWN, E.BINARY_INPUT, E.EMPTY_INPUT]);

/** We hold the database lock, so every temporary Arrow file is from a killed or crashed run. */
export function removeStaleArrowFiles(arrowDir: string): void {
  let names: string[];
  try {
    names = readdirSync(arrowDir);
  } catch {
    return;
  }
  for (const n of names) if (/\.arrow\.tmp-\d+$/.test(n)) rmSync(join(arrowDir, n), { force: true });
}

function asAbitraceError(err: unknown, path: string): AbitraceError {
  if (err instanceof AbitraceError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return new AbitraceError(E.FILE_NOT_FOUND, `${path}: ${e.message}`);
  if (e?.code) return new AbitraceError(E.FILE_READ, `${path}: ${e.message}`);
  return new AbitraceError(E.FILE_READ, `${path}: ${e?.message ?? String(err)}`);
}

async function findDuplicate(db: Database, path: string, size: number, headSha256: string): Promise<{ importId: number; sha256: string } | null> {
  const candidates = await db.readObjects<{ import_id: number; sha256: string }>(
    `SELECT import_id, sha256 FROM imports WHERE bytes = $1::BIGINT AND head_sha256 = $2 ORDER BY import_id`, [size, headSha256]);
  if (candidates.length === 0) return null;
  const sha = await fileSha256(path);
  const hit = candidates.find((c) => c.sha256 === sha);
  return hit ? { importId: hit.import_id, sha256: sha } : null;
}

async function importOne(
  db: Database, path: string, options: ImportOptions, arrowCache: boolean, parse: TraceParseFn, early: EarlyParse | null,
): Promise<FileImportResult> {
  const started = new Date();
  const t0 = performance.now();
  let writer: ImportWriter | null = null;
  const progress = new ImportProgress(basename(path), options.progress ?? false);
  try {
    const head = headFingerprint(path);
    if (!options.force) {
      const dup = await findDuplicate(db, path, head.size, head.headSha256);
      if (dup) {
        early?.cancel();
        return { status: 'duplicate', path, importId: dup.importId, sha256: dup.sha256 };
      }
    }
    options.signal?.throwIfAborted();
    writer = await ImportWriter.begin(db, arrowCache, path, options.vmStatsRange);
    const parseOptions = early?.options ?? parseOptionsFor(path, options);
    const stats: ImportStats | null = options.stats
      ? { path, beginMs: performance.now() - t0, parseMs: 0, parse: parseOptions.stats ?? { maxQueuedBatches: 0 }, writer: { appendCpuMs: 0, arrowCpuMs: 0, commitMs: 0 } }
      : null;
    if (stats) writer.timing = stats.writer;
    const tParse = early?.startedAt ?? performance.now();
    const onProgress = (p: BridgeProgress) => progress.update({ ...p, totalBytes: p.totalBytes ?? head.size });
    const parsed = early !== null ? await early.attach(writer.sink, onProgress) : await parse(path, parseOptions, writer.sink, onProgress);
    if (stats) {
      stats.parseMs = performance.now() - tParse;
      options.stats!.push(stats);
    }
    progress.done();
    // an in-thread parse (a small file) does not watch the signal; it must not be committed either
    options.signal?.throwIfAborted();
    const summary = parsed.summary;
    if (summary.lines === 0 && summary.accesses === 0) {
      throw new AbitraceError(E.EMPTY_INPUT, `${path}: no trace lines`);
    }
    // Not one event read, and malformed lines: the wrong --format (or not a trace). Refused rather
    // than stored as an empty import, which would then block the corrected one as a duplicate.
    const malformed = summary.issues.find((t) => t.kind === 'malformed_line');
    if (malformed && summary.accesses === 0 && summary.otherEvents === 0 && summary.irqEvents === 0) {
      const first = malformed.samples[0];
      throw new AbitraceError(E.FORMAT_UNKNOWN, `${path}: no line read as ${summary.variant ?? summary.format}: ${malformed.count} malformed`
        + `${first ? ` (first at line ${first.line}: ${first.text.slice(0, 80)})` : ''}; ${options.format && options.format !== 'auto'
          ? `is --format ${options.format} right? (--format auto sniffs it)` : 'pass --format if the format was guessed wrong'}`);
    }
    const layouts = summary.layouts !== undefined ? VmLayoutTable.fromParts(summary.layouts)
      : VmLayoutTable.resolve(summary, summary.vms.length, (code) => summary.vms.at(code)!, options.layout ?? {});
    delete summary.layouts;
    // resolved: the evidence is not kept for the commit
    summary.layout = [];
    summary.layoutPages = new Float64Array(0);
    delete summary.layoutIdReads;
    delete summary.layoutIcc;
    delete summary.layoutV2;
    const sha256 = parsed.sha256 ?? (await fileSha256(path));
    const rows = writer.rows;
    const done = await writer.commit(summary, layouts, { path, sha256, headSha256: head.headSha256, bytes: head.size, startedAt: started });
    return {
      status: 'imported', path, importId: done.importId, summary, vms: done.vms, rows, arrowPath: done.arrowPath,
      seconds: (performance.now() - t0) / 1000, sha256, platform: done.platform,
    };
  } catch (err) {
    early?.cancel();
    progress.done();
    if (writer) await writer.rollback();
    // whatever the parse rejected with when the signal ended it, the file was interrupted
    if (options.signal?.aborted) return { status: 'failed', path, error: interruption(options.signal) };
    return { status: 'failed', path, error: asAbitraceError(err, path) };
  }
}
