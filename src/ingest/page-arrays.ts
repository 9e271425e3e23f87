/**
 * Big typed arrays in pages mapped from the OS for them (a WebAssembly.Memory's), not in malloc's
 * heap. Why: glibc serves a thread's multi-MiB allocations from that thread's arena once its
 * dynamic mmap threshold has risen (it follows the largest block freed, up to 32 MiB), and what
 * is freed there stays resident. The parse worker's tables for millions of threads and VMs
 * (~150 MiB for pid_max VMs) stayed in the process's RSS after the worker had exited, under the
 * commit's own memory, and took the import past its bound. Pages mapped for an array are
 * unmapped when it is collected; and they are committed as they are first touched, so a dense
 * pid-indexed array costs only the pages its pids fall in.
 *
 * The arrays are ordinary typed arrays over a fixed-length buffer (as fast as any: measured on
 * Node 20). postMessage cannot move such an ArrayBuffer, it copies it: an array that is to cross
 * to another thread is made `shared` (a SharedArrayBuffer, which crosses without a copy and
 * stays mapped until the last thread holding it lets go).
 */

/** Below this an array stays in malloc's heap: a mapping costs a syscall and at least 64 KiB. */
export const PAGE_ARRAY_MIN_BYTES = 1 << 18;

const WASM_PAGE = 65536;

/**
 * WebAssembly.Memory (@types/node declares the WebAssembly namespace's types, not its values);
 * undefined where WebAssembly is off (`node --jitless`): malloc then.
 */
const WasmMemory = (globalThis as unknown as {
  WebAssembly?: { Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => { readonly buffer: ArrayBuffer } };
}).WebAssembly?.Memory;

export type PlainTypedArray =
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float64Array | BigInt64Array;

/** A typed array constructor (Int32Array, Float64Array, …). */
export interface TypedArrayKind<T extends PlainTypedArray> {
  readonly BYTES_PER_ELEMENT: number;
  new (length: number): T;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
}

/** Whether reserving pages failed once (an address-space limit), or cannot be done: malloc from then on. */
let unavailable = WasmMemory === undefined;

/**
 * A zeroed array of `length` elements; in its own pages when it is big, and then over a
 * SharedArrayBuffer if `shared` (to be posted to another thread).
 */
export function newArray<T extends PlainTypedArray>(kind: TypedArrayKind<T>, length: number, shared = false): T {
  const bytes = length * kind.BYTES_PER_ELEMENT;
  if (bytes >= PAGE_ARRAY_MIN_BYTES && !unavailable) {
    try {
      // V8 reserves address space for a wasm memory beyond its size; a `ulimit -v` can refuse it
      const pages = Math.ceil(bytes / WASM_PAGE);
      const memory = new WasmMemory!(shared ? { initial: pages, maximum: pages, shared } : { initial: pages });
      return new kind(memory.buffer, 0, length);
    } catch {
      unavailable = true;
    }
  }
  return new kind(length);
}

/** `a`'s elements in a new zeroed array of `length` (≥ a.length) elements: growth. */
export function grownArray<T extends PlainTypedArray>(a: T, length: number, shared = false): T {
  const out = newArray(a.constructor as TypedArrayKind<T>, length, shared);
  (out as unknown as { set(src: T): void }).set(a);
  return out;
}

/** pid_max's ceiling on 64-bit Linux (2^22): tids, tgids, and so VMs in one trace, are fewer. */
export const PID_LIMIT = 1 << 22;

/**
 * The length to give a table of per-pid or per-VM entries that needs `length`: that, and once it
 * takes pages of its own, at least PID_LIMIT entries at once. Untouched pages cost nothing, and
 * pid_max VMs no longer leave every table's 2, 4 and 8 MiB predecessors behind as garbage at the
 * same moment (they all doubled together, near the end of the parse).
 */
export function pidScaleLength(length: number, bytesPerElement: number): number {
  return length * bytesPerElement >= PAGE_ARRAY_MIN_BYTES ? Math.max(length, PID_LIMIT) : length;
}

/** The length to grow such a table to when it is full: double (at least 64), then pidScaleLength. */
export function grownLength(length: number, bytesPerElement: number): number {
  return pidScaleLength(Math.max(64, length * 2), bytesPerElement);
}

/** Arrays' buffers to list for transfer in a postMessage: shared ones cross anyway, and may not be listed. */
export function transferables(arrays: ReadonlyArray<PlainTypedArray | undefined>): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of arrays) if (a !== undefined && a.length > 0 && !(a.buffer instanceof SharedArrayBuffer)) out.push(a.buffer as ArrayBuffer);
  return out;
}
