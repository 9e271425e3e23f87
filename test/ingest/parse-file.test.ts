/** parseFile: worker and in-process paths agree; errors cross the thread boundary intact; backpressure. */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccessBatch } from '../../src/model/access-batch.ts';
import { AUTO_WORKER_MIN_BYTES, MAX_BATCHES_IN_FLIGHT, parseFile, type ParseFileStats, type ParseProgress } from '../../src/ingest/parse-file.ts';
import { tempDir } from './helpers/fixtures.ts';
import { CollectingSink, render } from './helpers/render.ts';
import { rejectionOf } from '../helpers/errors.ts';

const DIR = join(import.meta.dirname, '../fixtures/ingest');
const opts = (path: string, extra: object = {}) => ({ path, fallbackVm: 'fixture', strict: false, ...extra });

describe('parseFile', () => {
  it('worker and in-process parses render identically (rows, irq rows, dictionaries, summary)', async () => {
    for (const f of ['ftrace-tgid-multi-vm-edge-cases.txt', 'tracecmd-failed-to-parse.txt', 'perf-ns-pid-tid.txt']) {
      const path = join(DIR, f);
      const a = new CollectingSink();
      const b = new CollectingSink();
      const sa = await parseFile(path, opts(f, { batchRows: 2 }), a, { worker: true });
      const sb = await parseFile(path, opts(f, { batchRows: 2 }), b, { worker: false });
      expect(render({ batches: a.batches, irqs: a.irqRows, summary: sa })).toBe(render({ batches: b.batches, irqs: b.irqRows, summary: sb }));
      expect(a.batches.length).toBeGreaterThan(1);
    }
  });

  it('surfaces errors raised inside the worker as the same AbitraceError (code and message)', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.trace');
    writeFileSync(bad, '       CPU 0/KVM-4251    [003] .....  1.000001: kvm_entry: PC: 0x1\nnot a trace line\n');
    const strict = await rejectionOf(parseFile(bad, opts('bad.trace', { strict: true }), new CollectingSink(), { worker: true }));
    expect(strict.code).toBe('E_MALFORMED_LINE');
    expect(strict.message).toMatch(/^bad\.trace:2: expected /);
    expect(strict.exitCode).toBe(2);
    const missing = await rejectionOf(parseFile(join(dir, 'nope.trace'), opts('nope.trace'), new CollectingSink(), { worker: true }));
    expect(missing.code).toBe('E_FILE_NOT_FOUND');
    expect(missing.message).toContain('nope.trace');
  });

  it('on a worker error, waits for the sink call in flight and skips the queued ones', async () => {
    const dir = tempDir();
    const path = join(dir, 'late-error.trace');
    const good = (i: number): string => `       CPU 0/KVM-4251    [003] .....  1.00000${i}: kvm_mmio: mmio write len 4 gpa 0x${i} val 0x1\n`;
    writeFileSync(path, good(1) + good(2) + good(3) + good(4) + 'garbage line\n');
    let started = 0;
    let finished = 0;
    const sink = {
      accesses: async (): Promise<void> => {
        started++;
        await new Promise((r) => setTimeout(r, 150));
        finished++;
      },
      irqs: (): void => {},
    };
    const err = await rejectionOf(parseFile(path, opts('late-error.trace', { strict: true, batchRows: 2 }), sink, { worker: true }));
    expect(err.code).toBe('E_MALFORMED_LINE');
    expect(err.message).toMatch(/^late-error\.trace:5: /);
    expect(started).toBe(finished); // nothing still writing when the caller sees the error
    expect(started).toBe(1); // the second batch was not handed to the sink
  });

  it('rejects with the sink error when the consumer fails', async () => {
    const sink = { accesses: async (): Promise<void> => { throw new Error('appender closed'); }, irqs: (): void => {} };
    await expect(parseFile(join(DIR, 'ftrace-tgid.txt'), opts('x'), sink, { worker: true })).rejects.toThrow('appender closed');
    await expect(parseFile(join(DIR, 'ftrace-tgid.txt'), opts('x'), sink, { worker: false })).rejects.toThrow('appender closed');
  });

  it('bounds the batches queued for a slow sink by credit (MAX_BATCHES_IN_FLIGHT) plus one read chunk', async () => {
    const dir = tempDir();
    const path = join(dir, 'many.trace');
    const line = (i: number): string => `       CPU 0/KVM-4251    [003] .....  1.${String(i).padStart(6, '0')}: kvm_mmio: mmio write len 4 gpa 0x${(0x8000000 + 4 * (i % 1000)).toString(16)} val 0x${i.toString(16)}\n`;
    writeFileSync(path, Array.from({ length: 60000 }, (_, i) => line(i)).join(''));
    const stats: ParseFileStats = { maxQueuedBatches: 0 };
    let rows = 0;
    let batches = 0;
    const progress: ParseProgress[] = [];
    const slowSink = {
      accesses: async (b: AccessBatch): Promise<void> => {
        rows += b.length;
        batches++;
        await new Promise((r) => setTimeout(r, 3));
      },
      irqs: (): void => {},
    };
    const s = await parseFile(path, opts('many.trace', { batchRows: 256 }), slowSink, { worker: true, stats, onProgress: (p) => progress.push(p) });
    expect(rows).toBe(60000);
    expect(s.accesses).toBe(60000);
    expect(batches).toBe(Math.ceil(60000 / 256));
    // The worker cannot stop inside one 1 MiB read chunk, so the bound is the credit plus one
    // chunk's worth of batches; without backpressure nearly all batches would queue up.
    const perChunk = Math.ceil((1 << 20) / line(59999).length / 256) + 1;
    expect(stats.maxQueuedBatches).toBeGreaterThan(0);
    expect(stats.maxQueuedBatches).toBeLessThanOrEqual(MAX_BATCHES_IN_FLIGHT + perChunk);
    expect(stats.maxQueuedBatches * 2).toBeLessThan(batches);
    // the main thread hashed the raw chunks the worker forwarded
    expect(s.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(progress.at(-1)!.rawBytes).toBe(progress.at(-1)!.totalBytes);
    expect(progress.at(-1)!.lines).toBe(60000);
  });
});

describe('worker selection', () => {
  it("'auto' parses small files in-process and large ones in the worker", async () => {
    const dir = tempDir();
    const big = join(dir, 'big.trace');
    const line = '       CPU 0/KVM-4251    [003] .....  1.000001: kvm_entry: PC: 0x1\n';
    writeFileSync(big, line.repeat(Math.ceil(AUTO_WORKER_MIN_BYTES / line.length) + 1));
    const small: ParseFileStats = { maxQueuedBatches: -1 };
    const large: ParseFileStats = { maxQueuedBatches: -1 };
    await parseFile(join(DIR, 'ftrace-tgid.txt'), opts('x'), new CollectingSink(), { stats: small });
    await parseFile(big, opts('big'), new CollectingSink(), { stats: large });
    expect(small.maxQueuedBatches).toBe(-1); // untouched: no worker
    expect(large.maxQueuedBatches).toBe(0); // the worker path ran (no rows, so nothing queued)
  });
});

describe('parse worker bootstrap', () => {
  it('starts under a programmatic tsx registration, as src/cli/bin.mjs does (no --import tsx)', async () => {
    const { spawnSync } = await import('node:child_process');
    const root = join(import.meta.dirname, '../..');
    const script = [
      "import { register } from 'tsx/esm/api';",
      'register();',
      "const { parseFile } = await import('./src/ingest/parse-file.ts');",
      `const s = await parseFile(${JSON.stringify(join(DIR, 'ftrace-tgid.txt'))}, { path: 'x', fallbackVm: 'v', strict: false }, { accesses() {}, irqs() {} }, { worker: true });`,
      'console.log(JSON.stringify({ lines: s.lines, accesses: s.accesses, variant: s.variant }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim())).toEqual({ lines: 18, accesses: 5, variant: 'ftrace-tgid' });
  });
});
