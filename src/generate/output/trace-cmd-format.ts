/**
 * `trace-cmd report` 3.3+ (tracepoints.md §4.2): `cpus=<N>` first, then
 * `"%16s-%-5d [%03d] %5s %5llu.%06llu: <name>:<pad> <body>"` with the event name and its colon
 * left-aligned in 21 columns, `kvm_sys_access` in libtraceevent's `[FAILED TO PARSE]` form, and
 * `CPU:<n> [<m> EVENTS DROPPED]` for lost data. The report has no tgid column: the generator
 * writes the thread → process map beside it (saved_tgids format) for `--tgid-map`.
 */
import type { HostEvent } from '../events.ts';
import { EVENT_NAMES } from '../events.ts';
import type { HostThread } from '../host-thread.ts';
import { ascii, type ByteWriter } from './byte-writer.ts';
import { FLAG_TEXT, writeBody } from './event-body.ts';
import { comm16, type LineFormat } from './line-format.ts';
import { TimestampCache } from './timestamp-cache.ts';

const NAMES = EVENT_NAMES.map((n) => ascii(`${`${n}:`.padEnd(21)} `));
const LOST_A = ascii('CPU:');
const LOST_B = ascii(' [');
const LOST_C = ascii(' EVENTS DROPPED]\n');

export class TraceCmdFormat implements LineFormat {
  readonly name = 'trace-cmd';
  readonly marksLostEvents = true;
  private readonly prefix: Array<{ cpu: number; bytes: Uint8Array } | undefined> = [];
  private readonly ts = new TimestampCache(5);

  header(w: ByteWriter, hostCpus: number): void {
    w.text(`cpus=${hostCpus}\n`);
  }

  event(w: ByteWriter, ev: HostEvent, th: HostThread): void {
    let p = this.prefix[th.index];
    if (p === undefined || p.cpu !== ev.cpu) {
      const cpu = String(ev.cpu).padStart(3, '0');
      p = { cpu: ev.cpu, bytes: ascii(`${comm16(th.comm)}-${String(th.tid).padEnd(5)} [${cpu}] `) };
      this.prefix[th.index] = p;
    }
    w.bytes(p.bytes);
    w.bytes(FLAG_TEXT[ev.flags]!);
    w.byte(32);
    this.ts.write(w, ev.ts);
    w.byte(58);
    w.byte(32);
    w.bytes(NAMES[ev.kind]!);
    writeBody(w, ev, true);
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
