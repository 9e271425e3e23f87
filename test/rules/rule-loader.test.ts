import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, findRule, loadRules, selectChanges } from '../../src/rules/rule-loader.ts';
import { thrownBy } from '../helpers/errors.ts';

function ruleText(id: string, change: string): string {
  return `-- id: ${id}\n-- title: t\n-- change: ${change}\n-- kernels: k\n-- compares: a..b\n-- level: touch\n-- severity: info\n-- doc: d\nSELECT 1\n`;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'abitrace-rules-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function put(rel: string, text: string): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

describe('built-in rule packs', () => {
  it('load from the package directory whatever the working directory', () => {
    const cwd = process.cwd();
    process.chdir(tmpdir());
    try {
      const rules = loadRules();
      expect(rules.every((r) => r.path.startsWith(BUILTIN_RULES_DIR))).toBe(true);
      expect([...new Set(rules.map((r) => r.change))].sort()).toEqual([
        'cache-geometry', 'hypercall-bitmaps', 'id-registers', 'new-traps-unchanged-values', 'psci-version', 'smccc-workaround-1',
        'vgic-iidr-read', 'vgic-iidr-rev1-rev2', 'vgic-iidr-rev2-rev3', 'vgic-nassgi',
      ]);
    } finally {
      process.chdir(cwd);
    }
  });

  it('every rule of a change that compares revisions declares what coverage it needs', () => {
    for (const r of loadRules()) expect(r.coverage.length, r.id).toBeGreaterThan(0);
  });
});

describe('loadRules on user directories', () => {
  it('adds user rules after the built-ins, sorted by change then id, or alone with builtin=false', () => {
    put('zeta/b-rule.sql', ruleText('b-rule', 'zeta'));
    put('zeta/a-rule.sql', ruleText('a-rule', 'zeta'));
    put('flat-rule.sql', ruleText('flat-rule', 'alpha'));
    const only = loadRules({ dirs: [dir], builtin: false });
    expect(only.map((r) => r.id)).toEqual(['flat-rule', 'a-rule', 'b-rule']);
    const both = loadRules({ dirs: [dir] });
    expect(both.length).toBe(loadRules().length + 3);
  });

  it('rejects duplicate ids naming both files', () => {
    const a = put('one/dup.sql', ruleText('dup', 'one'));
    put('two/dup.sql', ruleText('dup', 'two'));
    const e = thrownBy(() => loadRules({ dirs: [dir], builtin: false }));
    expect(e.code).toBe('E_RULE_INVALID');
    expect(e.message).toContain(a);
    expect(e.message).toContain(join(dir, 'two', 'dup.sql'));
  });

  it('rejects a file name that differs from the id and a directory that differs from the change', () => {
    put('one/other-name.sql', ruleText('the-id', 'one'));
    expect(thrownBy(() => loadRules({ dirs: [dir], builtin: false })).message).toContain("does not match id 'the-id'");
    rmSync(join(dir, 'one'), { recursive: true });
    put('wrong-dir/the-id.sql', ruleText('the-id', 'one'));
    expect(thrownBy(() => loadRules({ dirs: [dir], builtin: false })).message).toContain("change 'one' does not match its directory 'wrong-dir'");
  });

  it('reports a missing directory and unknown change or rule ids', () => {
    expect(thrownBy(() => loadRules({ dirs: [join(dir, 'nope')] })).code).toBe('E_FILE_NOT_FOUND');
    const rules = loadRules();
    const e = thrownBy(() => selectChanges(rules, ['no-such-change']));
    expect(e.code).toBe('E_RULE_UNKNOWN');
    expect(e.message).toContain('vgic-iidr-rev1-rev2');
    expect(selectChanges(rules, ['psci-version']).every((r) => r.change === 'psci-version')).toBe(true);
    expect(findRule(rules, 'iidr-read').change).toBe('vgic-iidr-read');
    expect(thrownBy(() => findRule(rules, 'nope')).code).toBe('E_RULE_UNKNOWN');
  });
});
