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
import { DEFAULT_REVISIONS, replay } from '../../replay/engine.ts';
import { accessesFromArrow, accessesFromQuery, listImports, loadIrqEvents, loadLayouts, loadLost } from '../../replay/sources.ts';
import { storeReplay } from '../../replay/store-results.ts';
import type { ReplayResult, ReplayVmInput } from '../../replay/types.ts';
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

interface ImportResult {
  importId: number;
  path: string;
  via: string;
  result: ReplayResult;
}

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
      const results: ImportResult[] = [];
      try {
        const imports = await listImports(db, onlyImports.length > 0 ? onlyImports : undefined);
        if (imports.length === 0) throw new AbitraceError(E.NO_DATA, `${dbPath} has no imports; import a trace first`);
        for (const imp of imports) {
          const source = (where === null ? accessesFromArrow(imp) : null) ?? (await accessesFromQuery(db, imp.import_id, where));
          const layouts = await loadLayouts(db, imp.import_id);
          const vms: ReplayVmInput[] = [];
          const codeOf = new Map<string, number>();
          source.vms.forEach((name, code) => {
            const layout = layouts.get(name);
            if (!layout || layout.blocks.length === 0) return;
            vms.push({ code, name, layout });
            codeOf.set(name, code);
          });
          const irqs = await loadIrqEvents(db, imp.import_id, codeOf);
          const explain = opts.explain === undefined ? undefined : codeOf.get(String(opts.explain));
          const result = replay(vms, source.batches, irqs, {
            revisions, hostRevision, fromReset: opts.fromReset === true, nrIrqs, ignore,
            sourceFormat: imp.format ?? undefined, lost: await loadLost(db, imp.import_id), explainVm: explain,
          });
          results.push({ importId: imp.import_id, path: imp.path, via: source.via, result });
        }
        if (opts.explain !== undefined && !results.some((r) => r.result.vms.some((v) => v.vm === String(opts.explain))))
          throw new AbitraceError(E.NO_DATA, `--explain ${String(opts.explain)}: no such VM with GIC accesses (VMs: ${results.flatMap((r) => r.result.vms.map((v) => v.vm)).join(', ')})`);
        if (store) await storeReplay(db, { revisions, hostRevision: hostRevision ?? null, where, fromReset: opts.fromReset === true,
          nrIrqs: nrIrqs ?? null, ignore, importIds: results.map((r) => r.importId) }, results.map((r) => ({ importId: r.importId, result: r.result })));
      } finally {
        db.close();
      }
      if (opts.format === 'json') printJson(results, revisions);
      else printTable(results, opts.explain !== undefined);
      return results.some((r) => r.result.rollup.some((x) => x.observed_registers.length > 0 || x.delivery_divergences > 0)) ? 1 : 0;
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
  process.stdout.write(`${JSON.stringify(doc, null, 1)}\n`);
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
      rows.push([importId, r.vm, `${r.from}→${r.to}`, r.verdict, regs.join(', ') || null, r.unknown_registers.join(', ') || null,
        f ? `rev ${f.revision}: ${f.mismatches}/${f.compared}${f.mismatches_expected ? ' (QEMU)' : ''}` : null, notes || null]);
    }
  }
  writeResult(reporter, [col('import', 'INTEGER'), col('vm'), col('revisions'), col('verdict'), col('diverging'), col('unknown'),
    col('fidelity'), col('notes')], rows);
  if (explain) {
    const story = results.map((r) => r.result.story).find((s) => s !== null);
    if (story && story.length > 0) {
      writeResult(reporter, [col('seq', 'BIGINT'), col('vcpu', 'SMALLINT'), col('access'), col('under each revision'), col('mark')],
        story.map((l) => [l.seq, l.vcpu, l.text, Object.entries(l.values).map(([k, v]) => `${k}: ${v}`).join(' | ') || null, l.mark || null]),
        'first divergence');
    } else {
      writeResult(reporter, [col('note')], [['no divergence between the compared revisions for this VM']], 'first divergence');
    }
  }
  reporter.finish();
}
