/**
 * Seeded property tests: garbage, garbled and truncated valid lines and arbitrary chunk boundaries
 * never make the parser throw (non-strict), keep accesses + otherEvents + skipped == lines, and the
 * same bytes split differently give identical output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceFormat } from '../../src/ingest/types.ts';
import { rng } from './helpers/fixtures.ts';
import { parseBytes, render } from './helpers/render.ts';

const DIR = join(import.meta.dirname, '../fixtures/ingest');
const SOURCES: Array<[string, TraceFormat]> = [
  ['ftrace-tgid-multi-vm-edge-cases.txt', 'ftrace'],
  ['tracecmd-failed-to-parse.txt', 'ftrace'],
  ['perf-ns-pid-tid.txt', 'perf'],
  ['perf-pid-tid.txt', 'perf'],
  ['qemu-at-prefix.txt', 'qemu'],
];
const LINES = SOURCES.map(([f, fmt]) => [readFileSync(join(DIR, f), 'utf8').split('\n').filter((l) => l !== ''), fmt] as const);

function mutate(line: string, r: () => number): string {
  switch (Math.floor(r() * 8)) {
    case 0: return line.slice(0, Math.floor(r() * line.length)); // truncated
    case 1: { // a byte replaced
      const i = Math.floor(r() * line.length);
      return line.slice(0, i) + String.fromCharCode(Math.floor(r() * 256)) + line.slice(i + 1);
    }
    case 2: return line + line.slice(Math.floor(r() * line.length)); // duplicated fragment
    case 3: { // a fragment deleted
      const i = Math.floor(r() * line.length);
      return line.slice(0, i) + line.slice(i + Math.floor(r() * 20));
    }
    case 4: return line.replace(/0x[0-9a-f]+/, `0x${'f'.repeat(1 + Math.floor(r() * 24))}`); // long hex
    case 5: return line.replace(/\d+/, String(Math.floor(r() * 1e12))); // big numbers
    case 6: return `${line}\r`;
    default: return line;
  }
}

function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = r() < 0.1 ? 10 : Math.floor(r() * 256);
  return b;
}

function checkInvariant(input: Buffer, format: TraceFormat, cuts: number[] = []): string {
  const p = parseBytes(input, { format, batchRows: 16 }, cuts); // small batches: cheap, and rows span hand-offs
  const s = p.summary;
  expect(s.accesses + s.otherEvents + s.skipped).toBe(s.lines);
  expect(s.bytes).toBe(input.length);
  expect(p.batches.reduce((n, b) => n + b.length, 0)).toBe(s.accesses);
  return render(p);
}

describe('parser robustness (seeded)', () => {
  it('random bytes never throw and keep the line invariant', () => {
    const r = rng(1);
    for (let i = 0; i < 60; i++) {
      const input = randomBytes(r, 50 + Math.floor(r() * 4000));
      for (const f of ['ftrace', 'perf', 'qemu'] as const) checkInvariant(input, f);
    }
  });

  it('garbled, truncated and duplicated fragments of valid lines never throw', () => {
    const r = rng(2);
    for (let i = 0; i < 150; i++) {
      const [lines, fmt] = LINES[Math.floor(r() * LINES.length)]!;
      const out: string[] = [];
      for (let k = 0; k < 40; k++) {
        const line = lines[Math.floor(r() * lines.length)]!;
        out.push(r() < 0.5 ? mutate(line, r) : line);
      }
      checkInvariant(Buffer.from(out.join(r() < 0.2 ? '\r\n' : '\n')), fmt);
    }
  });

  it('the same input split at random chunk boundaries gives identical rows and summary', () => {
    const r = rng(3);
    for (const [lines, fmt] of LINES) {
      const text = Buffer.from(lines.map((l) => (r() < 0.3 ? mutate(l, r) : l)).join('\n'));
      const whole = checkInvariant(text, fmt);
      for (let t = 0; t < 25; t++) {
        const n = 1 + Math.floor(r() * 30);
        const cuts = Array.from({ length: n }, () => Math.floor(r() * text.length)).sort((a, b) => a - b);
        expect(checkInvariant(text, fmt, cuts)).toBe(whole);
      }
      // every single-byte split point
      for (let c = 0; c < Math.min(text.length, 400); c++) expect(checkInvariant(text, fmt, [c])).toBe(whole);
    }
  });
});
