/**
 * Opens a trace file and streams its decompressed bytes: plain text, gzip (zlib on the libuv pool,
 * so it overlaps parsing), or zstd through a `zstd -dc` child process (Node 20's zlib has no zstd).
 * The sha256 and byte count are of the RAW file bytes as they stream. The first 64 KiB after
 * decompression are checked for binary content before any parsing.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { AbitraceError, E } from '../errors.ts';

export type Compression = 'none' | 'gzip' | 'zstd';

export const HEAD_BYTES = 64 * 1024;
const READ_CHUNK = 1 << 20;

export interface TraceInput {
  readonly path: string;
  readonly compression: Compression;
  /** Size of the file on disk. */
  readonly totalBytes: number;
  /** Raw (compressed) bytes read so far. */
  readonly rawBytesRead: number;
  /** The first decompressed bytes (up to 64 KiB), already checked for binary content. */
  readonly head: Buffer;
  /** Decompressed chunks, starting with `head`. Iterate once. */
  chunks(): AsyncGenerator<Buffer>;
  /** sha256 (hex) of the raw file; valid after `chunks()` is exhausted ('' with `onRawChunk`). */
  sha256(): string;
  /** Stops reading early (on a downstream error). */
  close(): void;
}

function magicOf(b: Buffer): Compression {
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.length >= 4 && b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return 'zstd';
  return 'none';
}

/** Recognisable binary captures, so the error can say what to run instead. */
function binaryHint(head: Buffer): string {
  if (head.length >= 10 && head[0] === 0x17 && head[1] === 0x08 && head[2] === 0x44 && head.toString('latin1', 3, 10) === 'tracing') {
    return ' This is a trace-cmd trace.dat file: convert it with `trace-cmd report -i FILE > FILE.txt`.';
  }
  if (head.toString('latin1', 0, 8) === 'PERFILE2') {
    return ' This is a perf.data file: convert it with `perf script -F comm,pid,tid,cpu,time,event,trace -i FILE > FILE.txt`.';
  }
  if (head.length >= 6 && head.toString('latin1', 0, 6) === '\xfd7zXZ\x00') return ' It looks xz-compressed: decompress it first (xz -d), or recompress with gzip or zstd.';
  if (head.toString('latin1', 0, 3) === 'BZh') return ' It looks bzip2-compressed: decompress it first (bunzip2), or recompress with gzip or zstd.';
  return '';
}

/** NUL bytes, or more than 10% control bytes other than TAB/LF/CR/FF/VT/ESC. */
export function looksBinary(head: Buffer): boolean {
  let ctl = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head[i]!;
    if (c === 0) return true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 11 && c !== 27) || c === 127) ctl++;
  }
  return ctl * 10 > head.length;
}

function truncatedError(path: string, compression: Compression, detail: string): AbitraceError {
  const what = compression === 'gzip' ? 'gzip' : 'zstd';
  return new AbitraceError(
    E.TRUNCATED_INPUT,
    `${path}: truncated or corrupt ${what} data (${detail}); expected a complete ${what} stream — was the file cut short while copying?`,
  );
}

async function statInput(path: string): Promise<number> {
  try {
    const st = await fsp.stat(path);
    if (st.isDirectory()) throw new AbitraceError(E.FILE_READ, `${path}: is a directory; expected a trace file`);
    return st.size;
  } catch (err) {
    if (err instanceof AbitraceError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new AbitraceError(E.FILE_NOT_FOUND, `${path}: no such file; expected a trace file (text, .gz or .zst)`);
    throw new AbitraceError(E.FILE_NOT_FOUND, `${path}: cannot open (${e.code ?? e.message})`);
  }
}

async function readMagic(path: string): Promise<Buffer> {
  const fh = await fsp.open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function startZstd(path: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new AbitraceError(E.ZSTD_MISSING, `${path}: is zstd-compressed but the \`zstd\` program is not on PATH; install it (apt-get install zstd) or decompress the file first`)
          : err,
      );
    });
  });
  return child;
}

/**
 * Read buffers of a plain file, handed back once their chunk is hashed, so reading does not
 * allocate (and fault in) a fresh MiB per chunk: that costs the kernel about as much CPU as the
 * read itself.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];
  constructor(private readonly max = 32) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK);
  }

  /** A buffer from take() (any view of it) that nothing uses any more. */
  give(b: Uint8Array): void {
    if (b.buffer.byteLength !== READ_CHUNK || this.free.length >= this.max) return;
    this.free.push(Buffer.from(b.buffer, 0, READ_CHUNK));
  }
}

/** Reads a plain file sequentially into pooled buffers (the libuv pool does the read). */
class PlainReader {
  private done = false;
  private constructor(private readonly fh: fsp.FileHandle, private readonly pool: ChunkPool) {}

  static async open(path: string, pool: ChunkPool): Promise<PlainReader> {
    return new PlainReader(await fsp.open(path, 'r'), pool);
  }

  async read(): Promise<Buffer | null> {
    if (this.done) return null;
    const buf = this.pool.take();
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, null);
    if (bytesRead === 0) {
      this.pool.give(buf);
      this.close();
      return null;
    }
    return bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    void this.fh.close().catch(() => {});
  }
}

export interface OpenTraceOptions {
  /**
   * Receives every raw (compressed) chunk, in file order, instead of hashing it here, e.g. to
   * hash on another thread: sha256 of a plain-text GB file costs about a third of the parse.
   * `owned` true: nothing here uses the chunk again (a plain file's chunk is passed once the
   * consumer has parsed it), so its memory may be transferred; false: valid during the call only.
   */
  onRawChunk?: (chunk: Buffer, owned: boolean) => void;
  /** Where a plain file's read buffers come from; give() them back once hashed. */
  chunkPool?: ChunkPool;
}

/** Where decompressed chunks come from, for assembleInput. */
interface ChunkSource {
  /** The next decompressed chunk, null at the end. */
  next(): Promise<Buffer | null>;
  /** Stops reading early. */
  close(): void;
  /** Settles once the raw file has been read to its end. */
  ended: Promise<void>;
  /** After the last chunk: throws when the decompressor reported an error. */
  check(): Promise<void>;
  rawBytesRead(): number;
  /** Plain files: hashes a chunk once the consumer is done with it (it can then be moved). */
  afterUse: ((b: Buffer) => void) | null;
}

/** Opens `path` and reads its first 64 KiB (decompressed). Throws AbitraceError for unusable input. */
export async function openTraceInput(path: string, options: OpenTraceOptions = {}): Promise<TraceInput> {
  const totalBytes = await statInput(path);
  if (totalBytes === 0) throw new AbitraceError(E.EMPTY_INPUT, `${path}: file is empty; expected trace text`);
  const compression = magicOf(await readMagic(path));
  const hash = createHash('sha256');
  const onRaw = options.onRawChunk;
  const pool = options.chunkPool ?? new ChunkPool(4);
  const hashRaw = (b: Buffer, owned: boolean): void => {
    if (onRaw) onRaw(b, owned);
    else {
      hash.update(b);
      if (owned) pool.give(b);
    }
  };
  let digest: string | undefined;
  const sha256 = (): string => (onRaw ? '' : (digest ??= hash.digest('hex')));
  const src = compression === 'none' ? await plainSource(path, pool, hashRaw) : await compressedSource(path, compression, hashRaw);
  return assembleInput(path, compression, totalBytes, src, sha256);
}

async function plainSource(path: string, pool: ChunkPool, hashRaw: (b: Buffer, owned: boolean) => void): Promise<ChunkSource> {
  const reader = await PlainReader.open(path, pool);
  let bytes = 0;
  // One read ahead: the next chunk is read (on the libuv pool) while the consumer parses this
  // one; awaiting each read in turn left the parse thread idle for ~15 % of a large import.
  let ahead: Promise<Buffer | null> | null = null;
  const readNext = (): Promise<Buffer | null> => {
    const p = reader.read();
    p.catch(() => {}); // observed when awaited; do not report it as unhandled meanwhile
    return p;
  };
  return {
    async next() {
      const b = await (ahead ?? readNext());
      ahead = b === null ? null : readNext();
      if (b !== null) bytes += b.length;
      return b;
    },
    close: () => reader.close(),
    ended: Promise.resolve(),
    check: async () => {},
    rawBytesRead: () => bytes,
    afterUse: (b) => hashRaw(b, true),
  };
}

async function compressedSource(path: string, compression: Compression, hashRaw: (b: Buffer, owned: boolean) => void): Promise<ChunkSource> {
  let rawBytesRead = 0;
  const raw = createReadStream(path, { highWaterMark: READ_CHUNK });
  const rawEnded = new Promise<void>((resolve) => raw.once('close', () => resolve()));
  // hash the raw side of the pipe
  raw.on('data', (b) => {
    hashRaw(b as Buffer, false);
    rawBytesRead += (b as Buffer).length;
  });

  let stream: NodeJS.ReadableStream;
  let child: ChildProcessWithoutNullStreams | null = null;
  let childDone: Promise<{ code: number | null; stderr: string }> | null = null;
  if (compression === 'gzip') {
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    raw.on('error', (err) => gunzip.destroy(err));
    raw.pipe(gunzip);
    stream = gunzip;
  } else {
    raw.pause();
    let c: ChildProcessWithoutNullStreams;
    try {
      c = await startZstd(path);
    } catch (err) {
      raw.destroy();
      throw err;
    }
    child = c;
    let stderr = '';
    c.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString();
    });
    childDone = new Promise((resolve) => c.once('close', (code) => resolve({ code, stderr })));
    c.stdin.on('error', () => {}); // EPIPE when zstd exits on corrupt input; reported via its exit code
    raw.on('error', (err) => c.stdout.destroy(err));
    raw.pipe(c.stdin);
    stream = c.stdout;
  }

  const iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const translate = (err: unknown): unknown => {
    const e = err as NodeJS.ErrnoException;
    if (compression === 'gzip' && (e.code === 'Z_BUF_ERROR' || e.code === 'Z_DATA_ERROR' || e.code === 'ERR_STREAM_PREMATURE_CLOSE')) {
      return truncatedError(path, compression, e.message);
    }
    return err;
  };
  return {
    async next() {
      try {
        const r = await iterator.next();
        return r.done ? null : r.value;
      } catch (err) {
        throw translate(err);
      }
    },
    close: () => {
      raw.destroy();
      child?.kill();
    },
    ended: rawEnded,
    check: async () => {
      if (childDone === null) return;
      const { code, stderr } = await childDone;
      if (code !== 0) throw truncatedError(path, compression, stderr.trim().split('\n').pop() || `zstd exited with ${code}`);
    },
    rawBytesRead: () => rawBytesRead,
    afterUse: null,
  };
}

/** Reads and checks the head (first 64 KiB decompressed), then hands out the rest as chunks. */
async function assembleInput(path: string, compression: Compression, totalBytes: number, src: ChunkSource, sha256: () => string): Promise<TraceInput> {
  const headParts: Buffer[] = [];
  let headLen = 0;
  let ended = false;
  try {
    while (headLen < HEAD_BYTES) {
      const b = await src.next();
      if (b === null) {
        ended = true;
        break;
      }
      headParts.push(b);
      headLen += b.length;
    }
  } catch (err) {
    src.close();
    throw err;
  }
  const head = Buffer.concat(headParts, headLen);
  // `head` is a copy: the plain parts are hashed now and not used again
  if (src.afterUse) for (const b of headParts) src.afterUse(b);
  headParts.length = 0;
  if (ended) await src.check().catch((e) => { src.close(); throw e; });
  if (headLen === 0) {
    src.close();
    throw new AbitraceError(E.EMPTY_INPUT, `${path}: no data after ${compression === 'none' ? 'reading' : 'decompression'}; expected trace text`);
  }
  const sniffPart = head.subarray(0, HEAD_BYTES);
  if (looksBinary(sniffPart)) {
    src.close();
    throw new AbitraceError(
      E.BINARY_INPUT,
      `${path}: binary data in the first ${Math.min(headLen, HEAD_BYTES)} bytes${compression === 'none' ? '' : ' after decompression'}; expected trace text.${binaryHint(sniffPart)}`,
    );
  }

  let consumed = false;
  return {
    path,
    compression,
    totalBytes,
    get rawBytesRead() {
      return src.rawBytesRead();
    },
    head,
    async *chunks() {
      if (consumed) throw new Error('TraceInput.chunks() may only be iterated once');
      consumed = true;
      try {
        yield head;
        if (ended) await src.ended;
        else {
          for (;;) {
            const b = await src.next();
            if (b === null) break;
            yield b;
            // the consumer has parsed b: hash it only now, so it can be handed over without a copy
            src.afterUse?.(b);
          }
          await src.check();
          await src.ended;
        }
      } finally {
        src.close();
      }
    },
    sha256,
    close: () => src.close(),
  };
}
