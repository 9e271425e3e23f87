/**
 * Output files of `abitrace generate`: a write stream (gzip-compressed when the name ends in
 * .gz) written under a temporary name and renamed into place only when complete, so a failed or
 * interrupted run leaves no half-written trace behind.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { constants, createGzip } from 'node:zlib';
import { AbitraceError, E } from '../../errors.ts';
import { outputError, outputTarget } from '../../runtime/output-path.ts';

export class TraceFile {
  /** Write trace bytes here. */
  readonly stream: Writable;
  /** Rejects as soon as the file cannot be written (race it against the producer). */
  readonly failure: Promise<never>;
  /** Where the bytes go: a temporary name (renamed to `final` when complete) or, for a device, FIFO or stdout, the path itself. */
  private readonly tmp: string;
  private readonly final: string | null;
  private readonly finished: Promise<void>;
  private error: Error | null = null;

  constructor(readonly path: string) {
    const target = outputTarget(path, 'trace');
    this.tmp = target.write;
    this.final = target.final;
    const file = createWriteStream(this.tmp);
    // Level 1: fast enough to keep up with generation (multi-GB benchmark traces); text still shrinks ~8×.
    const gz = path.endsWith('.gz') ? createGzip({ level: constants.Z_BEST_SPEED }) : null;
    if (gz) gz.pipe(file);
    this.stream = gz ?? file;
    this.finished = new Promise<void>((resolve, reject) => {
      file.on('close', () => (this.error ? reject(this.error) : resolve()));
      const fail = (err: Error): void => {
        this.error ??= new AbitraceError(E.OUTPUT_WRITE, `cannot write ${path}: ${err.message}`);
        reject(this.error);
      };
      file.on('error', fail);
      gz?.on('error', fail);
    });
    this.finished.catch(() => {}); // observed by close()/abort()
    this.failure = this.finished.then(() => new Promise<never>(() => {}));
    this.failure.catch(() => {});
  }

  /** Ends the stream, waits until every byte is on disk, then moves the file into place. */
  async close(): Promise<void> {
    this.stream.end();
    try {
      await this.finished;
    } catch (err) {
      this.discard();
      throw err;
    }
    if (this.final !== null) {
      try {
        renameSync(this.tmp, this.final);
      } catch (err) {
        this.discard();
        throw outputError(this.path, err);
      }
    }
  }

  /** Abandons the output: nothing is left at the final path. */
  async abort(): Promise<void> {
    this.stream.destroy();
    await this.finished.catch(() => {});
    this.discard();
  }

  private discard(): void {
    if (this.final !== null) rmSync(this.tmp, { force: true });
  }
}

/** `fleet.log.gz` → `fleet-vm3.log.gz`: per-VM QEMU logs next to the requested name. */
export function perVmPath(path: string, vm: number, width: number): string {
  const gz = path.endsWith('.gz') ? '.gz' : '';
  const base = gz ? path.slice(0, -3) : path;
  const slash = base.lastIndexOf('/');
  const dot = base.lastIndexOf('.');
  const hasExt = dot > slash + 1;
  const stem = hasExt ? base.slice(0, dot) : base;
  const ext = hasExt ? base.slice(dot) : '';
  return `${stem}-vm${String(vm).padStart(width, '0')}${ext}${gz}`;
}
