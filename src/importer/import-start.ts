/**
 * The part of an import that needs no database: which files, what the parser is told about each,
 * and the first file's parse started at once (EarlyParse). Kept apart from import-files.ts, which
 * loads DuckDB and Arrow (~0.4 s of module start-up in a fresh process): the CLI starts the parse
 * first, then loads those, so the parse worker runs while they load and the database opens.
 */
import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { AUTO_WORKER_MIN_BYTES, warmParseWorker } from '../ingest/parse-file.ts';
import { readTgidMapFile } from '../ingest/tgid-map.ts';
import { EarlyParse } from './early-parse.ts';
import { expandPaths, sideTgidMapFor, type ExpandedPath } from './expand-paths.ts';
import type { ImportOptions } from './import-files.ts';
import { parseTraceFile, type BridgeParseOptions, type TraceParseFn } from './trace-parser-bridge.ts';

export interface ImportStart {
  /** The files to import, in order (directories expanded, the database's own files left out). */
  items: ExpandedPath[];
  /** The first file's parse, already running; null when it is small or not parsed by parseTraceFile. */
  early: EarlyParse | null;
}

/** Expands the paths and starts what can start before the database is open. */
export function startImport(paths: readonly string[], options: ImportOptions, parse: TraceParseFn = parseTraceFile): ImportStart {
  const dbPath = options.db === ':memory:' ? options.db : resolve(options.db);
  const excluded = dbPath === ':memory:' ? [] : [dbPath, `${dbPath}.wal`, `${dbPath}.arrow`];
  const items = expandPaths(paths, excluded);
  let early: EarlyParse | null = null;
  if (parse === parseTraceFile) {
    const first = items[0];
    if (first !== undefined && first.error === undefined && needsParseWorker(first.path)) {
      early = new EarlyParse(parse, first.path, parseOptionsFor(first.path, options));
    } else if (items.some((i) => needsParseWorker(i.path))) {
      warmParseWorker(); // its start-up overlaps opening the database
    }
  }
  return { items, early };
}

/** What the parser is told about a file (the same whether its parse starts early or not). */
export function parseOptionsFor(path: string, options: ImportOptions): BridgeParseOptions {
  // trace-cmd and tgid-less ftrace cannot separate VMs on their own: use the map written beside the trace.
  const sideMap = options.tgidMap === undefined ? sideTgidMapFor(path) : null;
  return {
    format: options.format ?? 'auto',
    fallbackVm: options.vm ?? basename(path).replace(/\.(gz|zst)$/, ''),
    tgidMap: options.tgidMap ?? (sideMap ? readTgidMapFile(sideMap) : undefined),
    strict: options.strict ?? false,
    // spilled parse state sits beside the database, like DuckDB's own temp files (not a tmpfs /tmp)
    ...(options.db !== ':memory:' ? { spillDir: dirname(resolve(options.db)) } : {}),
    // layouts are resolved where the evidence is, as it streams from the spill files
    resolveLayouts: options.layout ?? {},
    ...(options.stats ? { stats: { maxQueuedBatches: 0 } } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** A directory, or a file large enough for parseFile's 'auto' to use its worker. */
export function needsParseWorker(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isDirectory() || st.size >= AUTO_WORKER_MIN_BYTES;
  } catch {
    return false;
  }
}
