/**
 * First pass over a VM's accesses: the facts the models need before replaying — nr_irqs (recorded
 * GICD_TYPER), vCPU count and MPIDRs (GICR_TYPER reads, redistributor frames, GICv2 TYPER), ITS,
 * the revision the host ran (GICD_IIDR, GICR_CTLR; vgic.md §10) and whether the trace shows the
 * VM's boot (its first GIC access is the driver's probe).
 */
import { getI64, type AccessBatch } from '../model/access-batch.ts';
import { OP_READ } from '../model/codes.ts';
import { revisionFromIidr } from '../emulator/profiles.ts';
import { BLOCK_GICD, BLOCK_GICR, VmBlocks } from './vm-blocks.ts';

export class VmScan {
  readonly blocks: VmBlocks;
  /** Every shape fact has been seen (see `complete`): the scan may stop looking at this VM. */
  done = false;
  typer: number | null = null;
  iidr: number | null = null;
  typer2: number | null = null;
  /** A GICR_CTLR read showed CES|IR (a revision-3 host). */
  rdCtlrRev3 = false;
  /** A GICR_CTLR read without CES|IR: the host's revision is at most 2 (vgic.md §2, rev 3 always ORs them in). */
  rdCtlrPreRev3 = false;
  maxVcpu = -1;
  maxRedist = -1;
  lastRedist = -1;
  v2Cpus = 0;
  readonly mpidr = new Map<number, number>();
  /** tid → vCPU for rows whose vCPU column is null (dense, in order of appearance). */
  readonly tidVcpu = new Map<number, number>();
  /** The tid the scan last saw in tidVcpu (NaN: none yet), to skip the Map for a thread's runs. */
  lastTid = Number.NaN;
  bootSeen: boolean | null = null;
  bootSeq: number | null = null;
  firstTs: bigint | null = null;
  lastTs: bigint | null = null;

  constructor(blocks: VmBlocks) {
    this.blocks = blocks;
  }

  get v2(): boolean {
    return this.blocks.gicVersion === 2;
  }

  /**
   * The facts a booted guest's probe reveals are all in: boot decided, GICD_TYPER and GICD_IIDR
   * read, and (GICv3) a GICR_TYPER with Last set, which fixes the vCPU count. A Linux boot gets
   * there within its first few hundred accesses; a mid-life trace never does and is scanned whole.
   */
  get complete(): boolean {
    if (this.bootSeen === null || this.typer === null || this.iidr === null) return false;
    // with several redistributor regions, Last also ends each full region: only the last region's is final
    return this.v2 || this.lastRedist >= this.blocks.lastRegionFirstRedist;
  }

  /** vCPU of a row without a vCPU column: one per thread, in order of appearance. */
  vcpuOfTid(tid: number, nv: number): number {
    let v = this.tidVcpu.get(tid);
    if (v === undefined) {
      v = this.tidVcpu.size < nv ? this.tidVcpu.size : 0;
      this.tidVcpu.set(tid, v);
    }
    return v;
  }

  /**
   * nr_irqs from the recorded GICD_TYPER.ITLinesNumber, or null. KVM accepts 64..992
   * (KVM_DEV_ARM_VGIC_GRP_NR_IRQS); a value outside that is not KVM's and is clamped into it.
   */
  get nrIrqsFromTyper(): number | null {
    return this.typer === null ? null : Math.max(64, Math.min(992, ((this.typer & 0x1f) + 1) * 32));
  }

  get hasIts(): boolean {
    if (this.v2) return false;
    if (this.typer !== null) return (this.typer & (1 << 17)) !== 0; // GICD_TYPER.LPIS
    // No TYPER read: QEMU virt, Firecracker and Cloud Hypervisor all add an ITS to a GICv3.
    return true;
  }

  get vcpus(): number {
    // GICR_TYPER.Last: exact (with several regions, Last also ends each full region: the frames accessed above it count)
    if (!this.v2 && this.lastRedist >= 0) return Math.max(this.lastRedist, this.maxRedist) + 1;
    let n = Math.max(this.maxVcpu + 1, this.maxRedist + 1, this.lastRedist + 1, this.v2Cpus, this.tidVcpu.size, 1);
    if (this.v2) n = Math.min(n, 8);
    return n;
  }

  /** Host revision evidence: [revision id, how it was found] or null. */
  hostRevision(): [string, string] | null {
    if (this.iidr !== null) {
      const r = revisionFromIidr(this.iidr);
      if (r !== null) return [String(r), `GICD_IIDR read 0x${this.iidr.toString(16)}`];
    }
    if (this.rdCtlrRev3) return ['3', 'GICR_CTLR read with CES|IR'];
    if (this.rdCtlrPreRev3) return ['2', 'GICR_CTLR read without CES|IR (revision 2 or lower; taken as 2, the 4.19-5.18 default)'];
    return null;
  }

  /** Why no revision could be inferred, for the report. */
  noRevisionReason(): string {
    if (this.iidr !== null) return `default (GICD_IIDR read 0x${this.iidr.toString(16)} is not KVM's 0x4B00r43B)`;
    return 'default (no GICD_IIDR read)';
  }
}

const u64 = (v32: Uint32Array, i: number): number => v32[2 * i + 1]! * 4294967296 + v32[2 * i]!;
const valid = (bm: Uint8Array, i: number): boolean => (bm[i >>> 3]! & (1 << (i & 7))) !== 0;

/**
 * Scans batches, updating one VmScan per VM code present in `scans`. Kept lean: the per-row work
 * is a block look-up; the register-specific checks run only for the few reads that carry shape.
 */
export function prescan(batches: readonly AccessBatch[], scans: (VmScan | undefined)[]): void {
  const open = { n: scans.filter((s) => s !== undefined).length };
  for (const b of batches) if (open.n === 0 || prescanBatch(b, scans, open)) break;
  lastTimestamps(batches, scans);
}

/** Each VM's last timestamp, scanning back from the end (cheaper than a store per row). */
function lastTimestamps(batches: readonly AccessBatch[], scans: (VmScan | undefined)[]): void {
  let missing = scans.filter((s) => s !== undefined && s.firstTs !== null).length;
  for (let k = batches.length - 1; k >= 0 && missing > 0; k--) {
    const b = batches[k]!;
    for (let i = b.length - 1; i >= 0 && missing > 0; i--) {
      const s = scans[b.vm[i]!];
      if (s === undefined || s.lastTs !== null || !valid(b.validity.ts_ns, i)) continue;
      s.lastTs = getI64(b.ts32, i);
      missing--;
    }
  }
}

/**
 * Returns true once every VM's shape is complete (the rest of the trace need not be scanned).
 * A trace that starts mid-life is scanned whole, so this is the replay's second loop: the same
 * page table as the engine, literal constants (checked by engine.ts LITERALS), and validity bitmaps
 * skipped when a batch has no NULLs.
 */
function prescanBatch(b: AccessBatch, scans: (VmScan | undefined)[], open: { n: number }): boolean {
  const MMIO = 0; // SPACE_MMIO
  const READ = 0; // OP_READ
  const GICD = 0; // BLOCK_GICD
  const GICR = 1; // BLOCK_GICR
  const GITS = 3; // BLOCK_GITS
  const n = b.length;
  const vmC = b.vm;
  const spaceC = b.space;
  const opC = b.op;
  const addr32 = b.addr32;
  const tidC = b.tid;
  const vAddr = b.validity.addr;
  const vVcpu = b.validity.vcpu;
  const vTs = b.validity.ts_ns;
  const vcpuC = b.vcpu;
  const tsAll = allValid(vTs, n);
  const vcpuAll = allValid(vVcpu, n);
  const addrAll = allValid(vAddr, n);
  for (let i = 0; i < n; i++) {
    const s = scans[vmC[i]!];
    if (s === undefined || s.done) continue;
    const bit = 1 << (i & 7);
    const byte = i >>> 3;
    if (s.firstTs === null && (tsAll || (vTs[byte]! & bit) !== 0)) s.firstTs = getI64(b.ts32, i);
    const hasVcpu = vcpuAll || (vVcpu[byte]! & bit) !== 0;
    if (hasVcpu && vcpuC[i]! > s.maxVcpu) s.maxVcpu = vcpuC[i]!;
    if (spaceC[i] !== MMIO || (!addrAll && (vAddr[byte]! & bit) === 0)) continue;
    const lo = addr32[2 * i]!;
    const hi = addr32[2 * i + 1]!;
    const blocks = s.blocks;
    let info = hi === 0 ? blocks.pages[lo >>> 16]! : -1;
    let off: number;
    let redist: number;
    if (info > 0) {
      off = (((info >>> 3) & 0x1ff) << 12) + (lo & 0xffff);
      redist = info >>> 12;
    } else {
      if (info === 0 || (info = blocks.lookup(lo, hi)) === 0) continue;
      off = blocks.offset;
      redist = blocks.redist;
    }
    const kind = (info & 7) - 1;
    if (kind === GITS) continue;
    if (kind === GICR && redist > s.maxRedist) s.maxRedist = redist;
    if (!hasVcpu) {
      const tid = tidC[i]!;
      if (tid !== s.lastTid) {
        s.lastTid = tid;
        if (!s.tidVcpu.has(tid)) s.tidVcpu.set(tid, s.tidVcpu.size);
      }
    }
    // Only the probe and a few reads carry shape, and only until inspect() has taken them: boot
    // detection, the first GICD_TYPER/IIDR/TYPER2, GICR_CTLR until one shows CES|IR, GICR_TYPER.
    if (s.bootSeen === null || (opC[i] === READ && (kind === GICD
      ? (off === 0x4 && s.typer === null) || (off === 0x8 && s.iidr === null) || (off === 0xc && s.typer2 === null)
      : kind === GICR && ((off === 0 && !s.rdCtlrRev3) || off === 0x8 || off === 0xc)))) {
      blocks.offset = off;
      blocks.redist = redist;
      inspect(s, b, i, kind);
      if (s.complete) {
        s.done = true;
        if (--open.n === 0) return true;
      }
    }
  }
  return false;
}

/** Rows 0..n-1 all valid in the bitmap. */
export function allValid(bm: Uint8Array, n: number): boolean {
  const whole = n >>> 3;
  for (let k = 0; k < whole; k++) if (bm[k] !== 0xff) return false;
  const rest = n & 7;
  return rest === 0 || (bm[whole]! & ((1 << rest) - 1)) === (1 << rest) - 1;
}

/** Boot detection on the first GIC access, and the shape facts recorded reads carry. */
function inspect(s: VmScan, b: AccessBatch, i: number, kind: number): void {
  const off = s.blocks.offset;
  const read = b.op[i] === OP_READ;
  const hasValue = valid(b.validity.value, i);
  const lo = b.value32[2 * i]!;
  const hi = b.value32[2 * i + 1]!;
  const len = b.len[i]!;
  if (s.bootSeen === null) {
    // The driver's probe opens with PIDR2/TYPER/IIDR reads or a distributor disable (vgic.md §10, guests.md §1–2).
    const probe = kind === BLOCK_GICD
      ? (read && (off === 0xffe8 || off === 0x4 || off === 0x8)) || (!read && off === 0 && hasValue && lo === 0)
      : kind === BLOCK_GICR && read && (off === 0xffe8 || off === 0x8 || off === 0x14);
    s.bootSeen = probe;
    if (probe) s.bootSeq = u64(b.seq32, i);
  }
  if (!read || !hasValue) return;
  if (kind === BLOCK_GICD) {
    if (off === 0x4 && len === 4 && s.typer === null) {
      s.typer = lo;
      if (s.v2) s.v2Cpus = ((lo >>> 5) & 7) + 1;
    } else if (off === 0x8 && len === 4 && s.iidr === null) s.iidr = lo;
    else if (off === 0xc && len === 4 && s.typer2 === null && !s.v2) s.typer2 = lo;
  } else if (kind === BLOCK_GICR) {
    const rd = s.blocks.redist;
    if (off === 0 && len === 4) {
      if ((lo & 6) === 6) s.rdCtlrRev3 = true;
      else if ((lo & 6) === 0) s.rdCtlrPreRev3 = true;
    } else if (off === 0x8 && (len === 8 || len === 4)) {
      if (lo & 0x10) s.lastRedist = Math.max(s.lastRedist, rd);
      if (len === 8) s.mpidr.set(rd, hi & 0xffffff);
    } else if (off === 0xc && len === 4) s.mpidr.set(rd, lo & 0xffffff);
  }
}
