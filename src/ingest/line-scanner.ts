/**
 * Splits a stream of byte chunks into lines without copying complete lines: lines inside a chunk
 * are passed as ranges of that chunk; only a line split across chunks is assembled in a carry
 * buffer. Lines longer than MAX_LINE_BYTES are not buffered further but reported once as overlong.
 */

export const MAX_LINE_BYTES = 1 << 20;
const HEAD_BYTES = 800; // kept from an overlong line for its issue sample

export interface LineHandler {
  /** One line without its LF (a CR before the LF is still there). buf is only valid during the call. */
  line(buf: Buffer, start: number, end: number): void;
  /** A line longer than MAX_LINE_BYTES; `head` holds its first bytes. */
  overlong(bytes: number, head: Buffer): void;
}

export class LineScanner {
  private carry = Buffer.allocUnsafe(64 * 1024);
  private carryLen = 0;
  private dropping = false;
  private droppedBytes = 0;
  /** Bytes fed so far. */
  bytes = 0;

  feed(chunk: Uint8Array, h: LineHandler): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const n = buf.length;
    this.bytes += n;
    let pos = 0;
    if (this.carryLen > 0 || this.dropping) {
      pos = this.completeCarry(buf, h);
      if (pos < 0) return;
    }
    pos = this.scan(buf, pos, h);
    if (pos < n) this.append(buf, pos, n);
  }

  /** Finishes the carried line with the head of `buf`; returns where the rest starts, -1 if none. */
  private completeCarry(buf: Buffer, h: LineHandler): number {
    const nl = buf.indexOf(10, 0);
    if (nl < 0) {
      this.append(buf, 0, buf.length);
      return -1;
    }
    this.append(buf, 0, nl);
    this.emitCarry(h);
    return nl + 1;
  }

  /** The hot loop: every complete line in buf from pos; returns the start of the unterminated tail. */
  private scan(buf: Buffer, pos: number, h: LineHandler): number {
    for (;;) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0) return pos;
      if (nl - pos > MAX_LINE_BYTES) h.overlong(nl - pos, buf.subarray(pos, pos + HEAD_BYTES));
      else h.line(buf, pos, nl);
      pos = nl + 1;
    }
  }

  /** Emits a final line that had no LF. */
  finish(h: LineHandler): void {
    if (this.carryLen > 0 || this.dropping) this.emitCarry(h);
  }

  private append(buf: Buffer, start: number, end: number): void {
    const len = end - start;
    if (this.dropping) {
      this.droppedBytes += len;
      return;
    }
    const need = this.carryLen + len;
    if (need > MAX_LINE_BYTES) {
      // keep only the head for the sample
      if (this.carryLen < HEAD_BYTES) {
        const take = Math.min(HEAD_BYTES - this.carryLen, len);
        this.ensure(this.carryLen + take);
        buf.copy(this.carry, this.carryLen, start, start + take);
        this.carryLen += take;
      }
      this.dropping = true;
      this.droppedBytes = need;
      return;
    }
    this.ensure(need);
    buf.copy(this.carry, this.carryLen, start, end);
    this.carryLen = need;
  }

  private ensure(size: number): void {
    if (size <= this.carry.length) return;
    let cap = this.carry.length;
    while (cap < size) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.carry.copy(next, 0, 0, this.carryLen);
    this.carry = next;
  }

  private emitCarry(h: LineHandler): void {
    if (this.dropping) {
      h.overlong(this.droppedBytes, Buffer.from(this.carry.subarray(0, Math.min(this.carryLen, HEAD_BYTES))));
    } else {
      h.line(this.carry, 0, this.carryLen);
    }
    this.carryLen = 0;
    this.dropping = false;
    this.droppedBytes = 0;
    // do not hold on to a large carry after a long line
    if (this.carry.length > 1024 * 1024) this.carry = Buffer.allocUnsafe(64 * 1024);
  }
}
