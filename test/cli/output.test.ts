/** The reporters in-process: hex rule, JSON number safety, CSV quoting, table fitting. */
import { describe, expect, it } from 'vitest';
import { createReporter, OutputSink, writeResult } from '../../src/cli/output/index.ts';
import { csvField } from '../../src/cli/output/csv.ts';
import { fitWidths, TableReporter } from '../../src/cli/output/table.ts';
import { isHex, jsonValue } from '../../src/cli/output/values.ts';

function render(format: string, columns: Array<{ name: string; type: string }>, rows: unknown[][], title?: string): string {
  let out = '';
  const r = format === 'narrow-table' ? new TableReporter(new OutputSink((s) => (out += s)), 40) : createReporter(format, new OutputSink((s) => (out += s)));
  writeResult(r, columns, rows, title);
  r.finish();
  return out;
}

describe('hex rule', () => {
  it('UBIGINT and address/value names are hex; counts are not; every 64-bit integer is a JSON string', () => {
    expect(isHex('anything', 'UBIGINT')).toBe(true);
    expect(isHex('offset', 'INTEGER')).toBe(true);
    expect(isHex('first_addr', 'BIGINT')).toBe(true);
    expect(isHex('count', 'BIGINT')).toBe(false);
    expect(isHex('addr', 'VARCHAR')).toBe(false);
    expect(jsonValue(0x8000084n, true)).toBe('0x8000084');
    expect(jsonValue(2n ** 53n + 1n, false)).toBe('9007199254740993');
    expect(jsonValue(-(2n ** 60n), false)).toBe('-1152921504606846976');
    // the type never depends on the magnitude: a small BIGINT is a string too; 32-bit values are numbers
    expect(jsonValue(2n ** 53n - 1n, false)).toBe('9007199254740991');
    expect(jsonValue(5n, false)).toBe('5');
    expect(jsonValue(5, false)).toBe(5);
    expect(jsonValue(16, true)).toBe('0x10');
    expect(jsonValue([1n, 2n], false, 'UBIGINT')).toEqual(['0x1', '0x2']);
    expect(jsonValue({ line: 3n, addr: 16n, n: 4 }, false)).toEqual({ line: '3', addr: '0x10', n: 4 });
  });

  it('JSON reporter: one array; sections become one object', () => {
    const cols = [{ name: 'addr', type: 'UBIGINT' }, { name: 'n', type: 'BIGINT' }, { name: 's', type: 'VARCHAR' }];
    const one = render('json', cols, [[0xffff_ffff_ffff_ffffn, 12n, 'x"y'], [null, null, null]]);
    expect(JSON.parse(one)).toEqual([{ addr: '0xffffffffffffffff', n: '12', s: 'x"y' }, { addr: null, n: null, s: null }]);
    let out = '';
    const r = createReporter('json', new OutputSink((s) => (out += s)));
    writeResult(r, cols, [[1n, 1n, 'a']], 'first');
    writeResult(r, cols, [], 'second');
    r.finish();
    expect(JSON.parse(out)).toEqual({ first: [{ addr: '0x1', n: '1', s: 'a' }], second: [] });
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180 and tells NULL from the empty string', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\r\nbreak')).toBe('"line\r\nbreak"');
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    const out = render('csv', [{ name: 'value', type: 'UBIGINT' }, { name: 'list', type: 'INTEGER[]' }], [[19n, [1, 2]]]);
    expect(out).toBe('value,list\r\n0x13,"[1,2]"\r\n'); // CRLF records
  });
});

describe('table', () => {
  it('fitWidths keeps natural widths when they fit, narrows text before numbers', () => {
    expect(fitWidths([3, 4], 120)).toEqual([3, 4]);
    // 2 columns: overhead 7; 30 columns available. Text (40) shrinks, number (18) stays.
    expect(fitWidths([40, 18], 37, [false, true])).toEqual([12, 18]);
    // Not enough even then: both shrink, never below 6.
    expect(fitWidths([40, 18], 17, [false, true])).toEqual([6, 6]);
  });

  it('a narrow terminal truncates with … and every line fits', () => {
    const out = render('narrow-table', [{ name: 'path', type: 'VARCHAR' }, { name: 'addr', type: 'UBIGINT' }],
      [['/very/long/path/to/some/trace/file.log', 0x8000084n], ['multi\nline', null]]);
    const lines = out.trimEnd().split('\n');
    for (const l of lines.slice(0, -1)) expect(l.length).toBeLessThanOrEqual(40);
    expect(out).toContain('…');
    expect(out).toContain('0x8000084');
    expect(out).toContain('multi⏎line');
    expect(out).toContain('NULL');
    expect(lines.at(-1)).toBe('(2 rows)');
  });

  it('keeps at most maxRows rows and says how many there were', () => {
    let out = '';
    const r = new TableReporter(new OutputSink((s) => (out += s)), 120, 2);
    writeResult(r, [{ name: 'n', type: 'INTEGER' }], [[1], [2], [3]]);
    r.finish();
    expect(out).toContain('(3 rows, first 2 shown; use --format csv or json for all)');
    expect(out).not.toMatch(/│\s+3 │/);
  });

  it('one row too wide for the terminal prints as column | value pairs that fit', () => {
    const columns = ['addr', 'platform', 'block', 'reg', 'summary'].map((name) => ({ name, type: name === 'addr' ? 'UBIGINT' : 'VARCHAR' }));
    const out = render('narrow-table', columns, [[0x80b0080n, 'qemu-virt', 'GICR', 'GICR_IGROUPR0', 'group of SGIs/PPIs; writability per revision']]);
    const lines = out.trimEnd().split('\n');
    for (const l of lines.slice(0, -1)) expect(l.length).toBeLessThanOrEqual(40);
    expect(lines).toContainEqual(expect.stringMatching(/^│ addr +│ 0x80b0080 +│$/));
    expect(lines).toContainEqual(expect.stringMatching(/^│ reg +│ GICR_IGROUPR0 +│$/));
    expect(lines.filter((l) => l.startsWith('│'))).toHaveLength(5);
    expect(lines.at(-1)).toBe('(1 row)');
    // two rows keep the horizontal layout
    const two = render('narrow-table', columns, [[1n, 'a', 'b', 'c', 'd'], [2n, 'a', 'b', 'c', 'd']]);
    expect(two).toMatch(/│ addr/);
    expect(two.split('\n').filter((l) => l.startsWith('│'))).toHaveLength(3);
  });

  it('rows with more columns than the width holds print as one column | value block per row', () => {
    const columns = Array.from({ length: 12 }, (_, i) => ({ name: `column_${i}`, type: 'VARCHAR' }));
    const rows = [1, 2].map((r) => columns.map((_, i) => `value ${r}.${i}`));
    const out = render('narrow-table', columns, rows);
    const lines = out.trimEnd().split('\n');
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(40);
    expect(lines.filter((l) => /^-\[ row \d ]-$/.test(l))).toEqual(['-[ row 1 ]-', '-[ row 2 ]-']);
    expect(lines).toContainEqual(expect.stringMatching(/^│ column_11 +│ value 2\.11 +│$/));
    expect(lines.at(-1)).toBe('(2 rows)');
  });
});

describe('usage errors', () => {
  it('carry the stable E_USAGE prefix and exit 2; --version prints the package version', async () => {
    const { runCli, REPO } = await import('./cli-helpers.ts');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const unknown = await runCli(['nonsense']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^abitrace: E_USAGE: unknown command 'nonsense'/);
    const choice = await runCli(['query', 'SELECT 1', '--format', 'xml']);
    expect(choice.code).toBe(2);
    expect(choice.stderr).toMatch(/^abitrace: E_USAGE: option '--format <format>' argument 'xml' is invalid/);
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);
  });
});
