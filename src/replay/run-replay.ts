/**
 * Replays every selected import of a database — the `replay` command's core, shared with the demo:
 * per import, the accesses (Arrow cache, or a `--where` subset through DuckDB), the VM layouts,
 * host injections and lost-event markers go to the lockstep engine; results are optionally stored.
 */
import { AbitraceError, E } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { checkSchema, upgradeSchema } from '../store/schema.ts';
import { replay } from './engine.ts';
import { accessesFromArrow, accessesFromQuery, listImports, loadIrqEvents, loadLayouts, loadLost } from './sources.ts';
import { storeReplay } from './store-results.ts';
import type { ReplayResult, ReplayVmInput } from './types.ts';

export interface RunReplayOptions {
  revisions: string[];
  hostRevision?: string;
  /** Import ids to replay (default: all). */
  imports?: number[];
  /** Condition on the `accesses` view; read through DuckDB instead of the Arrow cache. */
  where?: string | null;
  fromReset?: boolean;
  nrIrqs?: number;
  ignore?: string[];
  /** VM label whose first divergence is told as a story. */
  explainVm?: string;
  /** Write replay_runs / replay_verdicts / divergences / … (the database must be open read-write). */
  store: boolean;
  /** One line per problem that does not stop the replay (a stale Arrow cache); default: stderr. */
  warn?: (message: string) => void;
}

export interface ImportReplay {
  importId: number;
  path: string;
  /** 'arrow' (zero-copy cache) or 'duckdb' (query). */
  via: string;
  result: ReplayResult;
}

export interface ReplayRun {
  runId: number | null;
  imports: ImportReplay[];
}

export async function runReplay(db: Database, options: RunReplayOptions): Promise<ReplayRun> {
  const where = options.where ?? null;
  const warn = options.warn ?? ((m: string) => process.stderr.write(`abitrace: warning: ${m}\n`));
  // a database from an older abitrace: migrated when it is opened for writing, else a clear error
  if (options.store) await upgradeSchema(db);
  else await checkSchema(db);
  const imports = await listImports(db, options.imports && options.imports.length > 0 ? options.imports : undefined);
  if (imports.length === 0) throw new AbitraceError(E.NO_DATA, `${db.path} has no imports; import a trace first`);
  const out: ImportReplay[] = [];
  for (const imp of imports) {
    const source = (where === null ? accessesFromArrow(db.path, imp, warn) : null) ?? (await accessesFromQuery(db, imp.import_id, where));
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
    const explain = options.explainVm === undefined ? undefined : codeOf.get(options.explainVm);
    const result = replay(vms, source.batches, irqs, {
      revisions: options.revisions, hostRevision: options.hostRevision, fromReset: options.fromReset === true,
      nrIrqs: options.nrIrqs, ignore: options.ignore ?? [], sourceFormat: imp.format ?? undefined,
      lost: await loadLost(db, imp.import_id), explainVm: explain,
    });
    out.push({ importId: imp.import_id, path: imp.path, via: source.via, result });
  }
  if (options.explainVm !== undefined && !out.some((r) => r.result.vms.some((v) => v.vm === options.explainVm))) {
    throw new AbitraceError(E.NO_DATA, `--explain ${options.explainVm}: no such VM with GIC accesses (VMs: ${out.flatMap((r) => r.result.vms.map((v) => v.vm)).join(', ')})`);
  }
  let runId: number | null = null;
  if (options.store) {
    runId = await storeReplay(db, {
      revisions: options.revisions, hostRevision: options.hostRevision ?? null, where, fromReset: options.fromReset === true,
      nrIrqs: options.nrIrqs ?? null, ignore: options.ignore ?? [], importIds: out.map((r) => r.importId),
    }, out.map((r) => ({ importId: r.importId, result: r.result })));
  }
  return { runId, imports: out };
}

/** Exit status of a replay: 1 when some VM saw a different outcome (observed, not ignored). */
export function replayExitCode(run: ReplayRun): number {
  return run.imports.some((r) => r.result.rollup.some((x) => x.observed_registers.length > 0 || x.delivery_divergences > 0)) ? 1 : 0;
}
