/**
 * One host thread of the generated trace (a vCPU thread or a VMM's main thread) with its queue of
 * pending events. The queue is a ring of reused HostEvent records; vCPU threads append in time
 * order, while the VMM thread receives events from several vCPU programs and keeps them sorted.
 */
import { HostEvent } from './events.ts';

export type ThreadRole = 'vcpu' | 'vmm';

export class HostThread {
  /** Position in the scheduler heap, -1 when not queued. */
  heapPos = -1;
  /** Host CPU the thread runs on now. */
  cpu = 0;
  /** Set once the thread will produce nothing more. */
  done = false;
  /** Called when the queue runs dry (vCPU threads resume their guest program). */
  refill: (() => void) | null = null;
  private ring: HostEvent[];
  private head = 0;
  count = 0;

  constructor(
    /** Stable order for ties (creation order). */
    readonly index: number,
    readonly tid: number,
    readonly tgid: number,
    readonly comm: string,
    /** Index of the VM the thread belongs to. */
    readonly vm: number,
    readonly role: ThreadRole,
    /** vCPU index for vCPU threads, -1 for the VMM thread. */
    readonly vcpu: number,
  ) {
    this.ring = Array.from({ length: 16 }, () => new HostEvent());
  }

  get frontTs(): number {
    return this.ring[this.head]!.ts;
  }

  front(): HostEvent {
    return this.ring[this.head]!;
  }

  pop(): void {
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.count--;
  }

  /** Reserves the next record at the tail; the caller fills it (kind, ts, fields). */
  alloc(): HostEvent {
    if (this.count === this.ring.length) this.grow();
    const ev = this.ring[(this.head + this.count) & (this.ring.length - 1)]!;
    this.count++;
    ev.model = 0;
    return ev;
  }

  /** Moves the last allocated event back until the queue is in time order (VMM thread). */
  settleLast(): void {
    const mask = this.ring.length - 1;
    let i = this.count - 1;
    while (i > 0) {
      const cur = (this.head + i) & mask;
      const prev = (this.head + i - 1) & mask;
      if (this.ring[prev]!.ts <= this.ring[cur]!.ts) break;
      const t = this.ring[prev]!;
      this.ring[prev] = this.ring[cur]!;
      this.ring[cur] = t;
      i--;
    }
  }


  private grow(): void {
    const old = this.ring;
    const next: HostEvent[] = [];
    for (let i = 0; i < this.count; i++) next.push(old[(this.head + i) & (old.length - 1)]!);
    for (let i = this.count; i < old.length * 2; i++) next.push(new HostEvent());
    this.ring = next;
    this.head = 0;
  }
}

/** Min-heap of threads keyed by (next event time, thread index): the global merge by timestamp. */
export class ThreadHeap {
  private readonly items: HostThread[] = [];

  get size(): number {
    return this.items.length;
  }

  top(): HostThread {
    return this.items[0]!;
  }

  /** Inserts a thread with a non-empty queue, or repositions it if already present. */
  upsert(t: HostThread): void {
    if (t.heapPos < 0) {
      t.heapPos = this.items.length;
      this.items.push(t);
      this.up(t.heapPos);
    } else {
      this.up(t.heapPos);
      this.down(t.heapPos);
    }
  }

  remove(t: HostThread): void {
    const i = t.heapPos;
    if (i < 0) return;
    const last = this.items.pop()!;
    t.heapPos = -1;
    if (i < this.items.length) {
      this.items[i] = last;
      last.heapPos = i;
      this.up(i);
      this.down(i);
    }
  }

  /** The top thread's key changed (its front event was consumed). */
  fixTop(): void {
    this.down(0);
  }

  private less(a: HostThread, b: HostThread): boolean {
    const ta = a.frontTs;
    const tb = b.frontTs;
    return ta < tb || (ta === tb && a.index < b.index);
  }

  private up(i: number): void {
    const items = this.items;
    const t = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = items[p]!;
      if (!this.less(t, pt)) break;
      items[i] = pt;
      pt.heapPos = i;
      i = p;
    }
    items[i] = t;
    t.heapPos = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const t = items[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(items[c + 1]!, items[c]!)) c++;
      const ct = items[c]!;
      if (!this.less(ct, t)) break;
      items[i] = ct;
      ct.heapPos = i;
      i = c;
    }
    items[i] = t;
    t.heapPos = i;
  }
}
