/**
 * A parse started before its destination exists: the importer starts the first file's parse
 * while it opens the database, creates the schema, checks for a duplicate and BEGINs (~0.1 s on a
 * fresh database, single-threaded), so the parse worker — the import's critical path — is not
 * idle meanwhile. Batches wait in the parse's own bounded queue (its credits) until `attach`
 * gives them a sink; `cancel` (a duplicate, a database error) ends the parse at once.
 */
import type { ParseSink } from '../ingest/types.ts';
import type { BridgeParseOptions, BridgeParseResult, BridgeProgress, TraceParseFn } from './trace-parser-bridge.ts';

/** Why a cancelled early parse ended; never reported (its result is discarded). */
class EarlyParseCancelled extends Error {
  constructor() {
    super('early parse cancelled');
  }
}

export class EarlyParse {
  readonly path: string;
  readonly options: BridgeParseOptions;
  /** performance.now() when the parse started. */
  readonly startedAt: number;
  private readonly result: Promise<BridgeParseResult>;
  private resolveSink!: (sink: ParseSink | null) => void;
  private progress: ((p: BridgeProgress) => void) | null = null;
  private settled = false;
  private readonly abort = new AbortController();

  /** Starts parsing `path` now. The sink this parse will get must release its batches (ImportWriter's does). */
  constructor(parse: TraceParseFn, path: string, options: BridgeParseOptions) {
    this.path = path;
    this.options = options;
    this.startedAt = performance.now();
    const ready = new Promise<ParseSink | null>((resolve) => (this.resolveSink = resolve));
    const deferred: ParseSink = {
      releasesBatches: true,
      accesses: async (batch, vms, sources) => {
        const sink = await ready;
        if (sink === null) throw new EarlyParseCancelled();
        return sink.accesses(batch, vms, sources);
      },
      irqs: async (batch, vms, sources) => {
        const sink = await ready;
        if (sink === null) throw new EarlyParseCancelled();
        return sink.irqs(batch, vms, sources);
      },
      lost: async (records) => {
        const sink = await ready;
        if (sink === null) throw new EarlyParseCancelled();
        return sink.lost?.(records);
      },
    };
    // the caller's signal (Ctrl-C) ends it too, whether or not it is attached by then
    const outer = options.signal;
    const onOuterAbort = (): void => this.abort.abort();
    if (outer?.aborted) this.abort.abort();
    else outer?.addEventListener('abort', onOuterAbort, { once: true });
    this.result = parse(path, { ...options, signal: this.abort.signal }, deferred, (p) => this.progress?.(p));
    this.result.catch(() => {}); // observed by attach(); a cancelled parse's end is not
    const unlisten = (): void => outer?.removeEventListener('abort', onOuterAbort);
    this.result.then(unlisten, unlisten);
  }

  /** Hands the parse its sink and progress target; resolves as the parse would have. */
  attach(sink: ParseSink, onProgress: (p: BridgeProgress) => void): Promise<BridgeParseResult> {
    if (this.settled) throw new Error('EarlyParse attached or cancelled twice');
    this.settled = true;
    this.progress = onProgress;
    this.resolveSink(sink);
    return this.result;
  }

  /** Discards the parse: its worker is terminated now (and any batch still arriving is refused). */
  cancel(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveSink(null);
    this.abort.abort();
  }
}
