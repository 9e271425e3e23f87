/**
 * `abitrace convert <file> -o out.arrow`: trace → Arrow IPC file with the `accesses` schema, no
 * database. Streams batch by batch (bounded memory); the output appears only when complete.
 * SIGINT/SIGTERM: the parse stops, the temporary file is removed, E_INTERRUPTED (exit 130/143).
 */
import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { AccessArrowWriter } from '../../arrow/access-arrow-writer.ts';
import { AbitraceError, E, interruption } from '../../errors.ts';
import { readTgidMapFile } from '../../ingest/tgid-map.ts';
import { ImportProgress } from '../../importer/progress.ts';
import { parseTraceFile } from '../../importer/trace-parser-bridge.ts';
import { outputError, outputTarget } from '../../runtime/output-path.ts';
import type { CommandSpec } from '../command-spec.ts';

export const convertCommand: CommandSpec = {
  name: 'convert',
  summary: 'convert a trace to an Arrow IPC file with the same columns as the accesses view (no database)',
  args: '<file>',
  options: [
    { flags: '-o, --output <file>', description: 'Arrow IPC file to write' },
    { flags: '--format <format>', description: 'trace format', default: 'auto', choices: ['auto', 'ftrace', 'perf', 'qemu'] },
    { flags: '--vm <label>', description: 'VM label for rows without a tgid (default: the file name)' },
    { flags: '--tgid-map <file>', description: 'thread → process map for traces without a tgid column' },
    { flags: '--strict', description: 'stop at the first malformed line', default: false },
    { flags: '--quiet', description: 'no progress and no summary line', default: false },
  ],
  interruptible: true,
  async run(args, opts, ctx) {
    const input = args[0]!;
    if (!opts.output) throw new AbitraceError(E.USAGE, 'convert needs -o/--output <file.arrow>');
    checkInputFile(input);
    const output = String(opts.output);
    const target = outputTarget(output, 'Arrow file');
    const quiet = opts.quiet === true;
    let writer: AccessArrowWriter;
    try {
      writer = new AccessArrowWriter(target.write, null, { 'abitrace.source_path': input });
    } catch (err) {
      throw outputError(output, err);
    }
    const progress = new ImportProgress(basename(input), !quiet && process.stderr.isTTY === true);
    const t0 = performance.now();
    try {
      const { summary } = await parseTraceFile(input, {
        format: (opts.format as 'auto') ?? 'auto',
        fallbackVm: (opts.vm as string | undefined) ?? basename(input).replace(/\.(gz|zst)$/, ''),
        tgidMap: opts.tgidMap !== undefined ? readTgidMapFile(String(opts.tgidMap)) : undefined,
        strict: opts.strict === true,
        signal: ctx.signal,
        spillDir: dirname(resolve(output)),
        // the Arrow file has no layouts, but the evidence arrays a summary would otherwise carry
        // hold every VM's pages and identification reads at once (4.19 M booting VMs: ~0.7 GB);
        // resolved as they stream, they take a shape index per VM
        resolveLayouts: {},
      }, {
        // written synchronously and never referenced again: the parser may refill the batches
        releasesBatches: true,
        accesses: (batch, vms, sources) => writer.write(batch, vms, sources),
        irqs: () => {},
        lost: () => {}, // not part of the Arrow file; taking them keeps the parser's memory bounded
      }, (p) => progress.update(p));
      progress.done();
      ctx.signal.throwIfAborted(); // an in-thread parse (a small file) does not watch the signal
      writer.finishAs(target.final);
      if (!quiet) {
        process.stdout.write(`wrote ${output}: ${writer.rows.toLocaleString('en-US')} accesses from ${summary.lines.toLocaleString('en-US')} lines `
          + `(${summary.skipped.toLocaleString('en-US')} skipped), ${(writer.bytes / 1e6).toFixed(1)} MB; ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
      }
      return 0;
    } catch (err) {
      progress.done();
      writer.discard(target.final !== null);
      if (ctx.signal.aborted) throw interruption(ctx.signal, target.final !== null ? `${output} not written` : `${output} incomplete`);
      throw outputError(output, err);
    }
  },
};

/**
 * As for `import` (README error table): an input that is not a regular file is E_FILE_READ —
 * checked before the output is created. A missing file is left to the parser (E_FILE_NOT_FOUND).
 */
function checkInputFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    return;
  }
  if (st.isDirectory()) throw new AbitraceError(E.FILE_READ, `${path}: is a directory; convert takes one trace file (import reads directories)`);
  if (!st.isFile()) throw new AbitraceError(E.FILE_READ, `${path}: not a regular file`);
}
