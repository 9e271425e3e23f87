/**
 * Append-only ASCII line builder over a reusable Buffer. Formatters write numbers digit by digit
 * (no per-line strings, no BigInt); the generator hands full chunks to the output stream and
 * waits for 'drain', so memory stays constant however large the trace.
 */
import type { Writable } from 'node:stream';

const HEX = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);
const CHUNK = 256 * 1024;
const SLACK = 8 * 1024; // one line never exceeds this

export class ByteWriter {
  buf: Buffer = Buffer.allocUnsafe(CHUNK + SLACK);
  pos = 0;
  /** Bytes handed to the stream so far. */
  written = 0;
  private readonly digits = new Uint8Array(24);

  constructor(private readonly out: Writable) {}

  get full(): boolean {
    return this.pos >= CHUNK;
  }

  /** Hands the buffered bytes to the stream; resolves once the stream can take more. */
  async flush(): Promise<void> {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.written += this.pos;
    this.buf = Buffer.allocUnsafe(CHUNK + SLACK);
    this.pos = 0;
    if (!this.out.write(chunk)) await waitDrain(this.out);
  }

  /** Pre-encoded bytes (constant text). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (n > 24) {
      this.buf.set(b, this.pos); // memcpy beats the loop for longer runs
      this.pos += n;
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    this.pos = p;
  }

  /** Exactly six decimal digits (the microseconds of a timestamp). */
  dec6(n: number): void {
    const buf = this.buf;
    const p = this.pos;
    for (let i = 5; i >= 0; i--) {
      const q = Math.floor(n / 10);
      buf[p + i] = 48 + (n - q * 10);
      n = q;
    }
    this.pos = p + 6;
  }

  /** A 64-bit value as exactly 16 hex digits (`%016lx` of a kernel address). */
  hex16(lo: number, hi: number): void {
    const buf = this.buf;
    const p = this.pos;
    for (let i = 7; i >= 0; i--) {
      buf[p + i] = HEX[hi & 15]!;
      hi >>>= 4;
      buf[p + 8 + i] = HEX[lo & 15]!;
      lo >>>= 4;
    }
    this.pos = p + 16;
  }

  /** A string of Latin-1 text (comm names and other rare text). */
  text(s: string): void {
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** Unsigned decimal. */
  dec(n: number): void {
    if (n < 10) {
      this.buf[this.pos++] = 48 + n;
      return;
    }
    const d = this.digits;
    let k = 0;
    while (n > 0) {
      const q = Math.floor(n / 10);
      d[k++] = 48 + (n - q * 10);
      n = q;
    }
    const buf = this.buf;
    let p = this.pos;
    while (k > 0) buf[p++] = d[--k]!;
    this.pos = p;
  }

  /** Lower-case hex of a 64-bit value given as u32 halves, no leading zeros (`%llx`). */
  hex(lo: number, hi: number): void {
    if (hi !== 0) {
      this.hexWord(hi, 0);
      this.hexWord(lo, 8);
    } else this.hexWord(lo, 0);
  }

  /** Hex zero-padded to at least `width` digits (`%016lx` → width 16). */
  hexPad(lo: number, hi: number, width: number): void {
    if (width === 16) {
      this.hex16(lo, hi);
      return;
    }
    const digits = hi !== 0 ? 8 + hexWidth(hi) : hexWidth(lo);
    for (let i = digits; i < width; i++) this.buf[this.pos++] = 48;
    this.hex(lo, hi);
  }

  /** One u32 word in hex; minDigits 8 pads it (for the low word of a 64-bit value). */
  private hexWord(v: number, minDigits: number): void {
    const n = Math.max(hexWidth(v), minDigits);
    const buf = this.buf;
    let p = this.pos + n;
    this.pos = p;
    for (let i = 0; i < n; i++) {
      buf[--p] = HEX[v & 15]!;
      v >>>= 4;
    }
  }
}

function hexWidth(v: number): number {
  if (v === 0) return 1;
  return 8 - (Math.clz32(v) >>> 2);
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'latin1'));
}

function waitDrain(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      out.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      out.off('drain', onDrain);
      reject(err);
    };
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}
