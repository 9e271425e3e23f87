/**
 * Finds rule files: `<dir>/<change>/<rule>.sql` (or `<dir>/<rule>.sql`), parses each, and checks
 * that ids are unique and that file and directory names agree with the header, so
 * `abitrace rules show ID` and `--change` find what the tree suggests.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AbitraceError, E } from '../errors.ts';
import { parseRuleFile, type RuleFile } from './rule-file.ts';

/** The rule packs shipped with abitrace, resolved from this file, not from the working directory. */
export const BUILTIN_RULES_DIR = fileURLToPath(new URL('../../queries/rules', import.meta.url));

export interface LoadRulesOptions {
  /** Extra rule directories, loaded after the built-in packs. */
  dirs?: readonly string[];
  /** Load BUILTIN_RULES_DIR too (default true). */
  builtin?: boolean;
}

/** Loads and validates every rule; sorted by change, then id. */
export function loadRules(options: LoadRulesOptions = {}): RuleFile[] {
  const dirs = [...(options.builtin ?? true ? [BUILTIN_RULES_DIR] : []), ...(options.dirs ?? [])];
  if (dirs.length === 0) throw new AbitraceError(E.USAGE, 'no rule directories: give --rules DIR or drop --no-builtin-rules');
  const byId = new Map<string, RuleFile>();
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new AbitraceError(E.FILE_NOT_FOUND, `rule directory ${dir} does not exist`);
    }
    for (const path of sqlFilesUnder(dir)) {
      const rule = parseRuleFile(readFileSync(path, 'utf8'), path);
      checkPlacement(rule, dir);
      const other = byId.get(rule.id);
      if (other) throw new AbitraceError(E.RULE_INVALID, `${path}: rule id '${rule.id}' is also defined in ${other.path}`);
      byId.set(rule.id, rule);
    }
  }
  return [...byId.values()].sort((a, b) => a.change.localeCompare(b.change) || a.id.localeCompare(b.id));
}

function sqlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sqlFilesUnder(p));
    else if (entry.isFile() && entry.name.endsWith('.sql')) out.push(p);
  }
  return out;
}

/** `<rule>.sql` must match the id; a file inside a sub-directory must sit in its change's directory. */
function checkPlacement(rule: RuleFile, root: string): void {
  const file = basename(rule.path, '.sql');
  if (file !== rule.id) {
    throw new AbitraceError(E.RULE_INVALID, `${rule.path}: file name '${file}.sql' does not match id '${rule.id}' (name it ${rule.id}.sql)`);
  }
  const rel = relative(root, dirname(rule.path));
  if (rel !== '' && rel.split(sep).at(-1) !== rule.change) {
    throw new AbitraceError(E.RULE_INVALID,
      `${rule.path}: change '${rule.change}' does not match its directory '${rel}' (rules live in <dir>/<change>/<rule>.sql)`);
  }
}

/** Rules of the given changes (all when none given); an unknown change is E_RULE_UNKNOWN. */
export function selectChanges(rules: readonly RuleFile[], changes: readonly string[] | undefined): RuleFile[] {
  if (!changes || changes.length === 0) return [...rules];
  const known = new Set(rules.map((r) => r.change));
  for (const c of changes) {
    if (!known.has(c)) throw new AbitraceError(E.RULE_UNKNOWN, `no rules for change '${c}' (known: ${[...known].join(', ')})`);
  }
  return rules.filter((r) => changes.includes(r.change));
}

/** The rule with this id, or E_RULE_UNKNOWN listing the ids that exist. */
export function findRule(rules: readonly RuleFile[], id: string): RuleFile {
  const rule = rules.find((r) => r.id === id);
  if (!rule) throw new AbitraceError(E.RULE_UNKNOWN, `no rule '${id}' (known: ${rules.map((r) => r.id).join(', ')})`);
  return rule;
}
