/**
 * `abitrace import <file|dir>...`: each file in its own transaction; failures are reported and
 * the rest continue (exit 2 at the end), --strict stops at the first. Prints one summary line
 * per file unless --quiet; progress only on a terminal. SIGINT/SIGTERM: E_INTERRUPTED (exit
 * 130/143) after the file in progress is rolled back.
 */
import { AbitraceError, E } from '../../errors.ts';
import type { LayoutOverrides } from '../../gic/layout.ts';
import { readTgidMapFile } from '../../ingest/tgid-map.ts';
import type { FileImportResult, ImportOptions } from '../../importer/import-files.ts';
import { startImport } from '../../importer/import-start.ts';
import { DB_OPTION, type CommandSpec } from '../command-spec.ts';

export const PLATFORMS = ['qemu-virt', 'firecracker', 'cloud-hypervisor', 'kvmtool'] as const;

/** `--gicd-base 0x8000000` / `134217728` → number; anything else is E_BAD_ADDRESS naming the flag. */
export function parseAddress(flag: string, text: string): number {
  const t = text.trim().replace(/_/g, '');
  const ok = /^0[xX][0-9a-fA-F]+$/.test(t) || /^[0-9]+$/.test(t);
  const n = ok ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new AbitraceError(E.BAD_ADDRESS, `${flag} expects a guest-physical address in hex (0x8000000) or decimal, got "${text}"`);
  }
  return n;
}

const fmt = (n: number) => n.toLocaleString('en-US');

function describe(r: FileImportResult): string {
  if (r.status === 'duplicate') {
    return `skipped ${r.path}: identical content (sha256 ${r.sha256.slice(0, 12)}…) already imported as import ${r.importId}; use --force to import it again, or \`abitrace forget ${r.importId}\` first to replace it`;
  }
  if (r.status === 'failed') return `failed ${r.path}`;
  if (r.status === 'not-a-trace') return `skipped ${r.path}: not a trace (${r.reason.code})`;
  const s = r.summary;
  const issues = s.issues.reduce((a, t) => a + t.count, 0);
  const vms = r.vms;
  return `imported ${r.path} as import ${r.importId}: ${fmt(r.rows)} accesses from ${fmt(s.lines)} lines `
    + `(${fmt(s.otherEvents)} other events, ${fmt(s.skipped)} skipped, ${fmt(issues)} issues, `
    + `${fmt(s.lostEvents)} lost events in ${fmt(s.lostMarkers)} markers); ${s.variant}, ${fmt(vms)} VM${vms === 1 ? '' : 's'}, `
    + `platform ${r.platform ?? 'unknown'}; ${r.seconds.toFixed(2)} s`;
}

export const importCommand: CommandSpec = {
  name: 'import',
  summary: 'import trace files (or every file under directories) into the database, one transaction per file',
  args: '<paths...>',
  options: [
    DB_OPTION,
    { flags: '--format <format>', description: 'trace format', default: 'auto', choices: ['auto', 'ftrace', 'perf', 'qemu'] },
    { flags: '--vm <label>', description: 'VM label for rows without a tgid (default: the file name)' },
    { flags: '--tgid-map <file>', description: 'thread → process map (saved_tgids, or `ps -eLo pid,tid,comm`) for traces without a tgid column' },
    { flags: '--platform <name>', description: 'GIC memory map to decode with', choices: PLATFORMS },
    { flags: '--gicd-base <addr>', description: 'distributor base (hex or decimal)' },
    { flags: '--gicr-base <addr>', description: 'first redistributor base' },
    { flags: '--its-base <addr>', description: 'ITS base' },
    { flags: '--gicc-base <addr>', description: 'GICv2 CPU interface base' },
    { flags: '--gic-version <n>', description: 'GIC architecture of the guests (default: detected)', choices: ['2', '3'] },
    { flags: '--strict', description: 'stop at the first malformed line or failing file', default: false },
    { flags: '--force', description: 'import even if identical content was imported before', default: false },
    { flags: '--no-arrow-cache', description: 'do not keep <db>.arrow/<import_id>.arrow (the replay cache)' },
    { flags: '--quiet', description: 'no progress and no summary lines (errors still print)', default: false },
  ],
  // Ctrl-C rolls back the file in progress (and removes a database this run created and filled
  // with nothing) through the importer's failure path, then ends with E_INTERRUPTED.
  interruptible: true,
  async run(args, opts, ctx) {
    const layout: LayoutOverrides = {};
    if (opts.platform) layout.platform = String(opts.platform);
    if (opts.gicdBase !== undefined) layout.gicdBase = parseAddress('--gicd-base', String(opts.gicdBase));
    if (opts.gicrBase !== undefined) layout.gicrBase = parseAddress('--gicr-base', String(opts.gicrBase));
    if (opts.itsBase !== undefined) layout.itsBase = parseAddress('--its-base', String(opts.itsBase));
    if (opts.giccBase !== undefined) layout.giccBase = parseAddress('--gicc-base', String(opts.giccBase));
    if (opts.gicVersion !== undefined) layout.gicVersion = Number(opts.gicVersion) as 2 | 3;
    const quiet = opts.quiet === true;
    const strict = opts.strict === true;
    const tgidMap = opts.tgidMap !== undefined ? readTgidMapFile(String(opts.tgidMap)) : undefined;
    const options: ImportOptions = {
      db: String(opts.db),
      format: opts.format as 'auto',
      vm: opts.vm as string | undefined,
      tgidMap,
      layout,
      strict,
      force: opts.force === true,
      arrowCache: opts.arrowCache !== false,
      progress: !quiet && process.stderr.isTTY === true,
      signal: ctx.signal,
      onResult: (r) => {
        if (r.status === 'failed') {
          // With --strict the error ends the run and main() prints it once.
          if (!strict) process.stderr.write(`abitrace: ${r.error.code}: ${r.error.message}\n`);
          return;
        }
        if (quiet) return;
        process.stdout.write(`${describe(r)}\n`);
        if (r.status === 'imported') {
          for (const t of r.summary.issues) {
            if (t.severity === 'info') continue;
            const first = t.samples[0];
            process.stderr.write(`  ${t.severity}: ${fmt(t.count)} × ${t.kind}${first ? ` (first at line ${first.line}: ${JSON.stringify(first.text)})` : ''}\n`);
          }
        }
      },
    };
    // Start the first file's parse now; the importer's DuckDB and Arrow modules load meanwhile.
    const started = startImport(args, options);
    let importFiles: typeof import('../../importer/import-files.ts').importFiles;
    try {
      ({ importFiles } = await import('../../importer/import-files.ts'));
    } catch (err) {
      started.early?.cancel();
      throw err;
    }
    const report = await importFiles(args, options, undefined, started);
    if (!quiet && report.results.length > 1) {
      process.stdout.write(`${report.imported} imported, ${report.duplicates} skipped as duplicates, `
        + `${report.notTraces} not traces, ${report.failed} failed\n`);
    }
    if (report.failed > 0) return 2;
    if (report.imported + report.duplicates === 0 && report.notTraces > 0) {
      // like an empty directory: nothing to import is an input error, not a success
      throw new AbitraceError(E.EMPTY_INPUT, `no trace among the ${report.notTraces} file${report.notTraces === 1 ? '' : 's'} given`);
    }
    return 0;
  },
};
