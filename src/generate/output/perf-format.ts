/**
 * `perf script -F comm,pid,tid,cpu,time,event,trace` (tracepoints.md §4.3):
 * `"%16s %7d/%-7d [%03d] %12s: %*s: <body>"`, the event (`kvm:<name>`) right-aligned to the
 * longest event name recorded in the file, i.e. of every tracepoint the generator enables.
 * perf prints no inline lost-event marker: lost samples are only summarised at the end of
 * processing, so dropped events simply do not appear.
 */
import type { HostEvent } from '../events.ts';
import { EVENT_NAMES } from '../events.ts';
import type { HostThread } from '../host-thread.ts';
import { ascii, type ByteWriter } from './byte-writer.ts';
import { writeBody } from './event-body.ts';
import { comm16, type LineFormat } from './line-format.ts';
import { TimestampCache } from './timestamp-cache.ts';

const WIDTH = Math.max(...EVENT_NAMES.map((n) => `kvm:${n}`.length));
const NAMES = EVENT_NAMES.map((n) => ascii(`${`kvm:${n}`.padStart(WIDTH)}: `));

export class PerfFormat implements LineFormat {
  readonly name = 'perf';
  readonly marksLostEvents = false;
  private readonly prefix: Array<{ cpu: number; bytes: Uint8Array } | undefined> = [];
  // %12s of "secs.usecs": the seconds are right-aligned in 12 - 7 columns.
  private readonly ts = new TimestampCache(5);

  header(_w: ByteWriter, _hostCpus: number): void {}

  event(w: ByteWriter, ev: HostEvent, th: HostThread): void {
    let p = this.prefix[th.index];
    if (p === undefined || p.cpu !== ev.cpu) {
      const cpu = String(ev.cpu).padStart(3, '0');
      p = { cpu: ev.cpu, bytes: ascii(`${comm16(th.comm)} ${String(th.tgid).padStart(7)}/${String(th.tid).padEnd(7)} [${cpu}] `) };
      this.prefix[th.index] = p;
    }
    w.bytes(p.bytes);
    this.ts.write(w, ev.ts);
    w.byte(58);
    w.byte(32);
    w.bytes(NAMES[ev.kind]!);
    writeBody(w, ev, true);
    w.byte(10);
  }

  lost(_w: ByteWriter, _cpu: number, _count: number): void {}
}
