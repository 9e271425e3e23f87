/** SpillFile: words come back as appended, from the buffer, the file, or both, and for appends bigger than the buffer. */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpillFile } from '../../src/ingest/spill-file.ts';

describe('SpillFile', () => {
  it('reads back small and buffer-sized appends at any offset and length', () => {
    const f = new SpillFile();
    const model: number[] = [];
    const sizes = [3, 1, 100_000, 7, 300_000, 5, 2_000_000, 11, 262_143, 262_144, 13];
    for (const n of sizes) {
      const src = Int32Array.from({ length: n + 2 }, (_, i) => (model.length + i - 1) * 7 + 1);
      const at = f.append(src, 1, n);
      expect(at).toBe(model.length);
      for (let i = 1; i <= n; i++) model.push(src[i]!);
      // reads spanning the whole file so far, its end, and the last append
      for (const [from, len] of [[0, model.length], [Math.max(0, model.length - n - 5), Math.min(model.length, n + 5)], [model.length - 1, 1]] as const) {
        const dst = new Int32Array(len + 1);
        f.read(from, len, dst, 1);
        expect(dst[0]).toBe(0);
        for (let i = 0; i < len; i += 997) expect(dst[1 + i]).toBe(model[from + i]);
        expect(dst[len]).toBe(model[from + len - 1]);
      }
    }
    expect(f.words).toBe(model.length);
    f.close();
  });

  it('leaves nothing in its directory, even while open', () => {
    const dir = mkdtempSync(join(tmpdir(), 'abitrace-spillfile-'));
    try {
      const f = new SpillFile(dir);
      f.append(new Int32Array(300_000).fill(7), 0, 300_000); // past the buffer: the file is opened
      const back = new Int32Array(3);
      f.read(299_997, 3, back, 0);
      expect(Array.from(back)).toEqual([7, 7, 7]);
      expect(readdirSync(dir)).toEqual([]);
      f.close();
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
