/**
 * --lost-events: bursts of consecutive events on one host CPU are dropped, the layout's marker
 * precedes the next event of that CPU with the exact count, and every other event is unchanged.
 */
import { describe, expect, it } from 'vitest';
import { generateText, type Opts } from './helpers/generate.ts';

const BASE: Opts = { profiles: [{ name: 'linux-gicv3-5.19+', weight: 1 }, { name: 'freebsd', weight: 1 }], vms: 3, vcpus: 2, durationSec: 0.6, seed: 9, hostCpus: 4 };
const cpuOf = (line: string): number => Number(/\[(\d{3})\]/.exec(line)![1]);

describe('lost events', () => {
  it('ftrace: markers appear, the dropped events are absent, the rest is the lossless trace', async () => {
    const full = await generateText({ ...BASE, lostEvents: 0 });
    const lossy = await generateText({ ...BASE, lostEvents: 0.05 });
    const all = full.text.split('\n').filter((l) => l !== '');
    const kept = lossy.text.split('\n').filter((l) => l !== '');
    const markers = kept.filter((l) => l.startsWith('CPU:'));
    expect(markers.length).toBeGreaterThan(0);
    expect(lossy.result.lostMarkers).toBe(markers.length);
    for (const m of markers) expect(m).toMatch(/^CPU:\d+ \[LOST \d+ EVENTS\]$/);

    // Walk both traces: every kept event appears in order; between kept events, the skipped
    // lossless events are exactly the ones the markers announce, per CPU.
    const events = kept.filter((l) => !l.startsWith('CPU:'));
    expect(events.length).toBe(all.length - lossy.result.dropped);
    const pending = new Map<number, number>(); // cpu -> dropped and not yet reported
    const announced = new Map<number, number>(); // cpu -> count of a marker not yet followed by an event
    let j = 0;
    for (const line of kept) {
      const lost = /^CPU:(\d+) \[LOST (\d+) EVENTS\]$/.exec(line);
      if (lost) {
        announced.set(Number(lost[1]), Number(lost[2]));
        continue;
      }
      while (all[j] !== line) {
        const cpu = cpuOf(all[j]!);
        pending.set(cpu, (pending.get(cpu) ?? 0) + 1);
        j++;
        expect(j).toBeLessThan(all.length);
      }
      // the events dropped on this CPU since its last written event are exactly the announced count
      const cpu = cpuOf(line);
      expect(pending.get(cpu) ?? 0).toBe(announced.get(cpu) ?? 0);
      pending.set(cpu, 0);
      announced.delete(cpu);
      j++;
    }
    expect(announced.size).toBe(0);
    for (; j < all.length; j++) pending.set(cpuOf(all[j]!), (pending.get(cpuOf(all[j]!)) ?? 0) + 1);
    const unreported = [...pending.values()].reduce((a, b) => a + b, 0);
    expect(unreported).toBe(lossy.result.unreportedDrops);
    const rate = lossy.result.dropped / events.length;
    expect(rate).toBeGreaterThan(0.01);
    expect(rate).toBeLessThan(0.15);
  });

  it('trace-cmd uses "[<n> EVENTS DROPPED]"; perf prints no marker but still drops', async () => {
    const tc = await generateText({ ...BASE, format: 'trace-cmd', lostEvents: 0.05 });
    expect(tc.text).toMatch(/\nCPU:\d+ \[\d+ EVENTS DROPPED\]\n/);
    expect(tc.text).not.toContain('LOST');
    const perf = await generateText({ ...BASE, format: 'perf', lostEvents: 0.05 });
    const perfFull = await generateText({ ...BASE, format: 'perf', lostEvents: 0 });
    expect(perf.text).not.toMatch(/^CPU:/m);
    expect(perf.result.dropped).toBeGreaterThan(0);
    expect(perf.result.lines).toBe(perfFull.result.lines - perf.result.dropped);
  });
});
