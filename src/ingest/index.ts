/**
 * Public API of the trace parsers. Consumers (importer, convert, detection) import from here:
 *
 *   parseFile(path, opts, sink, run?)  open + sniff + parse, by default in one worker thread
 *   warmParseWorker / dropWarmParseWorker  boot the next parse worker ahead of time
 *   TraceParser                        the synchronous byte-level parser (feed/finish)
 *   openTraceInput / sniffFormat       the two steps before parsing, for tools that need them
 *   readTgidMapFile / parseTgidMap     `--tgid-map` side maps
 */
export {
  parseFile, parseInput, resolveFormat, warmParseWorker, dropWarmParseWorker, AUTO_WORKER_MIN_BYTES, MAX_BATCHES_IN_FLIGHT,
} from './parse-file.ts';
export type { ParseFileOptions, ParseFileRunOptions, ParseFileStats, ParseFileSummary, ParseProgress } from './parse-file.ts';
export { TraceParser, EXPECTED_LINE, type TraceParserOptions } from './trace-parser.ts';
export { openTraceInput, looksBinary, HEAD_BYTES, type Compression, type OpenTraceOptions, type TraceInput } from './input.ts';
export { sniffFormat, defaultVariant, type SniffResult, type TraceVariant } from './sniff.ts';
export { parseTgidMap, readTgidMapFile, vcpuFromComm, type TgidMapResult, type VcpuThreadName } from './attribution.ts';
export { MAX_LINE_BYTES } from './line-scanner.ts';
export * from './types.ts';
