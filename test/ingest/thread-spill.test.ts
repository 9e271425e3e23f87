/**
 * ThreadSpill past its memory budget: records go to a file, come back intact, and the file is
 * compacted when it is mostly records taken back since.
 */
import { describe, expect, it } from 'vitest';
import { ThreadSpill } from '../../src/ingest/thread-spill.ts';
import { ThreadState } from '../../src/ingest/thread-state.ts';

/** A thread whose fields all derive from (tid, round); mid-read on odd rounds, with an open trap every third. */
function threadOf(tid: number, round: number): ThreadState {
  const t = new ThreadState(tid);
  t.commId = tid % 97;
  t.tgid = 1000 + (tid >> 4);
  t.vm = tid >> 4;
  t.vcpu = tid & 15;
  t.lastCpu = (tid + round) % 8;
  t.pcValid = round % 2 === 0;
  t.pcLo = (tid * 7 + round) >>> 0;
  t.pcHi = 0xffff8000;
  if (round % 2 === 1) {
    t.pendLine = tid * 10 + round;
    t.pendLen = 4;
    t.pendGpaLo = 0x080a0000 + tid;
    t.pendGpaHi = 0;
  }
  if (round % 3 === 2) {
    t.hsrLine = 5_000_000_000 + tid; // past 2^32: both words kept
    t.hsrEnc = 0x30c0a;
    t.sysRow = round;
    t.sysGen = 1;
  }
  return t;
}

// (+ 0: a reset field is -0, U32_FIELD; a record gives back 0)
const fields = (t: ThreadState) => [t.commId, t.tgid, t.vm, t.vcpu, t.lastCpu, t.pcValid, t.pcLo, t.pcHi, t.pendLine, t.pendLen,
  t.pendGpaLo, t.hsrLine, t.hsrEnc, t.sysRow, t.sysGen, t.open].map((v) => (typeof v === 'number' ? v + 0 : v));

describe('ThreadSpill on disk', () => {
  it('gives back every record as it was put, from memory and from the file, across compactions', () => {
    const tids = Array.from({ length: 3000 }, (_, i) => i * 3 + 1);
    // memory for ~500 short records; compaction once the file passes 20k words
    const spill = new ThreadSpill(500, undefined, 20_000);
    const scratch = new ThreadState(-2);
    let fileMax = 0;
    for (let round = 0; round < 12; round++) {
      for (const tid of tids) {
        if (round > 0) {
          scratch.reset(tid);
          spill.take(scratch);
          expect(fields(scratch)).toEqual(fields(threadOf(tid, round - 1)));
        }
        spill.put(threadOf(tid, round));
      }
      fileMax = Math.max(fileMax, spill.fileWords);
      expect(spill.size).toBe(tids.length);
    }
    expect(spill.diskWords).toBeGreaterThan(0);
    // 12 rounds of ~2500 records on disk (8–32 words each) would be ~500k words without compaction
    expect(fileMax).toBeLessThan(5 * Math.max(20_000, spill.diskWords));
    spill.close();
  });

  it('finds open threads on disk by host CPU', () => {
    const spill = new ThreadSpill(0);
    for (let tid = 1; tid <= 40; tid++) spill.put(threadOf(tid, 1)); // mid-read: open
    const seen: number[] = [];
    spill.forEachOpen(3, new ThreadState(-2), (t) => {
      seen.push(t.tid);
      t.pendLine = 0; // the loss marker's reset
      t.pcValid = false;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1).filter((tid) => (tid + 1) % 8 === 3));
    const again: number[] = [];
    spill.forEachOpen(3, new ThreadState(-2), (t) => again.push(t.tid));
    expect(again).toEqual([]); // reset and packed again as closed
    expect(spill.size).toBe(40);
    spill.close();
  });

  it('finds every open thread on disk at the end: one with no CPU yet (perf without a CPU column), tids past pid_max', () => {
    const spill = new ThreadSpill(0);
    const tids = [7, (1 << 22) - 1, 1 << 22, 0x7fffffff];
    for (const tid of tids) spill.put(threadOf(tid, 1));
    const noCpu = threadOf(9, 1);
    noCpu.lastCpu = -1;
    spill.put(noCpu);
    const seen: number[] = [];
    spill.forEachOpen(-1, new ThreadState(-2), (t) => seen.push(t.tid), false);
    expect(seen.sort((a, b) => a - b)).toEqual([7, 9, (1 << 22) - 1, 1 << 22, 0x7fffffff]);
    // by CPU: the one without a CPU is on none, each other on its own
    const onCpu = (cpu: number) => {
      const s2 = new ThreadSpill(0);
      for (const tid of tids) s2.put(threadOf(tid, 1));
      s2.put(noCpu);
      const out: number[] = [];
      s2.forEachOpen(cpu, new ThreadState(-2), (t) => out.push(t.tid), false);
      s2.close();
      return out;
    };
    for (const tid of tids) expect(onCpu((tid + 1) % 8)).toContain(tid);
    expect([0, 1, 2, 3, 4, 5, 6, 7].flatMap(onCpu)).not.toContain(9);
    spill.close();
  });
});
