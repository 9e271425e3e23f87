/**
 * The end-to-end demo: import the bundled traces into a fresh database, replay them under every
 * IIDR revision, run the rule packs, and explain the result in plain language.
 */
import { rmSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AbitraceError, E } from '../errors.ts';
import { importFiles } from '../importer/import-files.ts';
import { DEFAULT_REVISIONS } from '../replay/engine.ts';
import { runReplay } from '../replay/run-replay.ts';
import { runCheck } from '../rules/check-run.ts';
import { BUILTIN_RULES_DIR, loadRules } from '../rules/rule-loader.ts';
import { Database } from '../store/database.ts';
import { composeVerdict, type DemoImport } from './verdict.ts';

/** `traces/` of this checkout, wherever the command is run from. */
export const BUNDLED_TRACES = fileURLToPath(new URL('../../traces', import.meta.url));

export interface DemoOptions {
  db: string;
  traces?: string[];
  /** Where progress lines go (the verdict is returned). */
  log?: (line: string) => void;
}

export interface DemoResult {
  lines: string[];
  seconds: number;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  const traces = options.traces ?? [BUNDLED_TRACES];
  // The demo database is rebuilt from scratch so every run tells the same story.
  for (const f of [options.db, `${options.db}.wal`, `${options.db}.arrow`]) rmSync(f, { recursive: true, force: true });

  log(`importing ${traces.map((t) => relative(process.cwd(), t) || '.').join(', ')} …`);
  const report = await importFiles(traces, { db: options.db, arrowCache: true });
  const failed = report.results.find((r) => r.status === 'failed');
  if (failed && failed.status === 'failed') throw failed.error;
  const imports: DemoImport[] = [];
  for (const r of report.results) {
    if (r.status !== 'imported') continue;
    imports.push({ importId: r.importId, path: relative(process.cwd(), r.path), variant: r.summary.variant, vms: r.vms, accesses: r.rows });
  }
  if (imports.length === 0) throw new AbitraceError(E.NO_DATA, `no trace found under ${traces.join(', ')}`);

  const db = await Database.open(options.db);
  try {
    log(`replaying under GICD_IIDR revisions ${DEFAULT_REVISIONS.join(', ')} …`);
    const replay = await runReplay(db, { revisions: [...DEFAULT_REVISIONS], store: true });
    log('running the rule packs …');
    const check = await runCheck(db, loadRules(), { failOn: 'never', hostKernel: null, ruleDirs: [BUILTIN_RULES_DIR], changes: [] });
    const lines = composeVerdict({ dbPath: relative(process.cwd(), options.db) || options.db, imports, replay: replay.imports, check, cli: 'npx abitrace' });
    return { lines, seconds: (performance.now() - t0) / 1000 };
  } finally {
    db.close();
  }
}
