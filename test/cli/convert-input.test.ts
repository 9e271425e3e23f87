/** `convert`'s input must be one regular file: a directory or a device is E_FILE_READ (exit 2), as for `import`. */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-convert-in-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('convert input', () => {
  it('a directory or a non-regular file is E_FILE_READ and writes nothing', async () => {
    const sub = join(dir, 'd');
    mkdirSync(sub);
    const cases: Array<[string, RegExp]> = [
      [sub, /^abitrace: E_FILE_READ: \S+\/d: is a directory; convert takes one trace file/],
      ['/dev/null', /^abitrace: E_FILE_READ: \/dev\/null: not a regular file/],
    ];
    for (const [input, message] of cases) {
      const out = join(dir, 'out.arrow');
      const r = await runCli(['convert', input, '-o', out]);
      expect(r.code, input).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });
});
