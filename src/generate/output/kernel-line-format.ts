/**
 * What raw ftrace and `trace-cmd report` lines share (tracepoints.md §4.1–4.2): a per-thread
 * prefix (comm, pid, CPU — cached until the thread changes CPU), the irq-flags column, the
 * timestamp, the event name, the body, and a `CPU:<n> [… <m> …]` lost-events marker. The
 * subclasses say how the prefix, the name column and the marker look.
 */
import type { HostEvent } from '../events.ts';
import type { HostThread } from '../host-thread.ts';
import { ascii, type ByteWriter } from './byte-writer.ts';
import { FLAG_TEXT, writeBody } from './event-body.ts';
import type { LineFormat } from './line-format.ts';
import { TimestampCache } from './timestamp-cache.ts';

const LOST_CPU = ascii('CPU:');

export abstract class KernelLineFormat implements LineFormat {
  abstract readonly name: string;
  readonly marksLostEvents = true;
  private readonly prefix: Array<{ cpu: number; bytes: Uint8Array } | undefined> = [];
  private readonly ts = new TimestampCache(5);
  private readonly lostMid: Uint8Array;
  private readonly lostEnd: Uint8Array;

  /**
   * `names`: the event-name column per event kind; `failedToParse`: bodies libtraceevent cannot
   * print come out as `[FAILED TO PARSE]` field lists; `lost`: the marker's text around the count.
   */
  protected constructor(private readonly names: readonly Uint8Array[], private readonly failedToParse: boolean,
    lost: [mid: string, end: string]) {
    this.lostMid = ascii(lost[0]);
    this.lostEnd = ascii(lost[1]);
  }

  abstract header(w: ByteWriter, hostCpus: number): void;

  /** The line's start up to the flags column, e.g. `       CPU 0/KVM-4251    (   4242) [003] `. */
  protected abstract prefixText(th: HostThread, cpu: string): string;

  event(w: ByteWriter, ev: HostEvent, th: HostThread): void {
    let p = this.prefix[th.index];
    if (p === undefined || p.cpu !== ev.cpu) {
      p = { cpu: ev.cpu, bytes: ascii(this.prefixText(th, String(ev.cpu).padStart(3, '0'))) };
      this.prefix[th.index] = p;
    }
    w.bytes(p.bytes);
    w.bytes(FLAG_TEXT[ev.flags]!);
    w.byte(32);
    this.ts.write(w, ev.ts);
    w.byte(58);
    w.byte(32);
    w.bytes(this.names[ev.kind]!);
    writeBody(w, ev, this.failedToParse);
    w.byte(10);
  }

  lost(w: ByteWriter, cpu: number, count: number): void {
    w.bytes(LOST_CPU);
    w.dec(cpu);
    w.bytes(this.lostMid);
    w.dec(count);
    w.bytes(this.lostEnd);
  }
}
