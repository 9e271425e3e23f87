/**
 * Raw ftrace (`trace_pipe`) in the current kernel layout with the record-tgid option
 * (tracepoints.md §4.1): `"%16s-%-7d (%7d) [%03d] %5s %5lu.%06lu: <event>: <body>"`, and
 * `CPU:<n> [LOST <m> EVENTS]` before the next event of a CPU that overran. No `#` header: a
 * streamed capture of trace_pipe has none.
 */
import type { HostEvent } from '../events.ts';
import { EVENT_NAMES } from '../events.ts';
import type { HostThread } from '../host-thread.ts';
import { ascii, type ByteWriter } from './byte-writer.ts';
import { FLAG_TEXT, writeBody } from './event-body.ts';
import { comm16, type LineFormat } from './line-format.ts';
import { TimestampCache } from './timestamp-cache.ts';

const NAMES = EVENT_NAMES.map((n) => ascii(`${n}: `));
const LOST_A = ascii('CPU:');
const LOST_B = ascii(' [LOST ');
const LOST_C = ascii(' EVENTS]\n');

export class FtraceFormat implements LineFormat {
  readonly name = 'ftrace';
  readonly marksLostEvents = true;
  private readonly prefix: Array<{ cpu: number; bytes: Uint8Array } | undefined> = [];
  private readonly ts = new TimestampCache(5);

  header(_w: ByteWriter, _hostCpus: number): void {}

  event(w: ByteWriter, ev: HostEvent, th: HostThread): void {
    let p = this.prefix[th.index];
    if (p === undefined || p.cpu !== ev.cpu) {
      const tid = String(th.tid);
      const tgid = String(th.tgid);
      const cpu = String(ev.cpu).padStart(3, '0');
      p = { cpu: ev.cpu, bytes: ascii(`${comm16(th.comm)}-${tid.padEnd(7)} (${tgid.padStart(7)}) [${cpu}] `) };
      this.prefix[th.index] = p;
    }
    w.bytes(p.bytes);
    w.bytes(FLAG_TEXT[ev.flags]!);
    w.byte(32);
    this.ts.write(w, ev.ts);
    w.byte(58);
    w.byte(32);
    w.bytes(NAMES[ev.kind]!);
    writeBody(w, ev, false);
    w.byte(10);
  }

  lost(w: ByteWriter, cpu: number, count: number): void {
    w.bytes(LOST_A);
    w.dec(cpu);
    w.bytes(LOST_B);
    w.dec(count);
    w.bytes(LOST_C);
  }
}
