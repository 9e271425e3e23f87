/**
 * Ring-buffer overruns: with `--lost-events RATE` the generator drops bursts of consecutive events
 * on one host CPU (as a per-CPU ring buffer loses them) so that on average RATE events are dropped
 * per written line, and the layout's marker (`CPU:<n> [LOST <m> EVENTS]`) precedes the next event
 * written from that CPU. Decisions use their own PRNG stream: the surviving events are exactly
 * those of the same trace generated without losses.
 */
import type { Prng } from './prng.ts';

/** Mean burst length of a lost-events run. */
const MEAN_BURST = 24;

export class LostEventDropper {
  private readonly remaining: Int32Array;
  private readonly pending: Float64Array;
  private readonly pStart: number;
  /** Events dropped so far. */
  dropped = 0;

  constructor(rate: number, private readonly rng: Prng, cpus: number) {
    this.remaining = new Int32Array(cpus);
    this.pending = new Float64Array(cpus);
    // fraction f of all events dropped gives f / (1 - f) dropped per written line = rate.
    const f = rate / (1 + rate);
    this.pStart = f / MEAN_BURST;
  }

  /** Whether the event on `cpu` is lost. */
  drop(cpu: number): boolean {
    if (this.remaining[cpu]! > 0) {
      this.remaining[cpu]!--;
      this.pending[cpu]!++;
      this.dropped++;
      return true;
    }
    if (this.rng.float() < this.pStart) {
      this.remaining[cpu] = this.rng.int(1, 2 * MEAN_BURST - 1) - 1;
      this.pending[cpu]!++;
      this.dropped++;
      return true;
    }
    return false;
  }

  /** Events lost on `cpu` since its last written event (then resets the count). */
  takePending(cpu: number): number {
    const n = this.pending[cpu]!;
    this.pending[cpu] = 0;
    return n;
  }

  /** Dropped events no later event on their CPU reported (the trace ended first). */
  unreported(): number {
    let n = 0;
    for (const p of this.pending) n += p;
    return n;
  }
}
