/**
 * Imports real trace text through the real importer into a fresh database file, then runs the
 * built-in rules of the given changes on it: what the rule-pack fixture tests assert against.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayoutOverrides } from '../../../src/gic/layout.ts';
import { importFiles } from '../../../src/importer/import-files.ts';
import { runCheck, type CheckReport, type FailOn } from '../../../src/rules/check-run.ts';
import { loadRules, selectChanges } from '../../../src/rules/rule-loader.ts';
import { Database } from '../../../src/store/database.ts';

export const FIXTURES = new URL('../../fixtures/rules/', import.meta.url).pathname;

export class ImportedFixture {
  private constructor(readonly db: Database, readonly dbPath: string, private readonly dir: string) {}

  /**
   * Imports `paths` (relative to test/fixtures/rules unless absolute) into a temporary database and
   * opens it (read-only when asked, as `abitrace query` does).
   */
  static async create(paths: readonly string[], { vm, readOnly = false, layout }: { vm?: string; readOnly?: boolean; layout?: LayoutOverrides } = {}): Promise<ImportedFixture> {
    const dir = mkdtempSync(join(tmpdir(), 'abitrace-fixture-'));
    const dbPath = join(dir, 'fixture.duckdb');
    const report = await importFiles(paths.map((p) => (p.startsWith('/') ? p : join(FIXTURES, p))),
      { db: dbPath, arrowCache: false, progress: false, strict: true, ...(vm ? { vm } : {}), ...(layout ? { layout } : {}) });
    if (report.failed > 0 || report.imported !== paths.length) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`fixture import failed: ${JSON.stringify(report.results.map((r) => r.status))}`);
    }
    return new ImportedFixture(await Database.open(dbPath, { create: false, readOnly }), dbPath, dir);
  }

  /** Runs the built-in rules of these changes (all when none) and returns the report. */
  async check(changes: readonly string[] = [], options: { hostKernel?: string; failOn?: FailOn } = {}): Promise<CheckReport> {
    return runCheck(this.db, selectChanges(loadRules(), changes), {
      failOn: options.failOn ?? 'error', hostKernel: options.hostKernel ?? null, ruleDirs: [], changes,
    });
  }

  /** Closes the database (so another open, e.g. the CLI's, can take it); close() still cleans up. */
  closeDb(): void {
    this.db.close();
  }

  close(): void {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Findings as compact tuples: [rule, vm, vcpu, count, example_seq, detail], in report order. */
export function findingTuples(report: CheckReport): Array<[string, string, number | null, number, number | null, string]> {
  return report.findings.map((f) => [f.rule, f.vm, f.vcpu, f.count, f.example_seq, f.detail]);
}

/** The per-change counts of one change: [vms, touched, differs, unknown, full, gaps, not observable]. */
export function changeCounts(report: CheckReport, change: string): number[] {
  const c = report.changes.find((x) => x.change === change);
  if (!c) throw new Error(`no summary for ${change}`);
  return [c.vms, c.touched, c.differs, c.unknown, c.unseen_full_coverage, c.unseen_with_gaps, c.unseen_not_observable];
}
