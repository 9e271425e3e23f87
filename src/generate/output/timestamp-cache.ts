/**
 * The `<secs>.<usecs>` part of trace lines. Seconds change rarely, so their formatted bytes (with
 * the layout's padding) are cached; the microseconds are written as six digits each time.
 */
import { ascii, type ByteWriter } from './byte-writer.ts';

export class TimestampCache {
  private secs = -1;
  private bytes: Uint8Array = new Uint8Array(0);

  /** @param width right-align the seconds in this many columns (`%5lu`), 0 for none. */
  constructor(private readonly width: number, private readonly offsetSecs = 0) {}

  /** Writes seconds (padded) + '.' + six microsecond digits for a nanosecond time. */
  write(w: ByteWriter, ns: number): void {
    const us = Math.floor(ns / 1000);
    const secs = Math.floor(us / 1e6);
    if (secs !== this.secs) {
      this.secs = secs;
      this.bytes = ascii(`${String(secs + this.offsetSecs).padStart(this.width)}.`);
    }
    w.bytes(this.bytes);
    w.dec6(us - secs * 1e6);
  }
}
