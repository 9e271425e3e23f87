/**
 * The one place the importer meets the trace parsers (src/ingest): adapts `parseFile` to what
 * the importer needs — the summary plus the sha256 of the raw bytes, hashed while reading.
 */
import { parseFile, type ParseFileStats } from '../ingest/parse-file.ts';
import type { ParseSink, ParseSummary, TraceFormat } from '../ingest/types.ts';
import type { LayoutOverrides } from '../gic/layout.ts';

export interface BridgeParseOptions {
  format: TraceFormat | 'auto';
  fallbackVm: string;
  tgidMap?: ReadonlyMap<number, number>;
  strict: boolean;
  /** Filled with the parse's diagnostics (benchmark breakdowns). */
  stats?: ParseFileStats;
  /** Ends the parse early (a cancelled EarlyParse). */
  signal?: AbortSignal;
  /** Where parse state past its memory budget goes (the database's directory). */
  spillDir?: string;
  /** Resolve the VMs' layouts in the parse's thread (ParseOptions.resolveLayouts). */
  resolveLayouts?: LayoutOverrides;
}

export interface BridgeProgress {
  bytes: number;
  totalBytes?: number;
  lines?: number;
}

export interface BridgeParseResult {
  summary: ParseSummary;
  /** sha256 of the raw file bytes when the parser computed it while reading, else null. */
  sha256: string | null;
}

export type TraceParseFn = (
  path: string, options: BridgeParseOptions, sink: ParseSink, onProgress: (p: BridgeProgress) => void,
) => Promise<BridgeParseResult>;

export const parseTraceFile: TraceParseFn = async (path, options, sink, onProgress) => {
  const summary = await parseFile(path, {
    path,
    fallbackVm: options.fallbackVm,
    strict: options.strict,
    ...(options.tgidMap ? { tgidMap: options.tgidMap } : {}),
    ...(options.spillDir !== undefined ? { spillDir: options.spillDir } : {}),
    ...(options.resolveLayouts !== undefined ? { resolveLayouts: options.resolveLayouts } : {}),
    ...(options.format !== 'auto' ? { format: options.format } : {}),
  }, sink, {
    worker: 'auto',
    ...(options.stats ? { stats: options.stats } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (p) => onProgress({ bytes: p.rawBytes, totalBytes: p.totalBytes, lines: p.lines }),
  });
  return { summary, sha256: summary.sha256 };
};
