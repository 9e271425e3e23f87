/**
 * QEMU `log` trace backend with `-msg timestamp=on` (tracepoints.md §7, up to QEMU 10.0):
 * `<tid>@<secs>.<usecs>:memory_region_ops_read|write cpu N mr 0x… addr 0x… value 0x… size N
 * name '<region>'`, one line per completed guest MMIO access (the unsatisfied half of a read is
 * a KVM-side event and has no QEMU counterpart). Timestamps are wall-clock seconds. One VM per
 * file: a QEMU log belongs to one QEMU process.
 */
import { EV_MMIO, MMIO_READ, MMIO_WRITE, type HostEvent } from '../events.ts';
import type { HostThread } from '../host-thread.ts';
import { ascii, type ByteWriter } from './byte-writer.ts';
import { TimestampCache } from './timestamp-cache.ts';

const TWO32 = 4294967296;
const READ = ascii(':memory_region_ops_read cpu ');
const WRITE = ascii(':memory_region_ops_write cpu ');
const MR = ascii(' mr 0x');
const ADDR = ascii(' addr 0x');
const VALUE = ascii(' value 0x');
const SIZE = ascii(' size ');
const NAME = ascii(" name '");
const END = ascii("'\n");

export interface QemuRegion {
  /** QEMU MemoryRegion pointer printed with %p. */
  ptrLo: number;
  ptrHi: number;
  name: Uint8Array;
}

export class QemuFormat {
  private readonly ts: TimestampCache;

  /**
   * @param epochOffsetSec wall-clock seconds added to the trace clock
   * @param regionOf the QEMU region an address of a VM belongs to
   */
  constructor(
    epochOffsetSec: number,
    private readonly regionOf: (vm: number, gpa: number) => QemuRegion,
  ) {
    this.ts = new TimestampCache(0, epochOffsetSec);
  }

  /** Writes the event if QEMU would log it; returns whether a line was written. */
  event(w: ByteWriter, ev: HostEvent, th: HostThread): boolean {
    if (ev.kind !== EV_MMIO || (ev.a !== MMIO_READ && ev.a !== MMIO_WRITE)) return false;
    const r = this.regionOf(th.vm, ev.gpa);
    w.dec(th.tid);
    w.byte(64);
    this.ts.write(w, ev.ts);
    w.bytes(ev.a === MMIO_READ ? READ : WRITE);
    w.dec(ev.vcpu);
    w.bytes(MR);
    w.hex(r.ptrLo, r.ptrHi);
    w.bytes(ADDR);
    w.hex(ev.gpa >>> 0, Math.floor(ev.gpa / TWO32));
    w.bytes(VALUE);
    w.hex(ev.valLo, ev.valHi);
    w.bytes(SIZE);
    w.dec(ev.b);
    w.bytes(NAME);
    w.bytes(r.name);
    w.bytes(END);
    return true;
  }
}
