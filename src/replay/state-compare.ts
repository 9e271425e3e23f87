/**
 * Comparing the state a write touched across two models, and naming that state so a later read
 * or interrupt can reveal ("observe") a latent difference. Both are keyed by handler kind, so a
 * new handler adds one case here.
 */
import type { VgicModel } from '../emulator/vgic-model.ts';

export const SAME = 0;
export const UNKNOWN = 1;
export const DIFFERENT = 2;

/** Compares bit state (value, known) of two models under a mask. */
function bits(va: number, ka: number, vb: number, kb: number, mask: number): number {
  if (((va ^ vb) & ka & kb & mask) !== 0) return DIFFERENT;
  return ((ka ^ kb) & mask) !== 0 ? UNKNOWN : SAME;
}

function bytes(a: Uint8Array, ak: Uint8Array, b: Uint8Array, bk: Uint8Array, ix: number, n: number): number {
  let r = SAME;
  for (let i = 0; i < n; i++) {
    const ka = ak[ix + i]!;
    const kb = bk[ix + i]!;
    if (ka && kb) { if (a[ix + i] !== b[ix + i]) return DIFFERENT; } else if (ka !== kb) r = UNKNOWN;
  }
  return r;
}

/** State keys: field << 24 | index. */
export const F_GROUP = 1;
export const F_ENABLE = 2;
export const F_PEND = 3;
export const F_ACTIVE = 4;
export const F_PRIO = 5;
export const F_CONFIG = 6;
export const F_TARGET = 7;
export const F_ROUTER = 8;
export const F_DIST = 9;
export const F_RDCTLR = 10;
export const F_PROP = 11;
export const F_PENDB = 12;
export const F_SGI = 13;

/** The state a register access addresses, as a key (0 = no state). */
export function stateKey(m: VgicModel, h: number, intid: number, cpu: number): number {
  switch (h) { // literal labels: see HANDLER_LITERALS in vgic-model.ts (checked there)
    case 7 /* GROUP */: return (F_GROUP << 24) | m.wordOf(cpu, intid);
    case 8 /* ENABLE_SET */: case 9 /* ENABLE_CLEAR */: return (F_ENABLE << 24) | m.wordOf(cpu, intid);
    case 10 /* PEND_SET */: case 11 /* PEND_CLEAR */: return (F_PEND << 24) | m.wordOf(cpu, intid);
    case 12 /* ACTIVE_SET */: case 13 /* ACTIVE_CLEAR */: return (F_ACTIVE << 24) | m.wordOf(cpu, intid);
    case 14 /* PRIORITY */: return (F_PRIO << 24) | (m.indexOf(cpu, intid) >>> 2);
    case 15 /* CONFIG */: return (F_CONFIG << 24) | m.wordOf(cpu, intid);
    case 16 /* TARGETS */: return (F_TARGET << 24) | (m.indexOf(cpu, intid) >>> 2);
    case 17 /* ROUTER */: return (F_ROUTER << 24) | intid;
    case 3 /* D_CTLR */: return F_DIST << 24;
    case 21 /* R_CTLR */: return (F_RDCTLR << 24) | cpu;
    case 23 /* PROPBASER */: return F_PROP << 24;
    case 24 /* PENDBASER */: return (F_PENDB << 24) | cpu;
    case 18 /* SGIR */: case 19 /* SGI_PEND_CLEAR */: case 20 /* SGI_PEND_SET */: return F_SGI << 24;
    default: return 0;
  }
}

/** The field of stateKey(m, h, …) (its top byte), without a model: which latent keys an access could touch. */
export function stateField(h: number): number {
  switch (h) { // literal labels, as stateKey's
    case 7 /* GROUP */: return F_GROUP;
    case 8 /* ENABLE_SET */: case 9 /* ENABLE_CLEAR */: return F_ENABLE;
    case 10 /* PEND_SET */: case 11 /* PEND_CLEAR */: return F_PEND;
    case 12 /* ACTIVE_SET */: case 13 /* ACTIVE_CLEAR */: return F_ACTIVE;
    case 14 /* PRIORITY */: return F_PRIO;
    case 15 /* CONFIG */: return F_CONFIG;
    case 16 /* TARGETS */: return F_TARGET;
    case 17 /* ROUTER */: return F_ROUTER;
    case 3 /* D_CTLR */: return F_DIST;
    case 21 /* R_CTLR */: return F_RDCTLR;
    case 23 /* PROPBASER */: return F_PROP;
    case 24 /* PENDBASER */: return F_PENDB;
    case 18 /* SGIR */: case 19 /* SGI_PEND_CLEAR */: case 20 /* SGI_PEND_SET */: return F_SGI;
    default: return 0;
  }
}

/** Keys of the state that decides how `intid` on `cpu` is delivered. */
export function deliveryKeys(m: VgicModel, cpu: number, intid: number, out: number[]): void {
  const w = m.wordOf(cpu, intid);
  out.length = 0;
  out.push((F_GROUP << 24) | w, (F_ENABLE << 24) | w, F_DIST << 24);
  if (intid >= 32) out.push(m.v2 ? (F_TARGET << 24) | (m.indexOf(cpu, intid) >>> 2) : (F_ROUTER << 24) | intid);
}

/**
 * Compares the state touched by a write of handler `h` (first INTID, offset, length, vCPU).
 * SAME, UNKNOWN (known in one model only) or DIFFERENT.
 */
export function compareTouched(a: VgicModel, b: VgicModel, h: number, intid: number, off: number, len: number, cpu: number): number {
  switch (h) { // literal labels: see HANDLER_LITERALS in vgic-model.ts (checked there)
    case 7 /* GROUP */: { const w = a.wordOf(cpu, intid); return bits(a.group[w]!, a.groupK[w]!, b.group[w]!, b.groupK[w]!, -1); }
    case 8 /* ENABLE_SET */: case 9 /* ENABLE_CLEAR */: { const w = a.wordOf(cpu, intid); return bits(a.en[w]!, a.enK[w]!, b.en[w]!, b.enK[w]!, -1); }
    case 10 /* PEND_SET */: case 11 /* PEND_CLEAR */: { const w = a.wordOf(cpu, intid); return bits(a.pend[w]!, a.pendK[w]!, b.pend[w]!, b.pendK[w]!, -1); }
    case 12 /* ACTIVE_SET */: case 13 /* ACTIVE_CLEAR */: { const w = a.wordOf(cpu, intid); return bits(a.act[w]!, a.actK[w]!, b.act[w]!, b.actK[w]!, -1); }
    case 14 /* PRIORITY */: return bytes(a.prio, a.prioK, b.prio, b.prioK, a.indexOf(cpu, intid), len);
    case 16 /* TARGETS */: return intid < 32 ? SAME : bytes(a.targets, a.targetsK, b.targets, b.targetsK, a.indexOf(cpu, intid), len);
    case 15 /* CONFIG */: {
      const w = a.wordOf(cpu, intid);
      return bits(a.edge[w]!, a.edgeK[w]!, b.edge[w]!, b.edgeK[w]!, 0xffff << (intid & 31));
    }
    case 17 /* ROUTER */: {
      if (intid < 32) return SAME;
      const s = intid - 32;
      if (a.routerK[s] && b.routerK[s]) return a.router[s] === b.router[s] ? SAME : DIFFERENT;
      return a.routerK[s] === b.routerK[s] ? SAME : UNKNOWN;
    }
    case 3 /* D_CTLR */: {
      const r1 = bits(a.dist[0]!, a.dist[1] ? 1 : 0, b.dist[0]!, b.dist[1] ? 1 : 0, 1);
      const r2 = bits(a.dist[2]!, a.dist[3] ? 1 : 0, b.dist[2]!, b.dist[3] ? 1 : 0, 1);
      return Math.max(r1, r2);
    }
    case 21 /* R_CTLR */: return bits(a.rdCtlr[cpu]!, a.rdCtlrK[cpu]!, b.rdCtlr[cpu]!, b.rdCtlrK[cpu]!, 1);
    case 23 /* PROPBASER */:
      return Math.max(bits(a.prop[0]!, a.prop[2]! & 1 ? -1 : 0, b.prop[0]!, b.prop[2]! & 1 ? -1 : 0, -1),
        bits(a.prop[1]!, a.prop[2]! & 2 ? -1 : 0, b.prop[1]!, b.prop[2]! & 2 ? -1 : 0, -1));
    case 24 /* PENDBASER */: {
      const ka = a.pendbK[cpu]!;
      const kb = b.pendbK[cpu]!;
      return Math.max(bits(a.pendbLo[cpu]!, ka & 1 ? -1 : 0, b.pendbLo[cpu]!, kb & 1 ? -1 : 0, -1),
        bits(a.pendbHi[cpu]!, ka & 2 ? -1 : 0, b.pendbHi[cpu]!, kb & 2 ? -1 : 0, -1));
    }
    case 18 /* SGIR */: {
      let r = SAME;
      const sgi = a.sgirIntid >= 0 ? a.sgirIntid : b.sgirIntid;
      if (sgi < 0) return SAME;
      for (let c = 0; c < a.nv && r !== DIFFERENT; c++) {
        r = Math.max(r, bytes(a.sgiSrc, a.sgiSrcK, b.sgiSrc, b.sgiSrcK, c * 16 + sgi, 1), bits(a.pend[c]!, a.pendK[c]!, b.pend[c]!, b.pendK[c]!, 1 << sgi));
      }
      return r;
    }
    case 19 /* SGI_PEND_CLEAR */: case 20 /* SGI_PEND_SET */:
      return Math.max(bytes(a.sgiSrc, a.sgiSrcK, b.sgiSrc, b.sgiSrcK, cpu * 16 + (off & 0xf), len),
        bits(a.pend[cpu]!, a.pendK[cpu]!, b.pend[cpu]!, b.pendK[cpu]!, 0xffff));
    case 25 /* INVLPIR */: case 26 /* INVALLR */: case 28 /* GICC_DIR */:
      if (a.effect < 0 || b.effect < 0) return a.effect === b.effect ? SAME : UNKNOWN;
      return a.effect === b.effect ? SAME : DIFFERENT;
    default: return SAME;
  }
}
