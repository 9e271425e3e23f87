/** readWholeFile: the Arrow cache read in pieces (readFileSync stops at 2 GiB) gives the file's bytes exactly. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { readWholeFile } from '../../src/arrow/read-accesses.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-whole-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readWholeFile', () => {
  it.each([[0, 4099], [1, 4099], [1_000_017, 4099], [1_000_017, 1 << 26]])('%i bytes in pieces of %i', (size, piece) => {
    const bytes = randomBytes(size);
    const path = join(dir, `f-${size}-${piece}`);
    writeFileSync(path, bytes);
    const got = readWholeFile(path, piece);
    expect(got.length).toBe(size);
    expect(got.equals(bytes)).toBe(true);
  });

  it('a missing file is an error naming it', () => {
    expect(() => readWholeFile(join(dir, 'absent'))).toThrow(/absent/);
  });
});
