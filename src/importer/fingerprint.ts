/**
 * Duplicate detection without hashing every file twice. Identical content means identical size
 * AND identical first MiB, so a cheap pre-check (size + sha256 of the first MiB, both stored in
 * `imports`) decides: no stored import matches → certainly new, import it (the full sha256 is
 * computed while the file streams through the parser); a match → hash the whole file once now
 * and compare with the stored sha256. Only probable duplicates are read twice.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { AbitraceError, E } from '../errors.ts';

export const HEAD_BYTES = 1 << 20;

export interface HeadFingerprint {
  size: number;
  headSha256: string;
}

export function headFingerprint(path: string): HeadFingerprint {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new AbitraceError(E.FILE_READ, `${path}: cannot open: ${(err as Error).message}`);
  }
  try {
    const size = statSync(path).size;
    const buf = Buffer.allocUnsafe(Math.min(HEAD_BYTES, size));
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    return { size, headSha256: createHash('sha256').update(buf.subarray(0, off)).digest('hex') };
  } finally {
    closeSync(fd);
  }
}

export async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}
