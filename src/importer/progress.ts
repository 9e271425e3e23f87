/**
 * One-line import progress on stderr (bytes, MB/s, lines/s, ETA), redrawn at most 5 times a
 * second, and only when stderr is a terminal: logs and pipes never see carriage returns.
 */
export interface ProgressSample {
  /** Raw bytes consumed so far (compressed bytes for .gz/.zst). */
  bytes: number;
  /** Raw file size, when known. */
  totalBytes?: number;
  lines?: number;
}

function termWidth(): number {
  const c = process.stderr.columns;
  return c && c > 1 ? c : 120;
}

export class ImportProgress {
  private readonly started = performance.now();
  private last = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly enabled: boolean = process.stderr.isTTY === true,
  ) {}

  update(p: ProgressSample): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.last < 200) return;
    this.last = now;
    const secs = Math.max((now - this.started) / 1000, 1e-3);
    const mb = p.bytes / 1e6;
    let line = `  ${this.label}  ${mb.toFixed(1)}`;
    if (p.totalBytes) line += `/${(p.totalBytes / 1e6).toFixed(1)}`;
    line += ` MB  ${(mb / secs).toFixed(0)} MB/s`;
    if (p.lines !== undefined) line += `  ${(p.lines / secs / 1e6).toFixed(2)} M lines/s`;
    if (p.totalBytes && p.bytes > 0) {
      const eta = (secs * (p.totalBytes - p.bytes)) / p.bytes;
      line += `  ETA ${eta < 1 ? '<1' : eta.toFixed(0)}s`;
    }
    const width = termWidth();
    process.stderr.write(`\r${line.slice(0, width - 1).padEnd(Math.min(width - 1, line.length + 8))}`);
    this.drawn = true;
  }

  /** Clears the line so the summary starts at column 0. */
  done(): void {
    if (this.drawn) process.stderr.write(`\r${' '.repeat(termWidth() - 1)}\r`);
    this.drawn = false;
  }
}
