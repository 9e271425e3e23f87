/**
 * One rule: a DuckDB SQL file whose header of `-- key: value` lines says what ABI change it
 * belongs to and how bad a finding is, and whose body is a single SELECT returning finding rows.
 * This module parses and validates the text only; the loader finds files, the runner executes.
 * The header grammar is in sql-header.ts.
 */
import { headerError, parseSqlHeader, type HeaderSpec } from './sql-header.ts';

export const RULE_LEVELS = ['touch', 'outcome', 'unknown'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

export const RULE_SEVERITIES = ['info', 'warn', 'error'] as const;
export type RuleSeverity = (typeof RULE_SEVERITIES)[number];

/** What must exist before a rule can be evaluated; unmet requirements skip it, not fail it. */
export const RULE_REQUIREMENTS = ['replay'] as const;
export type RuleRequirement = (typeof RULE_REQUIREMENTS)[number];

/**
 * Which of a VM's accesses must be present in the trace for "no finding" to mean "not touched":
 * a VM with no GIC MMIO at all (tracepoint off, QEMU log of a KVM guest) proves nothing about IGROUPR.
 */
export const RULE_COVERAGES = ['gic-mmio', 'sysreg', 'hypercall'] as const;
export type RuleCoverage = (typeof RULE_COVERAGES)[number];

/** Columns every rule must return, in this order when stored. */
export const FINDING_COLUMNS = ['vm', 'vcpu', 'first_ts_ns', 'last_ts_ns', 'count', 'example_seq', 'detail'] as const;
/** Columns a rule may also return. */
export const OPTIONAL_FINDING_COLUMNS = ['import_id'] as const;

const REQUIRED_KEYS = ['id', 'title', 'change', 'kernels', 'compares', 'level', 'severity', 'doc'] as const;
const OPTIONAL_KEYS = ['requires', 'coverage', 'visible-from'] as const;
export const RULE_HEADER: HeaderSpec = { required: REQUIRED_KEYS, optional: OPTIONAL_KEYS, text: ['doc', 'title', 'kernels'] };

const NAME_RE = /^[a-z0-9][a-z0-9-]*$/;
const VERSION_RE = /^\d+\.\d+$/;

export interface RuleFile {
  id: string;
  title: string;
  change: string;
  kernels: string;
  compares: string;
  level: RuleLevel;
  severity: RuleSeverity;
  /** Paragraphs separated by '\n\n'; lines within a paragraph joined with spaces. */
  doc: string;
  requires: RuleRequirement[];
  coverage: RuleCoverage[];
  /** Host kernel version from which the trace signature exists (e.g. '6.3': cache-ID traps). */
  visibleFrom: string | null;
  /** The SELECT statement, without a trailing ';'. */
  sql: string;
  /** Path as given to the loader, for error messages. */
  path: string;
  /** 1-based line of the first body line, for error messages. */
  sqlLine: number;
}

/** Parses and validates a rule file's text. Throws E_RULE_INVALID naming the file, line and problem. */
export function parseRuleFile(text: string, path: string): RuleFile {
  const { values, lines, body, bodyLine } = parseSqlHeader(text, path, RULE_HEADER);
  const get = (k: string): string => values.get(k) ?? '';
  const at = (k: string): number | null => lines.get(k) ?? null;

  const id = get('id');
  if (!NAME_RE.test(id)) throw headerError(path, at('id'), `id '${id}' must be lower-case letters, digits and '-'`);
  const change = get('change');
  if (!NAME_RE.test(change)) throw headerError(path, at('change'), `change '${change}' must be lower-case letters, digits and '-'`);
  const level = get('level');
  if (!(RULE_LEVELS as readonly string[]).includes(level)) {
    throw headerError(path, at('level'), `level '${level}' must be one of ${RULE_LEVELS.join(', ')}`);
  }
  const severity = get('severity');
  if (!(RULE_SEVERITIES as readonly string[]).includes(severity)) {
    throw headerError(path, at('severity'), `severity '${severity}' must be one of ${RULE_SEVERITIES.join(', ')}`);
  }
  const requires = listOf(values.get('requires'), RULE_REQUIREMENTS, 'requires', path, at('requires'));
  const coverage = listOf(values.get('coverage'), RULE_COVERAGES, 'coverage', path, at('coverage'));
  const visibleFrom = values.get('visible-from') ?? null;
  if (visibleFrom !== null && !VERSION_RE.test(visibleFrom)) {
    throw headerError(path, at('visible-from'), `visible-from '${visibleFrom}' must be a kernel version like 6.3`);
  }
  return {
    id, title: get('title'), change, kernels: get('kernels'), compares: get('compares'),
    level: level as RuleLevel, severity: severity as RuleSeverity, doc: get('doc'),
    requires, coverage, visibleFrom, sql: body, path, sqlLine: bodyLine,
  };
}

function listOf<T extends string>(raw: string | undefined, allowed: readonly T[], key: string, path: string, line: number | null): T[] {
  if (raw === undefined) return [];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const it of items) {
    if (!(allowed as readonly string[]).includes(it)) throw headerError(path, line, `${key} '${it}' must be one of ${allowed.join(', ')}`);
  }
  return items as T[];
}

const SEVERITY_RANK: Record<RuleSeverity, number> = { info: 0, warn: 1, error: 2 };

/** info < warn < error. */
export function severityRank(s: RuleSeverity): number {
  return SEVERITY_RANK[s];
}

/** Compares dotted kernel versions numerically ('6.10' > '6.3'). */
export function compareKernelVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let k = 0; k < Math.max(pa.length, pb.length); k++) {
    const d = (pa[k] ?? 0) - (pb[k] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
