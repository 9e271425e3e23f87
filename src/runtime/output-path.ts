/**
 * Where an output file (`convert -o`, `generate -o`, `export -o`) is written. A regular file is
 * written under a temporary name beside it and renamed into place when complete, so a failed run
 * leaves nothing half-written; but a rename replaces what is at the path, so a device, FIFO or
 * `/dev/stdout` is written in place, and a symlink is followed to its target first. Bad paths
 * are E_OUTPUT_WRITE (exit 2) with the reason, never a stack trace.
 */
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AbitraceError, E } from '../errors.ts';

export interface OutputTarget {
  /** The path to open for writing. */
  write: string;
  /** Rename `write` to this when complete; null when written in place. */
  final: string | null;
}

/** The path a symlink chain ends at, whether or not that exists. */
function followLinks(path: string): string {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return p; // does not exist (yet)
    }
    if (!st.isSymbolicLink()) return p;
    try {
      return realpathSync(p);
    } catch {
      p = resolve(dirname(p), readlinkSync(p)); // dangling: the file it names gets created
    }
  }
  throw new AbitraceError(E.OUTPUT_WRITE, `cannot write ${path}: too many levels of symbolic links`);
}

/** Checks `path` can take a file and says how to write it. `what` names the output in errors. */
export function outputTarget(path: string, what = 'output'): OutputTarget {
  if (path === '') throw new AbitraceError(E.USAGE, `the ${what} path is empty`);
  let st = null;
  try {
    st = statSync(path); // through symlinks
  } catch {
    /* nothing there yet, or a dangling link */
  }
  if (st !== null) {
    if (st.isDirectory()) throw new AbitraceError(E.OUTPUT_WRITE, `cannot write ${path}: it is a directory (give a file name)`);
    // a device, FIFO or /dev/stdout (a link into /proc/self/fd): opened by the name given, in place
    if (!st.isFile()) return { write: path, final: null };
    const real = realpathSync(path);
    return { write: `${real}.tmp-${process.pid}`, final: real };
  }
  const target = followLinks(path);
  const dir = dirname(target);
  if (!existsSync(dir)) throw new AbitraceError(E.OUTPUT_WRITE, `cannot write ${path}: no directory ${dir}`);
  if (!statSync(dir).isDirectory()) throw new AbitraceError(E.OUTPUT_WRITE, `cannot write ${path}: ${dir} is not a directory`);
  return { write: `${target}.tmp-${process.pid}`, final: target };
}

const WRITE_CALLS = new Set(['write', 'open', 'close', 'rename', 'fsync', 'mkdir', 'unlink', 'rmdir', 'rm']);

/** A file-system error (ENOSPC, EACCES, ...) while writing an output, as E_OUTPUT_WRITE naming the path; others as they are. */
export function outputError(path: string, err: unknown): unknown {
  const sys = err as NodeJS.ErrnoException;
  if (err instanceof AbitraceError || !WRITE_CALLS.has(String(sys?.syscall))) return err;
  return new AbitraceError(E.OUTPUT_WRITE, `cannot write ${path}: ${sys.message}`);
}
