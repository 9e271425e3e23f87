/**
 * The bundle cache behind bin.mjs and the parse worker: a bundle is rebuilt when a source it was
 * built from changes, `import.meta.url` keeps naming each source file, dynamic imports stay lazy,
 * and the CLI runs the same with and without bundles.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without type declarations
import { loadEntry } from '../../src/runtime/bundle.mjs';

const ROOT = join(import.meta.dirname, '../..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(): { root: string; cacheDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'abitrace-bundle-'));
  dirs.push(root);
  writeFileSync(join(root, 'package.json'), '{"type":"module"}');
  writeFileSync(join(root, 'value.ts'), 'export const value: number = 1;\n');
  writeFileSync(join(root, 'lazy.ts'), 'export const lazy: string = "lazy";\nexport const here: string = import.meta.url;\nexport const dir: string = import.meta.dirname;\n');
  writeFileSync(join(root, 'entry.ts'), [
    "import { value } from './value.ts';",
    'export const get = (): number => value;',
    'export const url: string = import.meta.url;',
    "export const loadLazy = async (): Promise<{ lazy: string; here: string; dir: string }> => import('./lazy.ts');",
  ].join('\n'));
  return { root, cacheDir: join(root, 'cache') };
}

describe('bundle cache', () => {
  it('rebuilds when a source changes, and keeps import.meta.url per source file', async () => {
    const where = project();
    const first = await loadEntry('entry.ts', where);
    expect(first.get()).toBe(1);
    expect(first.url).toBe(pathToFileURL(join(where.root, 'entry.ts')).href);
    const lazy = await first.loadLazy();
    expect(lazy.lazy).toBe('lazy');
    expect(lazy.here).toBe(pathToFileURL(join(where.root, 'lazy.ts')).href);
    expect(lazy.dir).toBe(where.root);
    // the dynamic import became a chunk of its own (loaded only when called)
    const built = readdirSync(where.cacheDir).filter((d) => d.startsWith('entry-') && !d.endsWith('.json'));
    expect(built).toHaveLength(1);
    expect(readdirSync(join(where.cacheDir, built[0]!)).length).toBeGreaterThan(1);

    writeFileSync(join(where.root, 'value.ts'), 'export const value: number = 22;\n');
    // same size class is not enough to go unnoticed: the mtime moves too
    utimesSync(join(where.root, 'value.ts'), new Date(), new Date(Date.now() + 5000));
    const second = await loadEntry('entry.ts', where);
    expect(second.get()).toBe(22);
  });

  it('loads a fresh bundle without rebuilding it', async () => {
    const where = project();
    await loadEntry('entry.ts', where);
    const before = readdirSync(where.cacheDir).sort();
    const again = await loadEntry('entry.ts', where);
    expect(again.get()).toBe(1);
    expect(readdirSync(where.cacheDir).sort()).toEqual(before);
  });

  it('runs the CLI the same through the bundle and through tsx (ABITRACE_NO_BUNDLE=1)', () => {
    const run = (env: Record<string, string>) => spawnSync(process.execPath, [join(ROOT, 'src/cli/bin.mjs'), 'registers', 'GICD_IIDR', '--format', 'csv'], {
      encoding: 'utf8', env: { ...process.env, ...env },
    });
    const bundled = run({});
    const viaTsx = run({ ABITRACE_NO_BUNDLE: '1' });
    expect(bundled.status).toBe(0);
    expect(viaTsx.status).toBe(0);
    expect(bundled.stdout).toContain('GICD_IIDR');
    expect(bundled.stdout).toBe(viaTsx.stdout);
  });
});
