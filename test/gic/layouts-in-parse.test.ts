/**
 * Layouts resolved at the end of the parse (ParseOptions.resolveLayouts: the evidence streamed
 * from spill files into the resolver) are those resolved afterwards from the summary's arrays.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { resolveLayouts, type LayoutOverrides } from '../../src/gic/layout.ts';
import { VmLayoutTable } from '../../src/gic/vm-layout-table.ts';
import { resolveFormat } from '../../src/ingest/parse-file.ts';
import type { VmmKind } from '../../src/ingest/types.ts';
import { generateText } from '../generate/helpers/generate.ts';
import { parseBytes } from '../ingest/helpers/render.ts';

function compare(bytes: Buffer, name: string, overrides: LayoutOverrides): number {
  const { format, variant } = resolveFormat(bytes.subarray(0, 65536), name, undefined);
  const after = resolveLayouts(parseBytes(bytes, { format, variant, path: name }).summary, overrides);
  // evidence spilled every few entries, so the streams merge many runs
  const p = parseBytes(bytes, { format, variant, path: name, resolveLayouts: overrides, evidenceMemory: { pages: 3, v2: 2, idReads: 2 } });
  expect(p.summary.layouts).toBeDefined();
  expect(p.summary.layoutPages.length).toBe(0);
  const table = VmLayoutTable.fromParts(p.summary.layouts!);
  expect(table.length).toBe(after.length);
  after.forEach((l, code) => {
    const { vm: _vm, ...shape } = l;
    expect(table.shapeOfVm(code), `${name} VM ${code}`).toEqual(shape);
  });
  return after.length;
}

describe('layouts resolved in the parse', () => {
  it('match on a generated host trace of several VMMs and guests', async () => {
    const { text } = await generateText({
      vms: 9, vcpus: 3, durationSec: 0.3, format: 'ftrace', seed: 11,
      profiles: [{ name: 'linux-gicv3-5.19+', weight: 2 }, { name: 'linux-gicv2', weight: 1 }, { name: 'freebsd', weight: 1 }],
      vmm: (['qemu', 'firecracker', 'kvmtool', 'cloud-hypervisor'] as VmmKind[]).map((name) => ({ name, weight: 1 })),
    });
    const vms = compare(Buffer.from(text, 'latin1'), 'gen.ftrace', {});
    expect(vms).toBe(9);
    const shapes = new Set(resolveLayouts(parseBytes(Buffer.from(text, 'latin1'), { format: 'ftrace' }).summary, {}).map((l) => l.platform));
    expect(shapes.size).toBeGreaterThan(1);
  });

  it('match on the real capture, with and without overrides', () => {
    const bytes = gunzipSync(readFileSync(new URL('../../traces/qemu-virt-gicv3-linux6.1-smp2/trace.log.gz', import.meta.url)));
    expect(compare(bytes, 'real.log', {})).toBe(1);
    compare(bytes, 'real.log', { platform: 'firecracker' });
    compare(bytes, 'real.log', { gicdBase: 0x08000000, gicrBase: 0x080a0000 });
  });
});
