/**
 * Compiles a guest profile (data) into a tree of program nodes with compiled expressions,
 * resolved register encodings and hypercall IDs, and one stable guest PC per access site (the
 * same driver instruction makes the same access every time). Compilation fails early, naming the
 * profile and step, for unknown registers, hypercalls, frames or malformed expressions.
 */
import type { SysregDef } from '../gic/sysregs.ts';
import { compileExpr, hex64, type Compiled, type Expr } from './expr.ts';
import { hypercallId } from './hypercalls.ts';
import { hashString } from './prng.ts';
import type { Activity, DeviceOp, Frame, GuestProfile, Step } from './profile-types.ts';
import { kvmTableName, lookupSysreg } from './sysreg-traps.ts';

export interface Pc {
  lo: number;
  hi: number;
}

export type Node =
  | { k: 'mmio'; write: boolean; frame: Frame; off: Compiled; len: number; rd: Compiled | null; value: Compiled | null; valueHi: Compiled | null; save: string | null; saveHi: string | null; until: Compiled | null; pc: Pc; rt: number }
  | { k: 'sys'; sys: SysregSlot; write: boolean; save: string | null; value: Compiled | null; pc: Pc; rt: number }
  | { k: 'hvc'; id: number; pc: Pc }
  | { k: 'dev'; op: DeviceOp; write: boolean; value: Compiled | null; pc: Pc; rt: number }
  | { k: 'loop'; name: string; from: Compiled; to: Compiled; step: Compiled | null; until: Compiled | null; body: Node[] }
  | { k: 'when'; cond: Compiled; then: Node[]; else: Node[] }
  | { k: 'set'; entries: Array<[string, Compiled]> }
  | { k: 'let'; entries: Array<[string, Compiled]> }
  | { k: 'spawn'; vcpu: Compiled }
  | { k: 'inject'; irq: Compiled; level: 0 | 1; fromVmm: boolean }
  | { k: 'exit'; wfx: boolean; injects: Array<{ irq: Compiled; level: 0 | 1; fromVmm: boolean }>; pcSeed: number }
  | { k: 'halt'; injects: Array<{ irq: Compiled; level: 0 | 1; fromVmm: boolean }> }
  | { k: 'wait'; us: Compiled }
  | { k: 'repeat'; n: Compiled; body: Node[] };

/** A system register as traced: definition, KVM table name, and a stable fake kernel pointer to it. */
export interface SysregSlot {
  index: number;
  def: SysregDef;
  kvmName: string;
  /** `name=` pointer printed by trace-cmd/perf's [FAILED TO PARSE] form. */
  namePtrLo: number;
  namePtrHi: number;
}

const slots: SysregSlot[] = [];
const slotByName = new Map<string, SysregSlot>();

export function sysregSlot(name: string, where: string): SysregSlot {
  let s = slotByName.get(name);
  if (!s) {
    const def = lookupSysreg(name, where);
    const h = hashString(def.name);
    // Points into KVM's sys_reg_descs[] in kernel .rodata: 0xffffa3c0d1e4xxxx-like.
    s = { index: slots.length, def, kvmName: kvmTableName(def), namePtrLo: (0xd1e40000 | (h & 0xffc0)) >>> 0, namePtrHi: 0xffffa3c0 };
    slots.push(s);
    slotByName.set(name, s);
  }
  return s;
}

export function sysregSlotByIndex(i: number): SysregSlot {
  return slots[i]!;
}

export interface CompiledActivity {
  name: string;
  perSec: number;
  on: 'all' | 'boot' | 'secondaries';
  lets: Array<[string, Compiled]>;
  gate: Compiled | null;
  when: Compiled | null;
  body: Node[];
}

export interface CompiledProfile {
  name: string;
  profile: GuestProfile;
  /** Code base (PCs of noise exits are drawn above it). */
  text: Pc;
  /** Device-frame VA base for FAR_EL2, or null when the guest maps devices 1:1. */
  mmioVa: Pc | null;
  boot: Node[];
  secondary: Node[];
  activities: CompiledActivity[];
  driver: { irq: Compiled; stuck: Node[] } | null;
}

const FRAMES: readonly Frame[] = ['GICD', 'GICR', 'GICR_SGI', 'GITS'];
const DEVICE_OPS: readonly DeviceOp[] = ['uart.data', 'uart.status', 'virtio.status', 'virtio.ack', 'virtio.notify'];

class Compiler {
  private readonly text: Pc;

  constructor(private readonly p: GuestProfile) {
    this.text = hex64(p.code.text);
  }

  private where(path: string): string {
    return `profile ${this.p.name}, ${path}`;
  }

  private expr(e: Expr | undefined, path: string, what: string): Compiled {
    if (e === undefined) throw new Error(`${this.where(path)}: missing ${what}`);
    return compileExpr(e, `${this.where(path)} ${what}`);
  }

  private opt(e: Expr | undefined, path: string, what: string): Compiled | null {
    return e === undefined ? null : this.expr(e, path, what);
  }

  /** A stable PC for an access site: text base + a 4-byte-aligned offset hashed from its path. */
  private pc(path: string): Pc {
    const off = (hashString(`${this.p.name}/${path}`) & 0x3ffffc) >>> 0;
    const sum = this.text.lo + off;
    return { lo: sum >>> 0, hi: (this.text.hi + (sum >= 4294967296 ? 1 : 0)) >>> 0 };
  }

  private rt(path: string): number {
    return hashString(path) % 29; // a plausible general-purpose register number
  }

  steps(list: readonly Step[] | undefined, path: string): Node[] {
    return (list ?? []).map((s, i) => this.step(s, `${path}[${i}]`));
  }

  step(s: Step, path: string): Node {
    if ('mmio' in s) {
      if (!FRAMES.includes(s.frame)) throw new Error(`${this.where(path)}: unknown frame '${String(s.frame)}'`);
      const len = s.len ?? 4;
      const write = s.mmio === 'W';
      if (write && s.value === undefined) throw new Error(`${this.where(path)}: write without value`);
      return {
        k: 'mmio', write, frame: s.frame, off: this.expr(s.off, path, 'off'), len,
        rd: this.opt(s.rd, path, 'rd'), value: this.opt(s.value, path, 'value'), valueHi: this.opt(s.valueHi, path, 'valueHi'),
        save: s.save ?? null, saveHi: s.saveHi ?? null, until: this.opt(s.until, path, 'until'), pc: this.pc(path), rt: this.rt(path),
      };
    }
    if ('sys' in s) {
      return { k: 'sys', sys: sysregSlot(s.sys, this.where(path)), write: s.op === 'W', save: s.save ?? null, value: this.opt(s.value, path, 'value'), pc: this.pc(path), rt: this.rt(path) };
    }
    if ('hvc' in s) return { k: 'hvc', id: hypercallId(s.hvc, this.where(path)), pc: this.pc(path) };
    if ('dev' in s) {
      if (!DEVICE_OPS.includes(s.dev)) throw new Error(`${this.where(path)}: unknown device op '${String(s.dev)}'`);
      return { k: 'dev', op: s.dev, write: s.op === 'W', value: this.opt(s.value, path, 'value'), pc: this.pc(path), rt: this.rt(path) };
    }
    if ('loop' in s) {
      return { k: 'loop', name: s.loop, from: this.expr(s.from, path, 'from'), to: this.expr(s.to, path, 'to'), step: this.opt(s.step, path, 'step'), until: this.opt(s.until, path, 'until'), body: this.steps(s.body, `${path}.body`) };
    }
    if ('when' in s) return { k: 'when', cond: this.expr(s.when, path, 'when'), then: this.steps(s.then, `${path}.then`), else: this.steps(s.else, `${path}.else`) };
    if ('set' in s) return { k: 'set', entries: Object.entries(s.set).map(([n, e]) => [n, this.expr(e, path, n)]) };
    if ('let' in s) return { k: 'let', entries: Object.entries(s.let).map(([n, e]) => [n, this.expr(e, path, n)]) };
    if ('spawn' in s) return { k: 'spawn', vcpu: this.expr(s.spawn, path, 'spawn') };
    if ('exit' in s) {
      return {
        k: 'exit', wfx: s.exit === 'WFx',
        injects: (s.inject ?? []).map((j) => ({ irq: this.expr(j.inject, path, 'inject'), level: j.level, fromVmm: j.from === 'vmm' })),
        pcSeed: hashString(`${this.p.name}/${path}`),
      };
    }
    if ('halt' in s) {
      return { k: 'halt', injects: (s.inject ?? []).map((j) => ({ irq: this.expr(j.inject, path, 'inject'), level: j.level, fromVmm: j.from === 'vmm' })) };
    }
    if ('inject' in s && 'level' in s) return { k: 'inject', irq: this.expr(s.inject, path, 'inject'), level: s.level, fromVmm: s.from === 'vmm' };
    if ('wait' in s) return { k: 'wait', us: this.expr(s.wait, path, 'wait') };
    if ('repeat' in s) return { k: 'repeat', n: this.expr(s.repeat, path, 'repeat'), body: this.steps(s.body, `${path}.body`) };
    throw new Error(`${this.where(path)}: unknown step ${JSON.stringify(s)}`);
  }

  activity(a: Activity, path: string): CompiledActivity {
    if (!(a.perSec >= 0)) throw new Error(`${this.where(path)}: perSec must be >= 0`);
    return {
      name: a.name, perSec: a.perSec, on: a.on ?? 'all',
      lets: Object.entries(a.let ?? {}).map(([n, e]) => [n, this.expr(e, path, n)]),
      gate: this.opt(a.gate, path, 'gate'), when: this.opt(a.when, path, 'when'),
      body: this.steps(a.steps, `${path}.steps`),
    };
  }
}

export function compileProfile(p: GuestProfile): CompiledProfile {
  const c = new Compiler(p);
  const rt = p.runtime;
  return {
    name: p.name,
    profile: p,
    text: hex64(p.code.text),
    mmioVa: p.code.mmioVa === 'identity' ? null : hex64(p.code.mmioVa),
    boot: c.steps(p.boot, 'boot'),
    secondary: c.steps(p.secondary, 'secondary'),
    activities: (rt?.activities ?? []).map((a, i) => c.activity(a, `runtime.activities[${i}]`)),
    driver: rt?.driver ? { irq: compileExpr(rt.driver.irq, `profile ${p.name} runtime.driver.irq`), stuck: c.steps(rt.driver.stuck, 'runtime.driver.stuck') } : null,
  };
}
