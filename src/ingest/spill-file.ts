/**
 * An append-only file of int32 words, for parse state past its memory budget (a host trace's
 * millions of threads). The file is unlinked as soon as it is opened: it never outlives the
 * process, whatever ends it. Writes go through a buffer; a read of words still in the buffer is
 * served from it.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUFFER_WORDS = 1 << 18; // 1 MiB

// a parse that throws leaves its file to the garbage collector: the descriptor is closed then
const closer = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

export class SpillFile {
  private fd = -1;
  private readonly buf = new Int32Array(BUFFER_WORDS);
  private readonly bytes = new Uint8Array(this.buf.buffer);
  /** Words written to the file; the buffer holds the words from here on. */
  private flushed = 0;
  private buffered = 0;
  /** The file's directory when it could not be removed while open. */
  private openDir: string | null = null;

  /** dir: where the file goes (beside the database: a trace's spill can be GBs); default the OS's temp dir. */
  constructor(private readonly dir: string = tmpdir()) {}

  /** Words appended so far (the next append's offset). */
  get words(): number {
    return this.flushed + this.buffered;
  }

  /** Appends words [from, from + n) of `src`; returns their offset in words. */
  append(src: Int32Array, from: number, n: number): number {
    const at = this.words;
    if (this.buffered + n > BUFFER_WORDS) this.flush();
    if (n > BUFFER_WORDS) {
      // a whole run: straight from `src`
      this.writeAll(new Uint8Array(src.buffer, src.byteOffset + from * 4, n * 4));
      this.flushed += n;
      return at;
    }
    this.buf.set(src.subarray(from, from + n), this.buffered);
    this.buffered += n;
    return at;
  }

  /** Words [at, at + n) into `dst` from index `to`. */
  read(at: number, n: number, dst: Int32Array, to: number): void {
    if (at < this.flushed && at + n > this.flushed) this.flush(); // straddles the file's end and the buffer
    if (at >= this.flushed) {
      const o = at - this.flushed;
      dst.set(this.buf.subarray(o, o + n), to);
      return;
    }
    const view = new Uint8Array(dst.buffer, dst.byteOffset + to * 4, n * 4);
    let done = 0;
    while (done < view.length) {
      const r = readSync(this.fd, view, done, view.length - done, at * 4 + done);
      if (r === 0) throw new Error(`spill file: read past its end at word ${at}`);
      done += r;
    }
  }

  private flush(): void {
    if (this.buffered === 0) return;
    this.writeAll(this.bytes.subarray(0, this.buffered * 4));
    this.flushed += this.buffered;
    this.buffered = 0;
  }

  /** `bytes` at the file's end (word `flushed`). */
  private writeAll(bytes: Uint8Array): void {
    if (this.fd < 0) this.open();
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.flushed * 4 + done);
  }

  private open(): void {
    // a private directory: no other process can guess or replace the file
    const d = mkdtempSync(join(this.dir, '.abitrace-spill-'));
    const path = join(d, 'state');
    this.fd = openSync(path, 'w+', 0o600);
    closer.register(this, this.fd, this);
    try {
      unlinkSync(path);
      rmSync(d, { recursive: true, force: true });
    } catch {
      // a file system that cannot remove an open file (Windows): removed by close() instead
      this.openDir = d;
    }
  }

  close(): void {
    if (this.fd >= 0) {
      closer.unregister(this);
      closeSync(this.fd);
    }
    this.fd = -1;
    if (this.openDir !== null) rmSync(this.openDir, { recursive: true, force: true });
    this.openDir = null;
  }
}
