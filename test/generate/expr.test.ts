/** The profile expression language: C precedence on unsigned 32-bit values, builtins, errors. */
import { describe, expect, it } from 'vitest';
import { compileExpr, hex64, type ExprContext } from '../../src/generate/expr.ts';
import { assignWeighted, parseWeighted } from '../../src/generate/weighted-mix.ts';

const ctx = (vars: Record<string, number> = {}): ExprContext => ({
  get: (n) => {
    if (!(n in vars)) throw new Error(`unknown ${n}`);
    return vars[n]!;
  },
  list: (n) => ({ spis: [33, 48, 49], empty: [] } as Record<string, number[]>)[n] ?? [],
  rand: (lo) => lo,
  aff: (v) => v & 0xf,
});
const ev = (src: string, vars?: Record<string, number>): number => compileExpr(src, 'test')(ctx(vars));

describe('expressions', () => {
  it('follow C precedence and unsigned 32-bit bit operations', () => {
    expect(ev('0x80 + 4 * n', { n: 3 })).toBe(0x8c);
    expect(ev('(typer & 0x1f) + 1', { typer: 0x7a0008 })).toBe(9);
    expect(ev('ctlr & 0x80000000 == 0', { ctlr: 0x80000000 })).toBe(0); // == binds tighter than &
    expect(ev('(ctlr & 0x80000000) == 0', { ctlr: 0x50 })).toBe(1);
    expect(ev('~2 & waker', { waker: 6 })).toBe(4);
    expect(ev('1 << 31')).toBe(0x80000000);
    expect(ev('0xffffffff >> 28')).toBe(15);
    expect(ev('0xffa0a0a0 | 0')).toBe(0xffa0a0a0);
    expect(ev('nrIrqs / 32 - 1', { nrIrqs: 288 })).toBe(8);
    expect(ev('i / 4', { i: 35 })).toBe(8);
    expect(ev('typer2 & 0x100 ? 0x113 : 0x13', { typer2: 0 })).toBe(0x13);
    expect(ev('!0 && 5 || 0')).toBe(1);
    expect(ev('-1 + 2')).toBe(1);
    expect(ev('0x4258_0000 | 0x40f')).toBe(0x4258040f);
  });

  it('has the builtins profiles use', () => {
    expect(ev('bit(spi % 32)', { spi: 33 })).toBe(2);
    expect(ev('count(spis)')).toBe(3);
    expect(ev('at(spis, 2)')).toBe(49);
    expect(ev('pick(spis)')).toBe(33);
    expect(ev('rand(5, 9)')).toBe(5);
    expect(ev('aff(17)')).toBe(1);
    expect(ev('min(3, max(1, 2))')).toBe(2);
  });

  it('reports errors with the profile step', () => {
    expect(() => compileExpr('1 +', 'profile x, boot[3] value')).toThrow(/profile x, boot\[3\] value: expression '1 \+': unexpected end/);
    expect(() => compileExpr('foo(1)', 'p')).toThrow(/unknown function foo/);
    expect(() => compileExpr('rand(1)', 'p')).toThrow(/takes 2 argument/);
    expect(() => ev('at(spis, 7)')).toThrow(/index out of range/);
    expect(() => ev('pick(empty)')).toThrow(/list is empty/);
    expect(() => ev('nope')).toThrow(/unknown nope/);
  });

  it('splits 64-bit literals exactly', () => {
    expect(hex64('0xb80000004258040f')).toEqual({ hi: 0xb8000000, lo: 0x4258040f });
    expect(hex64('0xffff800080010000')).toEqual({ hi: 0xffff8000, lo: 0x80010000 });
    expect(() => hex64('12')).toThrow();
  });
});

describe('weighted profile and VMM lists', () => {
  it('parse NAME[:weight] lists', () => {
    expect(parseWeighted('linux-gicv3:8,zephyr-secure:1')).toEqual([{ name: 'linux-gicv3', weight: 8 }, { name: 'zephyr-secure', weight: 1 }]);
    expect(parseWeighted('a, b:2.5 ,a')).toEqual([{ name: 'a', weight: 2 }, { name: 'b', weight: 2.5 }]);
    expect(parseWeighted('a:0')).toMatch(/must be a positive number/);
    expect(parseWeighted('')).toBe('empty list');
  });

  it('assign VMs in proportion to the weights, interleaved and deterministic', () => {
    const a = assignWeighted([{ name: 'l', weight: 8 }, { name: 'z', weight: 1 }], 12);
    expect(a.filter((x) => x === 'z')).toHaveLength(1);
    expect(a.filter((x) => x === 'l')).toHaveLength(11);
    expect(assignWeighted([{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }, { name: 'c', weight: 2 }], 8)).toEqual(['c', 'a', 'b', 'c', 'c', 'a', 'b', 'c']);
    expect(assignWeighted([{ name: 'a', weight: 3 }], 2)).toEqual(['a', 'a']);
  });
});
