/**
 * page-arrays: big arrays get pages of their own (a wasm memory's: whole 64 KiB pages), shared
 * ones cross threads without a copy, small ones stay ordinary.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { grownArray, newArray, PAGE_ARRAY_MIN_BYTES, transferables } from '../../src/ingest/page-arrays.ts';

describe('page arrays', () => {
  it('are zeroed arrays of the kind and length asked for; big ones in whole pages of their own', () => {
    const big = newArray(Float64Array, PAGE_ARRAY_MIN_BYTES / 8 + 3);
    expect(big).toBeInstanceOf(Float64Array);
    expect(big.length).toBe(PAGE_ARRAY_MIN_BYTES / 8 + 3);
    expect(big.every((v) => v === 0)).toBe(true);
    expect(big.buffer.byteLength % 65536).toBe(0);
    expect(big.buffer.byteLength).toBeGreaterThan(PAGE_ARRAY_MIN_BYTES);
    const small = newArray(Int32Array, 100);
    expect(small.buffer.byteLength).toBe(400);
    expect(newArray(Uint16Array, PAGE_ARRAY_MIN_BYTES, true).buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(newArray(Uint16Array, 100, true).buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });

  it('grow with their elements kept and the rest zeroed', () => {
    const a = newArray(Int32Array, 1000);
    for (let i = 0; i < a.length; i++) a[i] = i - 500;
    const b = grownArray(a, PAGE_ARRAY_MIN_BYTES);
    expect(b).toBeInstanceOf(Int32Array);
    expect(b.length).toBe(PAGE_ARRAY_MIN_BYTES);
    expect([...b.subarray(0, 1000)]).toEqual([...a]);
    expect(b.subarray(1000).every((v) => v === 0)).toBe(true);
    expect(grownArray(a, PAGE_ARRAY_MIN_BYTES, true).buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('a shared one crosses a port as the same memory, and is never listed for transfer', () => {
    const shared = newArray(Int32Array, PAGE_ARRAY_MIN_BYTES, true);
    const plain = newArray(Int32Array, 10);
    expect(transferables([shared, plain, undefined, new Int32Array(0)])).toEqual([plain.buffer]);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage({ a: shared }, transferables([shared]));
    const got = receiveMessageOnPort(port2)!.message as { a: Int32Array };
    got.a[7] = 42;
    expect(shared[7]).toBe(42);
    port1.close();
  });

  it('fall back to ordinary arrays where WebAssembly is off (node --jitless)', () => {
    const url = new URL('../../src/ingest/page-arrays.ts', import.meta.url).href;
    const script = `const { newArray, grownArray } = await import(${JSON.stringify(url)});
const a = grownArray(newArray(Int32Array, 1 << 20, true), 1 << 21); a[7] = 5;
console.log(JSON.stringify({ wasm: typeof WebAssembly, length: a.length, v: a[7], shared: a.buffer instanceof SharedArrayBuffer }));`;
    const r = spawnSync(process.execPath, ['--jitless', '--no-warnings', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!), r.stderr).toEqual({ wasm: 'undefined', length: 1 << 21, v: 5, shared: false });
  });
});
