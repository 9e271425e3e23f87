/**
 * Deterministic AccessBatches for store/arrow tests: every nullable column has NULLs, and the
 * 64-bit columns carry values a double or an int64 would mangle (≥ 2^63, > 2^53).
 */
import { AccessBatch } from '../../../src/model/access-batch.ts';

export interface ExpectedRow {
  seq: bigint;
  ts_ns: bigint | null;
  host_cpu: number | null;
  tid: number;
  vm: number;
  vcpu: number | null;
  source: number;
  space: number;
  op: number;
  addr: bigint | null;
  len: number | null;
  value: bigint | null;
  pc: bigint | null;
  imm: number | null;
}

const BIG = [0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x8000_0000_0000_0001n, (1n << 53n) + 1n, 0n, 0x8000084n];

/** Row i of the synthetic sequence (pure function of i, so tests can recompute expectations). */
export function expectedRow(i: number, vms: number, sources: number): ExpectedRow {
  const k = BigInt(i);
  return {
    seq: k + 1n,
    ts_ns: i % 7 === 3 ? null : (1n << 53n) + k * 1000n + 1n,
    host_cpu: i % 11 === 5 ? null : i % 64,
    tid: 4000 + (i % 13),
    vm: i % vms,
    vcpu: i % 5 === 0 ? null : i % 8,
    source: i % sources,
    space: i % 4,
    op: i % 2,
    addr: i % 9 === 4 ? null : (BIG[i % BIG.length]! ^ k),
    len: i % 6 === 1 ? null : [1, 2, 4, 8][i % 4]!,
    value: i % 3 === 2 ? null : BIG[(i + 1) % BIG.length]!,
    pc: i % 10 === 7 ? null : 0xffff_8000_8000_0000n + k * 4n,
    imm: i % 4 === 2 ? (i % 8 === 2 ? 0xffff_ffff : i) : null,
  };
}

/** Fills a batch with rows [first, first+count) of the sequence. */
export function makeBatch(first: number, count: number, vms: number, sources: number, capacity = count): AccessBatch {
  const b = new AccessBatch(capacity);
  for (let j = 0; j < count; j++) {
    const r = expectedRow(first + j, vms, sources);
    const i = b.reserve();
    b.seq[i] = r.seq;
    if (r.ts_ns !== null) { b.ts_ns[i] = r.ts_ns; b.setValid('ts_ns', i); }
    if (r.host_cpu !== null) { b.host_cpu[i] = r.host_cpu; b.setValid('host_cpu', i); }
    b.tid[i] = r.tid;
    b.vm[i] = r.vm;
    if (r.vcpu !== null) { b.vcpu[i] = r.vcpu; b.setValid('vcpu', i); }
    b.source[i] = r.source;
    b.space[i] = r.space;
    b.op[i] = r.op;
    if (r.addr !== null) { b.addr[i] = r.addr; b.setValid('addr', i); }
    if (r.len !== null) { b.len[i] = r.len; b.setValid('len', i); }
    if (r.value !== null) { b.value[i] = r.value; b.setValid('value', i); }
    if (r.pc !== null) { b.pc[i] = r.pc; b.setValid('pc', i); }
    if (r.imm !== null) { b.imm[i] = r.imm; b.setValid('imm', i); }
  }
  return b;
}
