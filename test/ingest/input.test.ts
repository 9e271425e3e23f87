/** Opening inputs: compression, hashing and the clear errors for unusable files. */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { openTraceInput } from '../../src/ingest/input.ts';
import { parseFile } from '../../src/ingest/parse-file.ts';
import { hasZstd, tempDir } from './helpers/fixtures.ts';
import { CollectingSink } from './helpers/render.ts';
import { rejectionOf } from '../helpers/errors.ts';

const DIR = join(import.meta.dirname, '../fixtures/ingest');
const plain = readFileSync(join(DIR, 'ftrace-tgid.txt'));

async function readAll(path: string): Promise<{ data: Buffer; sha: string; raw: number; compression: string }> {
  const input = await openTraceInput(path);
  const parts: Buffer[] = [];
  for await (const c of input.chunks()) parts.push(c);
  return { data: Buffer.concat(parts), sha: input.sha256(), raw: input.rawBytesRead, compression: input.compression };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('openTraceInput', () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it('streams plain text and hashes the raw bytes', async () => {
    const r = await readAll(join(DIR, 'ftrace-tgid.txt'));
    expect(r).toEqual({ data: plain, sha: sha(plain), raw: plain.length, compression: 'none' });
  });

  it('decompresses gzip (magic, not extension) and hashes the compressed bytes', async () => {
    const gz = readFileSync(join(DIR, 'ftrace-tgid-compressed.txt.gz'));
    const dir = tempDir();
    const renamed = join(dir, 'capture.log'); // no .gz suffix: the magic decides
    writeFileSync(renamed, gz);
    const r = await readAll(renamed);
    expect(r).toEqual({ data: plain, sha: sha(gz), raw: gz.length, compression: 'gzip' });
  });

  it('decompresses a multi-member gzip larger than the sniff window', async () => {
    const big = Buffer.concat(Array.from({ length: 200 }, () => plain));
    const dir = tempDir();
    const f = join(dir, 'big.gz');
    writeFileSync(f, Buffer.concat([gzipSync(big.subarray(0, 100000)), gzipSync(big.subarray(100000))]));
    expect((await readAll(f)).data.equals(big)).toBe(true);
  });

  it.skipIf(!hasZstd())('decompresses zstd through the zstd program', async () => {
    const zst = readFileSync(join(DIR, 'ftrace-tgid-compressed.txt.zst'));
    const r = await readAll(join(DIR, 'ftrace-tgid-compressed.txt.zst'));
    expect(r).toEqual({ data: plain, sha: sha(zst), raw: zst.length, compression: 'zstd' });
  });

  it('E_ZSTD_MISSING when zstd is not on PATH', async () => {
    process.env.PATH = tempDir();
    const err = await rejectionOf(openTraceInput(join(DIR, 'ftrace-tgid-compressed.txt.zst')));
    expect(err.code).toBe('E_ZSTD_MISSING');
    expect(err.message).toContain('ftrace-tgid-compressed.txt.zst');
    expect(err.message).toContain('zstd');
  });

  it('E_FILE_NOT_FOUND names the path', async () => {
    const err = await rejectionOf(openTraceInput('/nonexistent/dir/host.trace'));
    expect(err.code).toBe('E_FILE_NOT_FOUND');
    expect(err.message).toContain('/nonexistent/dir/host.trace');
  });

  it('E_EMPTY_INPUT for an empty file and for a gzip of nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'empty.trace'), '');
    writeFileSync(join(dir, 'empty.gz'), gzipSync(Buffer.alloc(0)));
    expect((await rejectionOf(openTraceInput(join(dir, 'empty.trace')))).code).toBe('E_EMPTY_INPUT');
    expect((await rejectionOf(openTraceInput(join(dir, 'empty.gz')))).code).toBe('E_EMPTY_INPUT');
  });

  it('E_BINARY_INPUT for binary data, with a hint for trace-cmd .dat files', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'blob.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 0]));
    writeFileSync(join(dir, 'trace.dat'), Buffer.concat([Buffer.from([0x17, 0x08, 0x44]), Buffer.from('tracing6\0\0\0')]));
    const a = await rejectionOf(openTraceInput(join(dir, 'blob.bin')));
    expect(a.code).toBe('E_BINARY_INPUT');
    expect(a.message).toContain('blob.bin');
    const b = await rejectionOf(openTraceInput(join(dir, 'trace.dat')));
    expect(b.code).toBe('E_BINARY_INPUT');
    expect(b.message).toContain('trace-cmd report');
    writeFileSync(join(dir, 'capture.xz'), Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(64, 1)]));
    expect((await rejectionOf(openTraceInput(join(dir, 'capture.xz')))).message).toContain('xz-compressed');
  });

  it('E_TRUNCATED_INPUT for a gzip cut short, in the sniff window and after it', async () => {
    const dir = tempDir();
    const small = gzipSync(plain);
    writeFileSync(join(dir, 'small.gz'), small.subarray(0, small.length - 12));
    const bigText = Buffer.concat(Array.from({ length: 2000 }, (_, i) => Buffer.from(`${plain.toString()}# ${i}\n`)));
    const big = gzipSync(bigText);
    writeFileSync(join(dir, 'big.gz'), big.subarray(0, Math.floor(big.length * 0.7)));
    for (const f of ['small.gz', 'big.gz']) {
      const err = await rejectionOf(readAll(join(dir, f)));
      expect(err.code).toBe('E_TRUNCATED_INPUT');
      expect(err.message).toContain(f);
      expect(err.message).toContain('gzip');
    }
  });

  it.skipIf(!hasZstd())('E_TRUNCATED_INPUT for a zstd file cut short', async () => {
    const dir = tempDir();
    const zst = readFileSync(join(DIR, 'ftrace-tgid-compressed.txt.zst'));
    writeFileSync(join(dir, 'cut.zst'), zst.subarray(0, zst.length - 20));
    const err = await rejectionOf(readAll(join(dir, 'cut.zst')));
    expect(err.code).toBe('E_TRUNCATED_INPUT');
    expect(err.message).toContain('cut.zst');
    expect(err.message).toContain('zstd');
  });

  it('a directory is E_FILE_READ, not a regular file (the importer expands directories before this)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    expect((await rejectionOf(openTraceInput(join(dir, 'sub')))).code).toBe('E_FILE_READ');
  });
});

describe('parseFile errors', () => {
  it('E_FORMAT_UNKNOWN quotes the first line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'hello there\nsecond line\n');
    const err = await rejectionOf(parseFile(join(dir, 'notes.txt'), { path: 'notes.txt', fallbackVm: 'x', strict: false }, new CollectingSink(), { worker: false }));
    expect(err.code).toBe('E_FORMAT_UNKNOWN');
    expect(err.message).toContain('"hello there"');
  });
});
