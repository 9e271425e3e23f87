import { describe, expect, it } from 'vitest';
import { compareKernelVersions, parseRuleFile, severityRank } from '../../src/rules/rule-file.ts';
import { thrownBy } from '../helpers/errors.ts';

const HEADER = `-- id: demo-rule
-- title: A demo rule
-- change: demo-change
-- kernels: 4.19 (d53c2c29ae0d)
-- compares: vgic-rev1..vgic-rev2
-- level: touch
-- severity: warn
-- doc: First line of the doc
--   continues here.
--
--   Second paragraph.
`;
const BODY = `SELECT 'vm' AS vm, 0 AS vcpu, 1 AS first_ts_ns, 2 AS last_ts_ns, 3 AS count, 4 AS example_seq, 'x' AS detail;\n`;

describe('parseRuleFile', () => {
  it('reads every header key, joins continuation lines and keeps paragraphs', () => {
    const r = parseRuleFile(HEADER + BODY, 'rules/demo-change/demo-rule.sql');
    expect(r).toMatchObject({
      id: 'demo-rule', title: 'A demo rule', change: 'demo-change', kernels: '4.19 (d53c2c29ae0d)',
      compares: 'vgic-rev1..vgic-rev2', level: 'touch', severity: 'warn', requires: [], coverage: [], visibleFrom: null,
      doc: 'First line of the doc continues here.\n\nSecond paragraph.',
    });
    expect(r.sql.startsWith('SELECT')).toBe(true);
    expect(r.sql.endsWith(';')).toBe(false);
    expect(r.sqlLine).toBe(12);
  });

  it('parses the optional keys', () => {
    const r = parseRuleFile(HEADER.replace('-- doc:', '-- requires: replay\n-- coverage: gic-mmio, sysreg\n-- visible-from: 6.3\n-- doc:') + BODY, 'x.sql');
    expect(r.requires).toEqual(['replay']);
    expect(r.coverage).toEqual(['gic-mmio', 'sysreg']);
    expect(r.visibleFrom).toBe('6.3');
  });

  it('names every missing required key and the file', () => {
    const e = thrownBy(() => parseRuleFile('-- id: a\n-- title: t\n' + BODY, 'dir/a.sql'));
    expect(e.code).toBe('E_RULE_INVALID');
    expect(e.message).toContain('dir/a.sql');
    for (const k of ['change', 'kernels', 'compares', 'level', 'severity', 'doc']) expect(e.message).toContain(`'${k}'`);
    expect(e.message).not.toContain("'title'");
  });

  it('rejects unknown keys, bad values and duplicates with the line number', () => {
    expect(thrownBy(() => parseRuleFile(HEADER.replace('-- level: touch', '-- levle: touch') + BODY, 'f.sql')).message)
      .toMatch(/^f\.sql:6: unknown header key 'levle'/);
    expect(thrownBy(() => parseRuleFile(HEADER.replace('level: touch', 'level: maybe') + BODY, 'f.sql')).message)
      .toMatch(/^f\.sql:6: level 'maybe' must be one of touch, outcome, unknown/);
    expect(thrownBy(() => parseRuleFile(HEADER.replace('severity: warn', 'severity: fatal') + BODY, 'f.sql')).message)
      .toContain("severity 'fatal' must be one of info, warn, error");
    expect(thrownBy(() => parseRuleFile(HEADER.replace('-- doc:', '-- id: again\n-- doc:') + BODY, 'f.sql')).message)
      .toMatch(/f\.sql:8: header key 'id' given twice \(first on line 1\)/);
    expect(thrownBy(() => parseRuleFile(HEADER.replace('-- doc:', '-- requires: snapshot\n-- doc:') + BODY, 'f.sql')).message)
      .toContain("requires 'snapshot' must be one of replay");
    expect(thrownBy(() => parseRuleFile(HEADER.replace('-- doc:', '-- visible-from: six\n-- doc:') + BODY, 'f.sql')).message)
      .toContain("visible-from 'six' must be a kernel version");
    expect(thrownBy(() => parseRuleFile(HEADER.replace('id: demo-rule', 'id: Demo Rule') + BODY, 'f.sql')).message)
      .toContain("id 'Demo Rule' must be lower-case");
  });

  it('rejects a free-text line after a non-text key and an empty body', () => {
    expect(thrownBy(() => parseRuleFile(HEADER.replace('-- severity: warn', '-- severity: warn\n-- stray words') + BODY, 'f.sql')).message)
      .toMatch(/^f\.sql:8: expected a '-- key: value' header line/);
    expect(thrownBy(() => parseRuleFile(HEADER, 'f.sql')).message).toMatch(/^f\.sql:12: no SQL after the header/);
  });

  it('treats key-looking lines inside doc as doc text', () => {
    const r = parseRuleFile(HEADER.replace('--   Second paragraph.', '--   Note: not a key.') + BODY, 'f.sql');
    expect(r.doc).toContain('Note: not a key.');
  });
});

describe('severity and kernel ordering', () => {
  it('orders severities and compares versions numerically', () => {
    expect(severityRank('info')).toBeLessThan(severityRank('warn'));
    expect(severityRank('warn')).toBeLessThan(severityRank('error'));
    expect(compareKernelVersions('6.10', '6.3')).toBeGreaterThan(0);
    expect(compareKernelVersions('6.3', '6.3.0')).toBe(0);
    expect(compareKernelVersions('5.19', '6.1')).toBeLessThan(0);
  });
});
