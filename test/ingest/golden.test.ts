/**
 * Golden tests: each fixture (one per layout variant in tracepoints.md, plus edge cases) is parsed
 * through parseFile (sniffing on) and rendered to text (rows, irq events, summary), which must equal
 * the committed `<fixture>.expected.txt` byte for byte. Regenerate after an intended change with
 *   UPDATE_GOLDEN=1 npx vitest run test/ingest/golden.test.ts
 * and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../src/ingest/parse-file.ts';
import { hasZstd } from './helpers/fixtures.ts';
import { CollectingSink, render } from './helpers/render.ts';

const DIR = join(import.meta.dirname, '../fixtures/ingest');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const CASES: Array<{ file: string; variant: string; golden?: string; needsZstd?: boolean }> = [
  { file: 'ftrace-current.txt', variant: 'ftrace' },
  { file: 'ftrace-tgid.txt', variant: 'ftrace-tgid' },
  { file: 'ftrace-4x.txt', variant: 'ftrace' },
  { file: 'ftrace-noflags.txt', variant: 'ftrace' },
  { file: 'ftrace-special-lines.txt', variant: 'ftrace' },
  { file: 'ftrace-crlf-no-final-newline.txt', variant: 'ftrace' },
  { file: 'ftrace-tgid-multi-vm-edge-cases.txt', variant: 'ftrace-tgid' },
  { file: 'tracecmd-3.3.txt', variant: 'trace-cmd' },
  { file: 'tracecmd-3.2.txt', variant: 'trace-cmd' },
  { file: 'tracecmd-latency.txt', variant: 'trace-cmd' },
  { file: 'tracecmd-special-lines.txt', variant: 'trace-cmd' },
  { file: 'tracecmd-failed-to-parse.txt', variant: 'trace-cmd' },
  { file: 'perf-default.txt', variant: 'perf' },
  { file: 'perf-pid-tid.txt', variant: 'perf-pid' },
  { file: 'perf-5wide.txt', variant: 'perf' },
  { file: 'perf-ns-pid-tid.txt', variant: 'perf-pid' },
  // `perf record -p PID` (per-thread) samples have no CPU column: host_cpu NULL
  { file: 'perf-no-cpu.txt', variant: 'perf' },
  { file: 'qemu-at-prefix.txt', variant: 'qemu' },
  { file: 'qemu-iso-prefix.txt', variant: 'qemu-iso' },
  { file: 'qemu-no-prefix.txt', variant: 'qemu-plain' },
  { file: 'mixed-layouts-kvm-msr.txt', variant: 'trace-cmd' },
  // compressed copies of ftrace-tgid.txt must parse to exactly its golden output
  { file: 'ftrace-tgid-compressed.txt.gz', variant: 'ftrace-tgid', golden: 'ftrace-tgid.txt' },
  { file: 'ftrace-tgid-compressed.txt.zst', variant: 'ftrace-tgid', golden: 'ftrace-tgid.txt', needsZstd: true },
];

describe('golden parses of the spec layouts', () => {
  for (const c of CASES) {
    it.skipIf(c.needsZstd === true && !hasZstd())(`${c.file} (${c.variant})`, async () => {
      const path = join(DIR, c.file);
      const sink = new CollectingSink();
      const summary = await parseFile(path, { path: c.file, fallbackVm: 'fixture', strict: false }, sink); // small: 'auto' parses in-process
      expect(summary.variant).toBe(c.variant);
      expect(summary.accesses + summary.otherEvents + summary.skipped).toBe(summary.lines);
      const text = render({ batches: sink.batches, irqs: sink.irqRows, summary });
      const goldenPath = join(DIR, `${c.golden ?? c.file}.expected.txt`);
      if (UPDATE && c.golden === undefined) writeFileSync(goldenPath, text);
      expect(existsSync(goldenPath), `missing golden ${goldenPath}; run with UPDATE_GOLDEN=1 and review it`).toBe(true);
      expect(text).toBe(readFileSync(goldenPath, 'utf8'));
    });
  }
});
