/**
 * Thread → process side maps for traces without a tgid column (`--tgid-map FILE`):
 *
 *   saved_tgids (tracefs):        "<tid> <tgid>" per line
 *   ps -eLo pid,tid,comm (or lwp/spid): a header naming PID and LWP|TID|SPID, then one row per thread
 *
 * Blank lines and `#` comments are ignored; other lines that do not parse are reported.
 */
import { readFileSync } from 'node:fs';
import { AbitraceError, E } from '../errors.ts';

export interface TgidMapResult {
  map: Map<number, number>;
  /** 1-based line numbers that could not be read. */
  badLines: number[];
}

const TID_HEADERS = new Set(['LWP', 'TID', 'SPID']);

export function parseTgidMap(text: string): TgidMapResult {
  const map = new Map<number, number>();
  const badLines: number[] = [];
  // saved_tgids is "<tid> <tgid>"; a ps header tells which columns hold the process and the thread
  let tgidCol = 1;
  let tidCol = 0;
  let sawHeader = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cols = line.split(/\s+/);
    if (!sawHeader && map.size === 0 && !/^\d+$/.test(cols[0]!)) {
      const upper = cols.map((c) => c.toUpperCase());
      const p = upper.indexOf('PID');
      const t = upper.findIndex((c) => TID_HEADERS.has(c));
      if (p >= 0 && t >= 0) {
        tgidCol = p;
        tidCol = t;
        sawHeader = true;
        continue;
      }
    }
    const tidText = cols[tidCol];
    const tgidText = cols[tgidCol];
    if (tidText === undefined || tgidText === undefined || !/^\d+$/.test(tidText) || !/^\d+$/.test(tgidText)) {
      badLines.push(i + 1);
      continue;
    }
    map.set(Number(tidText), Number(tgidText));
  }
  return { map, badLines };
}

/** Reads and parses a side-map file; an unreadable file or one with no mapping is an error. */
export function readTgidMapFile(path: string): Map<number, number> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new AbitraceError(E.FILE_NOT_FOUND, `${path}: tgid map not found`);
    throw new AbitraceError(E.FILE_NOT_FOUND, `${path}: cannot read tgid map (${e.code ?? e.message})`);
  }
  const { map, badLines } = parseTgidMap(text);
  if (map.size === 0) {
    throw new AbitraceError(
      E.FORMAT_UNKNOWN,
      `${path}: no thread→process pairs found; expected saved_tgids lines "<tid> <tgid>" or "ps -eLo pid,tid,comm" output` +
        (badLines.length ? ` (first unreadable line ${badLines[0]})` : ''),
    );
  }
  return map;
}
