/**
 * The `-- key: value` header that opens rule files and investigation queries, and the SQL body
 * after it. Grammar (the header is the leading block of `--` lines):
 *   -- key: value          a known key; each at most once
 *   --   more text         continuation of the previous key (text keys only)
 *   --                     blank continuation: a paragraph break inside a text value
 * Key-looking lines inside a text value ("-- Note: …") are text. Errors are E_RULE_INVALID
 * naming the file and line.
 */
import { AbitraceError, E } from '../errors.ts';

export interface HeaderSpec {
  required: readonly string[];
  optional: readonly string[];
  /** Keys whose value may continue over several lines. */
  text: readonly string[];
}

export interface SqlHeader {
  /** Values with continuation lines joined by spaces and paragraphs by '\n\n'. */
  values: Map<string, string>;
  /** 1-based line of each key. */
  lines: Map<string, number>;
  /** The SQL after the header, trimmed, without a trailing ';'. */
  body: string;
  /** 1-based line where the body starts. */
  bodyLine: number;
}

const KEY_LINE_RE = /^-- ([a-z][a-z0-9-]*):(?:[ \t]+(.*))?$/;

export function headerError(path: string, line: number | null, what: string): AbitraceError {
  return new AbitraceError(E.RULE_INVALID, `${path}${line === null ? '' : `:${line}`}: ${what}`);
}

export function parseSqlHeader(text: string, path: string, spec: HeaderSpec): SqlHeader {
  const known = [...spec.required, ...spec.optional];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const raw = new Map<string, string[]>();
  const at = new Map<string, number>();
  let current: string | null = null;
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('--')) break;
    const inText = current !== null && spec.text.includes(current);
    const m = KEY_LINE_RE.exec(line);
    if (m && (known.includes(m[1]!) || !inText)) {
      const key = m[1]!;
      if (!known.includes(key)) throw headerError(path, i + 1, `unknown header key '${key}' (known: ${known.join(', ')})`);
      if (raw.has(key)) throw headerError(path, i + 1, `header key '${key}' given twice (first on line ${at.get(key)})`);
      raw.set(key, [(m[2] ?? '').trim()]);
      at.set(key, i + 1);
      current = key;
      continue;
    }
    const rest = line.slice(2).trim();
    if (!inText) {
      if (rest === '') continue; // a bare '--' outside a text value separates nothing
      throw headerError(path, i + 1, `expected a '-- key: value' header line, got '${line.slice(0, 80)}'`);
    }
    raw.get(current!)!.push(rest);
  }
  const bodyLine = i + 1;
  const body = lines.slice(i).join('\n').trim().replace(/;\s*$/, '').trim();
  const values = new Map([...raw].map(([k, v]) => [k, joinText(v)]));
  const missing = spec.required.filter((k) => (values.get(k) ?? '') === '');
  if (missing.length > 0) {
    throw headerError(path, null, `header is missing ${missing.map((k) => `'${k}'`).join(', ')} (required: ${spec.required.join(', ')})`);
  }
  if (body === '') throw headerError(path, bodyLine, 'no SQL after the header');
  return { values, lines: at, body, bodyLine };
}

/** Continuation lines join with spaces; an empty `--` line starts a new paragraph. */
function joinText(parts: string[]): string {
  return parts.join('\n').split(/\n\s*\n/).map((p) => p.split('\n').map((s) => s.trim()).filter(Boolean).join(' '))
    .filter(Boolean).join('\n\n');
}
