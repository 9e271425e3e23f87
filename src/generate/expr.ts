/**
 * The tiny expression language of guest profiles: offsets, values, loop bounds and conditions
 * are strings such as `'0x6000 + 8 * i'`, `'ctlr | 1'` or `'(typer >> 17) & 1'`, compiled once
 * into closures. C operators and precedence on unsigned 32-bit values (bitwise results are
 * `>>> 0`; `>>` is a logical shift), comparisons and `&& || !` yield 1/0, `/` divides and floors,
 * `c ? a : b` selects. Identifiers are variables (looked up at run time); calls are the builtins
 * listed in FUNCTIONS: rand(a, b), pick(list), count(list), at(list, i), aff(vcpu), min, max, bit(n). Profiles stay data: no profile carries code of its own.
 */

export type Expr = string | number;

export interface ExprContext {
  /** Value of a variable; throws for an unknown name. */
  get(name: string): number;
  /** A named constant list of the profile or platform (device SPIs, LPIs, …). */
  list(name: string): readonly number[];
  /** Uniform integer in [lo, hi], from the executing thread's stream. */
  rand(lo: number, hi: number): number;
  /** IROUTER-format affinity (Aff2 << 16 | Aff1 << 8 | Aff0) of a vCPU index. */
  aff(vcpu: number): number;
}

export type Compiled = (ctx: ExprContext) => number;

export class ExprError extends Error {}

const FUNCTIONS: Record<string, number> = { rand: 2, pick: 1, count: 1, at: 2, aff: 1, min: 2, max: 2, bit: 1 };

type Tok = { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'op'; v: string };

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '(', ')', ',', '?', ':'];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let j = i;
      if (src[i] === '0' && (src[i + 1] === 'x' || src[i + 1] === 'X')) {
        j = i + 2;
        while (j < src.length && /[0-9a-fA-F_]/.test(src[j]!)) j++;
      } else {
        while (j < src.length && /[0-9_]/.test(src[j]!)) j++;
      }
      const text = src.slice(i, j).replace(/_/g, '');
      const v = Number(text);
      if (!Number.isFinite(v) || v > Number.MAX_SAFE_INTEGER) throw new ExprError(`bad number '${text}'`);
      out.push({ t: 'num', v });
      i = j;
      continue;
    }
    if (/[A-Za-z_.]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z0-9_.]/.test(src[j]!)) j++;
      out.push({ t: 'id', v: src.slice(i, j) });
      i = j;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprError(`unexpected '${c}'`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

/** Binary operators by precedence level, loosest first (C order). */
const LEVELS: string[][] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

function binary(op: string, a: Compiled, b: Compiled): Compiled {
  switch (op) {
    case '||': return (c) => (a(c) !== 0 || b(c) !== 0 ? 1 : 0);
    case '&&': return (c) => (a(c) !== 0 && b(c) !== 0 ? 1 : 0);
    case '|': return (c) => (a(c) | b(c)) >>> 0;
    case '^': return (c) => (a(c) ^ b(c)) >>> 0;
    case '&': return (c) => (a(c) & b(c)) >>> 0;
    case '==': return (c) => (a(c) === b(c) ? 1 : 0);
    case '!=': return (c) => (a(c) !== b(c) ? 1 : 0);
    case '<': return (c) => (a(c) < b(c) ? 1 : 0);
    case '>': return (c) => (a(c) > b(c) ? 1 : 0);
    case '<=': return (c) => (a(c) <= b(c) ? 1 : 0);
    case '>=': return (c) => (a(c) >= b(c) ? 1 : 0);
    case '<<': return (c) => (a(c) << (b(c) & 31)) >>> 0;
    case '>>': return (c) => a(c) >>> (b(c) & 31);
    case '+': return (c) => a(c) + b(c);
    case '-': return (c) => a(c) - b(c);
    case '*': return (c) => a(c) * b(c);
    case '/': return (c) => Math.floor(a(c) / b(c));
    case '%': return (c) => a(c) % b(c);
  }
  throw new ExprError(`operator ${op}`);
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  parse(): Compiled {
    const e = this.ternary();
    if (this.i !== this.toks.length) throw new ExprError(`unexpected '${this.peekText()}'`);
    return e;
  }

  private peekText(): string {
    const t = this.toks[this.i];
    return t === undefined ? 'end' : String(t.v);
  }

  private isOp(v: string): boolean {
    const t = this.toks[this.i];
    return t !== undefined && t.t === 'op' && t.v === v;
  }

  private expect(v: string): void {
    if (!this.isOp(v)) throw new ExprError(`expected '${v}' at '${this.peekText()}'`);
    this.i++;
  }

  private ternary(): Compiled {
    const cond = this.level(0);
    if (!this.isOp('?')) return cond;
    this.i++;
    const a = this.ternary();
    this.expect(':');
    const b = this.ternary();
    return (c) => (cond(c) !== 0 ? a(c) : b(c));
  }

  private level(n: number): Compiled {
    if (n >= LEVELS.length) return this.unary();
    let left = this.level(n + 1);
    for (;;) {
      const t = this.toks[this.i];
      if (t === undefined || t.t !== 'op' || !LEVELS[n]!.includes(t.v)) return left;
      this.i++;
      left = binary(t.v, left, this.level(n + 1));
    }
  }

  private unary(): Compiled {
    if (this.isOp('-')) {
      this.i++;
      const a = this.unary();
      return (c) => -a(c);
    }
    if (this.isOp('~')) {
      this.i++;
      const a = this.unary();
      return (c) => ~a(c) >>> 0;
    }
    if (this.isOp('!')) {
      this.i++;
      const a = this.unary();
      return (c) => (a(c) === 0 ? 1 : 0);
    }
    return this.primary();
  }

  private primary(): Compiled {
    const t = this.toks[this.i++];
    if (t === undefined) throw new ExprError('unexpected end');
    if (t.t === 'num') {
      const v = t.v;
      return () => v;
    }
    if (t.t === 'op') {
      if (t.v !== '(') throw new ExprError(`unexpected '${t.v}'`);
      const e = this.ternary();
      this.expect(')');
      return e;
    }
    const name = t.v;
    if (!this.isOp('(')) return (c) => c.get(name);
    this.i++;
    const arity = FUNCTIONS[name];
    if (arity === undefined) throw new ExprError(`unknown function ${name}()`);
    if (name === 'pick' || name === 'count' || name === 'at') {
      const lt = this.toks[this.i++];
      if (lt === undefined || lt.t !== 'id') throw new ExprError(`${name}() takes a list name`);
      const list = lt.v;
      if (name === 'at') {
        this.expect(',');
        const index = this.ternary();
        this.expect(')');
        return (c) => {
          const l = c.list(list);
          const v = l[index(c)];
          if (v === undefined) throw new ExprError(`at(${list}, ${index(c)}): index out of range`);
          return v;
        };
      }
      this.expect(')');
      if (name === 'count') return (c) => c.list(list).length;
      return (c) => {
        const l = c.list(list);
        if (l.length === 0) throw new ExprError(`pick(${list}): the list is empty`);
        return l[c.rand(0, l.length - 1)]!;
      };
    }
    const args: Compiled[] = [];
    while (!this.isOp(')')) {
      if (args.length > 0) this.expect(',');
      args.push(this.ternary());
    }
    this.i++;
    if (args.length !== arity) throw new ExprError(`${name}() takes ${arity} argument(s)`);
    const [a, b] = args as [Compiled, Compiled];
    switch (name) {
      case 'rand': return (c) => c.rand(a(c), b(c));
      case 'aff': return (c) => c.aff(a(c));
      case 'min': return (c) => Math.min(a(c), b(c));
      case 'max': return (c) => Math.max(a(c), b(c));
      case 'bit': return (c) => (1 << (a(c) & 31)) >>> 0;
    }
    throw new ExprError(`function ${name}`);
  }
}

const cache = new Map<string, Compiled>();

/** Compiles an expression; `where` names the profile step for error messages. */
export function compileExpr(src: Expr, where: string): Compiled {
  if (typeof src === 'number') {
    if (!Number.isFinite(src)) throw new ExprError(`${where}: not a number`);
    return () => src;
  }
  let f = cache.get(src);
  if (f === undefined) {
    try {
      f = new Parser(tokenize(src)).parse();
    } catch (e) {
      throw new ExprError(`${where}: expression '${src}': ${(e as Error).message}`);
    }
    cache.set(src, f);
  }
  return f;
}

/** Splits a 64-bit hex literal string ('0xb80000004258040f') into exact lo/hi words. */
export function hex64(src: string): { lo: number; hi: number } {
  const m = /^0x([0-9a-fA-F_]{1,19})$/.exec(src.trim());
  if (!m) throw new ExprError(`not a 64-bit hex literal: '${src}'`);
  const digits = m[1]!.replace(/_/g, '').padStart(16, '0');
  if (digits.length > 16) throw new ExprError(`more than 64 bits: '${src}'`);
  return { hi: parseInt(digits.slice(0, 8), 16) >>> 0, lo: parseInt(digits.slice(8), 16) >>> 0 };
}
