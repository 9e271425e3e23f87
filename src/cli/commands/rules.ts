/**
 * `abitrace rules [list]` lists the rule packs; `abitrace rules show ID` prints one rule's header,
 * documentation and SQL. Rules come from the built-in queries/rules plus any --rules DIR.
 */
import { AbitraceError, E } from '../../errors.ts';
import type { RuleFile } from '../../rules/rule-file.ts';
import { BUILTIN_RULES_DIR, findRule, loadRules } from '../../rules/rule-loader.ts';
import type { CommandSpec, OptionSpec } from '../command-spec.ts';
import { createReporter, writeResult, type OutputColumn } from '../output/index.ts';

export const RULES_DIR_OPTION: OptionSpec = {
  flags: '--rules <dir>',
  description: 'also load rules from this directory (<dir>/<change>/<rule>.sql); repeatable',
  repeatable: true,
};

export const NO_BUILTIN_RULES_OPTION: OptionSpec = {
  flags: '--no-builtin-rules',
  description: 'do not load the rule packs shipped in queries/rules',
};

/** The directories the --rules / --no-builtin-rules options name, built-in first. */
export function ruleDirsFromOptions(opts: Record<string, unknown>): string[] {
  return [...(opts.builtinRules !== false ? [BUILTIN_RULES_DIR] : []), ...((opts.rules as string[] | undefined) ?? [])];
}

/** The rules the --rules / --no-builtin-rules options select. */
export function rulesFromOptions(opts: Record<string, unknown>): RuleFile[] {
  return loadRules({ dirs: (opts.rules as string[] | undefined) ?? [], builtin: opts.builtinRules !== false });
}

const V = 'VARCHAR';

function listRules(rules: readonly RuleFile[], format: string): void {
  const reporter = createReporter(format);
  if (format === 'table') {
    writeResult(reporter, ['rule', 'change', 'level', 'severity', 'title'].map((name) => ({ name, type: V })),
      rules.map((r) => [r.id, r.change, r.level, r.severity, r.requires.length > 0 ? `${r.title} [requires ${r.requires.join(', ')}]` : r.title]));
  } else {
    const columns: OutputColumn[] = ['rule', 'change', 'level', 'severity', 'title', 'compares', 'kernels', 'requires',
      'coverage', 'visible_from', 'doc', 'path'].map((name) => ({ name, type: V }));
    writeResult(reporter, columns, rules.map((r) => [r.id, r.change, r.level, r.severity, r.title, r.compares, r.kernels,
      r.requires.join(',') || null, r.coverage.join(',') || null, r.visibleFrom, r.doc, r.path]));
  }
  reporter.finish();
}

/** Header, wrapped documentation, then the SQL, as plain text (or one JSON object). */
function showRule(rule: RuleFile, format: string): void {
  if (format === 'json') {
    const { path, sqlLine: _line, id, ...rest } = rule;
    // `rule` as in `rules --format json` and the findings; `id` kept for scripts that read it
    process.stdout.write(`${JSON.stringify({ rule: id, id, ...rest, path }, null, 2)}\n`);
    return;
  }
  const lines = [
    `${rule.id}: ${rule.title}`,
    '',
    `change:    ${rule.change}`,
    `level:     ${rule.level}`,
    `severity:  ${rule.severity}`,
    `compares:  ${rule.compares}`,
    `kernels:   ${rule.kernels}`,
    ...(rule.requires.length > 0 ? [`requires:  ${rule.requires.join(', ')}`] : []),
    ...(rule.coverage.length > 0 ? [`coverage:  ${rule.coverage.join(', ')}`] : []),
    ...(rule.visibleFrom !== null ? [`visible from host kernel ${rule.visibleFrom}`] : []),
    `file:      ${rule.path}`,
    '',
    ...rule.doc.split('\n\n').flatMap((p) => [...wrap(p, 96), '']),
    '-- SQL',
    rule.sql,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') out.push(line);
  return out;
}

export const rulesCommand: CommandSpec = {
  name: 'rules',
  summary: 'list the rule packs (`rules`), or print one rule\'s documentation and SQL (`rules show ID`)',
  args: '[action] [id]',
  options: [
    RULES_DIR_OPTION,
    NO_BUILTIN_RULES_OPTION,
    { flags: '--format <format>', description: 'output format', default: 'table', choices: ['table', 'json'] },
  ],
  async run(args, opts) {
    const [action = 'list', id] = args;
    const format = String(opts.format);
    const rules = rulesFromOptions(opts);
    if (action === 'list') {
      if (id !== undefined) throw new AbitraceError(E.USAGE, `rules list takes no argument (did you mean \`abitrace rules show ${id}\`?)`);
      listRules(rules, format);
      return 0;
    }
    if (action === 'show') {
      if (id === undefined) throw new AbitraceError(E.USAGE, 'rules show needs a rule id: abitrace rules show ID (see `abitrace rules`)');
      showRule(findRule(rules, id), format);
      return 0;
    }
    throw new AbitraceError(E.USAGE, `unknown rules action '${action}': use \`abitrace rules\` or \`abitrace rules show ID\``);
  },
};
