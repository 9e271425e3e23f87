/**
 * `abitrace replay [<trace>]`: replays every VM's GIC accesses against the emulated KVM vGIC under
 * each compared revision (default 1,2,3) and prints, per VM × revision pair, whether the guest
 * only touched revision-dependent registers or saw a different outcome. Results are also stored
 * in the database (replay_runs, replay_verdicts, divergences, …) unless --no-store.
 *
 * Exit codes: 0 no observed divergence; 1 at least one observed divergence on a register not set
 * aside with --ignore (a different value read, or an interrupt signalled differently); 2 usage or
 * input errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbitraceError, E } from '../../errors.ts';
import { importFiles } from '../../importer/import-files.ts';
import { profileById, PROFILES } from '../../emulator/profiles.ts';
import { DEFAULT_REVISIONS } from '../../replay/engine.ts';
import { replayExitCode, runReplay, type ImportReplay, type ReplayRun } from '../../replay/run-replay.ts';
import type { StoryLine } from '../../replay/types.ts';
import { REPLAY_SCHEMA } from '../../replay/types.ts';
import { Database } from '../../store/database.ts';
import { REGISTER_NAMES } from '../../gic/catalogue.ts';
import { DB_OPTION, type CommandSpec } from '../command-spec.ts';
import { createReporter, writeResult, type OutputColumn } from '../output/index.ts';

const col = (name: string, type = 'VARCHAR'): OutputColumn => ({ name, type });

function parseRevisions(text: string): string[] {
  const revs = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (revs.length < 2) throw new AbitraceError(E.USAGE, `--revisions needs at least two revisions, e.g. 1,2,3 (got '${text}')`);
  for (const r of revs) profileById(r);
  if (new Set(revs).size !== revs.length) throw new AbitraceError(E.USAGE, `--revisions lists a revision twice: '${text}'`);
  return revs;
}

function parsePositiveInt(flag: string, text: unknown): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new AbitraceError(E.USAGE, `${flag} expects a positive integer, got '${String(text)}'`);
  return n;
}

type ImportResult = ImportReplay;

export const replayCommand: CommandSpec = {
  name: 'replay',
  summary: 'replay GIC accesses against the emulated vGIC under each IIDR revision: touched vs. different outcome',
  args: '[trace]',
  options: [
    DB_OPTION,
    { flags: '--revisions <list>', description: `revisions to compare pairwise (${PROFILES.map((p) => p.id).join(', ')})`, default: DEFAULT_REVISIONS.join(',') },
    { flags: '--host-revision <n>', description: 'revision the host ran (default: from the recorded GICD_IIDR read, else 3)' },
    { flags: '--import <id>', description: 'replay only this import (repeatable)', repeatable: true },
    { flags: '--where <sql>', description: 'replay only accesses matching this condition on the accesses view (read through DuckDB)' },
    { flags: '--from-reset', description: 'assume every VM starts from the reset state even without a visible boot', default: false },
    { flags: '--nr-irqs <n>', description: 'nr_irqs for VMs whose trace has no GICD_TYPER read (default 256)' },
    { flags: '--ignore <register>', description: 'set a known-benign difference aside, e.g. GICD_IIDR (repeatable)', repeatable: true },
    { flags: '--explain <vm>', description: 'print the accesses around the VM\'s first divergence as a story' },
    { flags: '--no-store', description: 'do not write the results to the database (opens it read-only)' },
    { flags: '--format <format>', description: 'output format', default: 'table', choices: ['table', 'json'] },
  ],
  async run(args, opts) {
    const revisions = parseRevisions(String(opts.revisions ?? DEFAULT_REVISIONS.join(',')));
    const hostRevision = opts.hostRevision === undefined ? undefined : profileById(String(opts.hostRevision)).id;
    const nrIrqs = opts.nrIrqs === undefined ? undefined : parsePositiveInt('--nr-irqs', opts.nrIrqs);
    if (nrIrqs !== undefined && (nrIrqs % 32 !== 0 || nrIrqs < 64 || nrIrqs > 992))
      throw new AbitraceError(E.USAGE, `--nr-irqs must be a multiple of 32 in 64..992 (KVM's rule), got ${nrIrqs}`);
    const ignore = ((opts.ignore as string[] | undefined) ?? []).map((r) => r.toUpperCase());
    for (const r of ignore) if (!REGISTER_NAMES.includes(r)) throw new AbitraceError(E.REGISTER_UNKNOWN, `--ignore ${r}: no such register in the catalogue (see abitrace registers)`);
    const onlyImports = ((opts.import as string[] | undefined) ?? []).map((x) => parsePositiveInt('--import', x));
    const where = opts.where === undefined ? null : String(opts.where);
    const store = opts.store !== false;

    // A trace file without a database: import it into a temporary one first.
    let tmp: string | null = null;
    let dbPath = String(opts.db);
    if (args[0] !== undefined) {
      tmp = mkdtempSync(join(tmpdir(), 'abitrace-replay-'));
      dbPath = join(tmp, 'replay.duckdb');
      const report = await importFiles([args[0]], { db: dbPath, arrowCache: true });
      const failed = report.results.find((r) => r.status === 'failed');
      if (failed && failed.status === 'failed') { rmSync(tmp, { recursive: true, force: true }); throw failed.error; }
    }
    try {
      const db = await Database.open(dbPath, { readOnly: !store, create: false });
      let run: ReplayRun;
      try {
        run = await runReplay(db, {
          revisions, hostRevision, imports: onlyImports, where, fromReset: opts.fromReset === true, nrIrqs, ignore,
          explainVm: opts.explain === undefined ? undefined : String(opts.explain), store,
        });
      } finally {
        db.close();
      }
      const results = run.imports;
      if (opts.format === 'json') printJson(results, revisions);
      else printTable(results, opts.explain !== undefined);
      return replayExitCode(run);
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  },
};

function printJson(results: ImportResult[], revisions: string[]): void {
  const withImport = <T extends object>(importId: number, rows: T[]) => rows.map((r) => ({ import_id: importId, ...r }));
  const doc = {
    schema: REPLAY_SCHEMA,
    revisions,
    imports: results.map((r) => ({ import_id: r.importId, path: r.path, read_via: r.via, ...r.result.stats })),
    vms: results.flatMap((r) => withImport(r.importId, r.result.vms)),
    rollup: results.flatMap((r) => withImport(r.importId, r.result.rollup)),
    verdicts: results.flatMap((r) => withImport(r.importId, r.result.verdicts)),
    divergences: results.flatMap((r) => withImport(r.importId, r.result.divergences)),
    fidelity: results.flatMap((r) => withImport(r.importId, r.result.fidelity)),
    story: results.map((r) => r.result.story).find((s) => s !== null) ?? null,
  };
  // 64-bit timestamps as decimal strings: wall-clock nanoseconds exceed 2^53
  process.stdout.write(`${JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 1)}\n`);
}

function printTable(results: ImportResult[], explain: boolean): void {
  const reporter = createReporter('table');
  const rows: unknown[][] = [];
  for (const { importId, result } of results) {
    const fid = new Map(result.fidelity.map((f) => [f.vm, f]));
    const vmInfo = new Map(result.vms.map((v) => [v.vm, v]));
    for (const r of result.rollup) {
      const f = fid.get(r.vm);
      const v = vmInfo.get(r.vm);
      const regs = r.divergent_registers.map((x) => (r.observed_registers.includes(x) ? x : `${x} (latent)`));
      if (r.delivery_divergences > 0) regs.push(`${r.delivery_divergences} IRQ deliveries`);
      const notes = [v?.state_origin.startsWith('unknown') ? 'mid-life start' : '', r.data_loss ? 'lost events in window' : '',
        r.ignored_registers.length > 0 ? `ignored ${r.ignored_registers.join(',')}` : ''].filter(Boolean).join('; ');
      // '' rather than NULL: this is a report for people, not a query result
      rows.push([importId, r.vm, `${r.from}→${r.to}`, r.verdict, regs.join(', '), r.unknown_registers.join(', '),
        f ? `rev ${f.revision}: ${f.mismatches}/${f.compared}${f.mismatches_expected ? ' (QEMU)' : ''}` : '', notes]);
    }
  }
  writeResult(reporter, [col('import', 'INTEGER'), col('vm'), col('revisions'), col('verdict'), col('diverging'), col('unknown'),
    col('fidelity'), col('notes')], rows);
  reporter.finish();
  if (explain) {
    const story = results.map((r) => r.result.story).find((st) => st !== null);
    process.stdout.write(`\n${formatStory(story ?? null).join('\n')}\n`);
  }
}

/**
 * `--explain`: the accesses around the first divergence as plain text (for a mailing list):
 * one line per access with what each revision made of it, collapsed to "all revisions" when they
 * agree; `>>` marks the first divergence, `!!` where the guest observes it.
 */
export function formatStory(story: readonly StoryLine[] | null): string[] {
  if (!story || story.length === 0) return ['first divergence: none between the compared revisions for this VM'];
  const out = ['first divergence:'];
  const seqWidth = Math.max(...story.map((l) => String(l.seq).length));
  const textWidth = Math.min(60, Math.max(...story.map((l) => l.text.length)));
  for (const l of story) {
    const vals = Object.entries(l.values);
    const same = vals.length > 0 && vals.every(([, v]) => v === vals[0]![1]);
    const under = vals.length === 0 ? '' : same ? `all revisions: ${vals[0]![1]}` : vals.map(([k, v]) => `${k}: ${v}`).join('  ') // keys are `rev <id>`;
    const mark = l.mark === 'first-divergence' ? '>>' : l.mark === 'observed' ? '!!' : l.mark === 'latent' ? ' >' : '  ';
    const note = l.mark === '' ? '' : `  [${l.mark}]`;
    out.push(`${mark} line ${String(l.seq).padStart(seqWidth)}  vCPU ${l.vcpu ?? '?'}  ${l.text.padEnd(textWidth)}  ${under}${note}`);
  }
  return out;
}
