/**
 * Per-interrupt state of one VM's vGIC (vgic.md §8–9): group, enable, pending latch, active,
 * priority and edge/level configuration. Private interrupts (INTIDs 0–31) are banked per vCPU;
 * SPIs are shared. The register helpers turn 1-bit-per-IRQ arrays into 32-bit words and back.
 */
export class IrqState {
  readonly group: Uint8Array;
  readonly enabled: Uint8Array;
  readonly pending: Uint8Array;
  readonly active: Uint8Array;
  readonly priority: Uint8Array;
  readonly edge: Uint8Array;

  constructor(readonly vcpus: number, readonly nrIrqs: number, resetGroup: 0 | 1) {
    const n = vcpus * 32 + Math.max(0, nrIrqs - 32);
    this.group = new Uint8Array(n).fill(resetGroup);
    this.enabled = new Uint8Array(n);
    this.pending = new Uint8Array(n);
    this.active = new Uint8Array(n);
    this.priority = new Uint8Array(n);
    this.edge = new Uint8Array(n);
    for (let v = 0; v < vcpus; v++) {
      for (let i = 0; i < 16; i++) {
        this.enabled[v * 32 + i] = 1; // SGIs reset enabled
        this.edge[v * 32 + i] = 1; // SGIs are edge
      }
    }
    for (let i = vcpus * 32; i < n; i++) this.edge[i] = 1; // SPIs reset edge
  }

  /** Index of (vcpu, intid) or -1 when the INTID is not implemented. */
  idx(vcpu: number, intid: number): number {
    if (intid < 32) return vcpu * 32 + intid;
    if (intid >= this.nrIrqs) return -1;
    return this.vcpus * 32 + (intid - 32);
  }

  readBits(arr: Uint8Array, vcpu: number, base: number): number {
    let w = 0;
    for (let b = 0; b < 32; b++) {
      const i = this.idx(vcpu, base + b);
      if (i >= 0 && arr[i]) w |= 1 << b;
    }
    return w >>> 0;
  }

  /** Sets (value 1) or clears (value 0) the state of every INTID whose bit is 1 in `bits`. */
  applyBits(arr: Uint8Array, vcpu: number, base: number, bits: number, value: 0 | 1): void {
    for (let b = 0; b < 32; b++) {
      if (((bits >>> b) & 1) === 0) continue;
      const i = this.idx(vcpu, base + b);
      if (i >= 0) arr[i] = value;
    }
  }

  /** Stores each bit of `bits` as the INTID's state (IGROUPR-style registers). */
  storeBits(arr: Uint8Array, vcpu: number, base: number, bits: number): void {
    for (let b = 0; b < 32; b++) {
      const i = this.idx(vcpu, base + b);
      if (i >= 0) arr[i] = (bits >>> b) & 1;
    }
  }

  readPriorities(vcpu: number, base: number, count: number): number {
    let w = 0;
    for (let k = 0; k < count; k++) {
      const i = this.idx(vcpu, base + k);
      if (i >= 0) w |= this.priority[i]! << (8 * k);
    }
    return w >>> 0;
  }

  writePriorities(vcpu: number, base: number, count: number, value: number): void {
    for (let k = 0; k < count; k++) {
      const i = this.idx(vcpu, base + k);
      if (i >= 0) this.priority[i] = (value >>> (8 * k)) & 0xf8; // VGIC_PRI_BITS = 5
    }
  }

  /** ICFGR word for 16 INTIDs from `base`: 0b10 per edge-triggered interrupt. */
  readConfig(vcpu: number, base: number): number {
    let w = 0;
    for (let k = 0; k < 16; k++) {
      const i = this.idx(vcpu, base + k);
      if (i >= 0 && this.edge[i]) w |= 2 << (2 * k);
    }
    return w >>> 0;
  }

  /** SPIs only: bit [2k+1] selects edge; bit [2k] is ignored. */
  writeConfig(vcpu: number, base: number, value: number): void {
    for (let k = 0; k < 16; k++) {
      if (base + k < 32) continue;
      const i = this.idx(vcpu, base + k);
      if (i >= 0) this.edge[i] = (value >>> (2 * k + 1)) & 1;
    }
  }
}
