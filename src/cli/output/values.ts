/**
 * How values are printed, shared by the three reporters.
 *
 * HEX RULE — an integer column is printed in hex (`0x8000084`, lower case, no padding) when
 *   (a) its type is UBIGINT or UHUGEINT (in this schema those hold addresses and register values
 *       only; counts are BIGINT), or
 *   (b) its name is one of HEX_NAMES, or ends in one of HEX_SUFFIXES (any integer type).
 * Other integers are decimal. In JSON every 64-bit integer (BIGINT, UBIGINT, HUGEINT, …) is a
 * string — hex or decimal by the rule — whatever its magnitude, so a column's JSON type never
 * depends on its values and no reader rounds one; narrower integers are numbers (in hex columns,
 * hex strings). The rule applies inside lists (element type) and structs (field names) too.
 */
import type { OutputColumn } from './reporter.ts';

export const HEX_NAMES = new Set([
  'addr', 'value', 'val', 'pc', 'gpa', 'ipa', 'base', 'size', 'stride', 'encoding', 'function_id', 'fid',
  'offset', 'mask', 'reset', 'iidr', 'hsr', 'esr', 'x0', 'r0',
]);
export const HEX_SUFFIXES = ['_addr', '_gpa', '_pc', '_base', '_value', '_offset', '_encoding', '_mask'];

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT',
  'UINTEGER', 'UBIGINT', 'UHUGEINT']);
const NUMERIC_TYPES = new Set([...INTEGER_TYPES, 'FLOAT', 'DOUBLE']);

export function isHexName(name: string): boolean {
  const n = name.toLowerCase();
  return HEX_NAMES.has(n) || HEX_SUFFIXES.some((s) => n.endsWith(s));
}

/** True when values of this (scalar) type under this name print in hex. */
export function isHex(name: string, type: string): boolean {
  const t = type.toUpperCase();
  if (t === 'UBIGINT' || t === 'UHUGEINT') return true;
  return INTEGER_TYPES.has(t) && isHexName(name);
}

export function isNumericType(type: string): boolean {
  const t = type.toUpperCase();
  return NUMERIC_TYPES.has(t) || t.startsWith('DECIMAL');
}

/** Per-column printing plan, computed once per result. */
export interface ColumnPlan {
  name: string;
  type: string;
  hex: boolean;
  /** Element type for LIST columns ('UBIGINT[]' → 'UBIGINT'), else null. */
  element: string | null;
  numeric: boolean;
}

export function planColumns(columns: readonly OutputColumn[]): ColumnPlan[] {
  return columns.map((c) => {
    const element = c.type.endsWith('[]') ? c.type.slice(0, -2) : null;
    return { name: c.name, type: c.type, hex: isHex(c.name, c.type), element, numeric: isNumericType(c.type) };
  });
}

export function toHex(v: bigint | number): string {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return String(v);
    return v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
  }
  return v < 0n ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`;
}

/** A value as JSON-able data: hex/decimal strings per the rule, nested values recursively. */
export function jsonValue(v: unknown, hex: boolean, elementType: string | null = null, name = ''): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') {
    return hex ? toHex(v) : v.toString();
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    return hex && Number.isInteger(v) ? toHex(v) : v;
  }
  if (Array.isArray(v)) {
    const elHex = elementType !== null ? isHex(name, elementType) : hex;
    const inner = elementType?.endsWith('[]') ? elementType.slice(0, -2) : null;
    return v.map((x) => jsonValue(x, elHex, inner, name));
  }
  if (typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      o[k] = jsonValue(x, isHexName(k), null, k);
    }
    return o;
  }
  return v;
}

/** A value as one line of text for table and CSV cells. NULL → null (the reporter decides). */
export function textValue(v: unknown, plan: ColumnPlan): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint' || typeof v === 'number') {
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return plan.hex ? toHex(v) : String(v);
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(jsonValue(v, plan.hex, plan.element, plan.name));
}
