/**
 * `import <file|dir>...` arguments → the list of files to import: files as given, directories
 * walked recursively (symlinked directories are not followed), every regular file in sorted
 * order. The database's own files (the .duckdb, its .wal and the .arrow cache directory) are
 * left out so `abitrace import .` does not try to import them.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AbitraceError, E } from '../errors.ts';

export interface ExpandedPath {
  path: string;
  /** Found by walking a directory (not named by the user): a non-trace file there is skipped, not an error. */
  fromDirectory: boolean;
  /** Set when the argument could not be used (missing, unreadable, not a file). */
  error?: AbitraceError;
}

export function expandPaths(args: readonly string[], excluded: readonly string[] = []): ExpandedPath[] {
  const skip = new Set(excluded.map((p) => resolve(p)));
  const out: ExpandedPath[] = [];
  for (const arg of args) {
    let st;
    try {
      st = statSync(arg);
    } catch {
      out.push({ path: arg, fromDirectory: false, error: new AbitraceError(E.FILE_NOT_FOUND, `${arg}: no such file or directory`) });
      continue;
    }
    if (st.isDirectory()) {
      const files: string[] = [];
      walk(arg, files, skip);
      files.sort();
      if (files.length === 0) out.push({ path: arg, fromDirectory: false, error: new AbitraceError(E.EMPTY_INPUT, `${arg}: directory holds no files`) });
      for (const f of files) out.push({ path: f, fromDirectory: true });
    } else if (st.isFile()) {
      if (!skip.has(resolve(arg))) out.push({ path: arg, fromDirectory: false });
    } else {
      out.push({ path: arg, fromDirectory: false, error: new AbitraceError(E.FILE_READ, `${arg}: not a regular file or directory`) });
    }
  }
  return out;
}

function walk(dir: string, files: string[], skip: ReadonlySet<string>): void {
  if (skip.has(resolve(dir))) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (skip.has(resolve(p))) continue;
    if (isSideFile(e.name)) continue;
    if (e.isDirectory()) walk(p, files, skip);
    else if (e.isFile()) files.push(p);
    else if (e.isSymbolicLink()) {
      try {
        if (statSync(p).isFile()) files.push(p);
      } catch {
        /* dangling link: nothing to import */
      }
    }
  }
}

/** Thread→process maps that travel beside a trace (`<trace>.tgids`, `saved_tgids`): inputs of their trace, not traces. */
export function isSideFile(name: string): boolean {
  return name.endsWith('.tgids') || name === 'saved_tgids';
}

/** The side map written next to a trace (`trace.txt.gz` → `trace.txt.gz.tgids` or `trace.txt.tgids`), if any. */
export function sideTgidMapFor(path: string): string | null {
  for (const candidate of [`${path}.tgids`, `${path.replace(/\.(gz|zst)$/, '')}.tgids`]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* absent */
    }
  }
  return null;
}
