/**
 * Table reporter (cli-table3, no colours): fits the terminal width — stdout's columns on a TTY,
 * else 120. When the natural widths do not fit, the widest columns are capped first (water
 * filling) and their cells end in '…'. Numbers are right-aligned, NULL prints as `NULL`, control
 * characters are made visible so a row stays one line. At most `maxRows` rows are kept
 * (default 1000; the footer says how many there were) — use json/csv for complete output.
 */
import Table from 'cli-table3';
import { planColumns, textValue, type ColumnPlan } from './values.ts';
import { OutputSink, type OutputColumn, type Reporter } from './reporter.ts';

export const DEFAULT_TABLE_WIDTH = 120;
export const DEFAULT_TABLE_MAX_ROWS = 1000;
const MIN_COLUMN = 6;

export function terminalWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : DEFAULT_TABLE_WIDTH;
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\r\n|\n|\r/g, '⏎').replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '�');
}

function truncate(s: string, width: number): string {
  return s.length <= width ? s : width <= 1 ? '…' : `${s.slice(0, width - 1)}…`;
}

/** Largest cap c such that the capped widths (never below their floor) sum to at most `available`. */
function waterFill(widths: readonly number[], floors: readonly number[], available: number): number[] {
  let lo = 0;
  let hi = Math.max(0, ...widths);
  const total = (cap: number) => widths.reduce((a, w, i) => a + Math.max(floors[i]!, Math.min(w, cap)), 0);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (total(mid) <= available) lo = mid;
    else hi = mid - 1;
  }
  return widths.map((w, i) => Math.max(floors[i]!, Math.min(w, lo)));
}

/**
 * Content widths (without padding) that fit `total` screen columns. Text columns give way first
 * (down to MIN_COLUMN), numbers only when that is not enough; within each phase the widest
 * columns are capped first.
 */
export function fitWidths(natural: readonly number[], total: number, numeric: readonly boolean[] = []): number[] {
  const overhead = natural.length * 3 + 1; // "│ " + " " per column, plus the closing border
  const available = total - overhead;
  const sum = natural.reduce((a, b) => a + b, 0);
  if (sum <= available) return natural.slice();
  const minOf = (w: number) => Math.min(w, MIN_COLUMN);
  // Phase 1: only text columns shrink.
  const textFloors = natural.map((w, i) => (numeric[i] ? w : minOf(w)));
  const phase1 = waterFill(natural, textFloors, available);
  if (phase1.reduce((a, b) => a + b, 0) <= available) return phase1;
  // Phase 2: everything shrinks (text already at its floor).
  return waterFill(phase1, natural.map(minOf), available);
}

export class TableReporter implements Reporter {
  private plans: ColumnPlan[] = [];
  private header: string[] = [];
  private cells: string[][] = [];
  private total = 0;
  private title: string | undefined;
  private sections = 0;

  constructor(
    private readonly out = new OutputSink(),
    private readonly width = terminalWidth(),
    private readonly maxRows = DEFAULT_TABLE_MAX_ROWS,
  ) {}

  begin(columns: readonly OutputColumn[], title?: string): void {
    this.plans = planColumns(columns);
    this.header = columns.map((c) => oneLine(c.name));
    this.cells = [];
    this.total = 0;
    this.title = title;
  }

  rows(rows: readonly (readonly unknown[])[]): void {
    for (const row of rows) {
      this.total++;
      if (this.cells.length >= this.maxRows) continue;
      this.cells.push(this.plans.map((p, c) => {
        const t = textValue(row[c], p);
        return t === null ? 'NULL' : oneLine(t);
      }));
    }
  }

  end(): void {
    const out = this.out;
    if (this.title !== undefined) out.push(`${this.sections > 0 ? '\n' : ''}${this.title}\n`);
    this.sections++;
    if (this.plans.length === 0) {
      out.push(`(${this.total} rows, no columns)\n`);
      return;
    }
    const natural = this.header.map((h, c) => this.cells.reduce((m, r) => Math.max(m, r[c]!.length), h.length));
    // One wide row (a decoded address, a register, one import) reads better as column | value pairs;
    // so do rows with more columns than the width holds even at MIN_COLUMN each (psql's \x).
    const widths = fitWidths(natural, this.width, this.plans.map((p) => p.numeric || p.hex));
    const fits = widths.reduce((a, b) => a + b + 3, 1) <= this.width;
    if (!fits || (this.cells.length === 1 && natural.reduce((a, b) => a + b + 3, 1) > this.width)) {
      this.endVertical();
      return;
    }
    const table = new Table({
      head: this.header.map((h, c) => truncate(h, widths[c]!)),
      colWidths: widths.map((w) => w + 2),
      colAligns: this.plans.map((p) => (p.numeric && !p.hex ? 'right' : 'left')),
      wordWrap: false,
      style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true },
    });
    for (const r of this.cells) table.push(r.map((s, c) => truncate(s, widths[c]!)));
    out.push(`${table.toString()}\n`);
    const shown = this.cells.length;
    out.push(shown < this.total
      ? `(${this.total} rows, first ${shown} shown; use --format csv or json for all)\n`
      : `(${this.total} ${this.total === 1 ? 'row' : 'rows'})\n`);
  }

  /** Each row as column | value pairs, one block per row (headed `-[ row n ]-` when there are several). */
  private endVertical(): void {
    const keyWidth = Math.min(Math.max(...this.header.map((h) => h.length)), Math.max(MIN_COLUMN, Math.floor(this.width / 3)));
    const valueWidth = Math.max(MIN_COLUMN, this.width - keyWidth - 7);
    const longest = Math.max(MIN_COLUMN, ...this.cells.flatMap((r) => r.map((v) => v.length)));
    this.cells.forEach((row, i) => {
      const table = new Table({
        colWidths: [keyWidth + 2, Math.min(valueWidth, longest) + 2],
        wordWrap: false,
        style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true },
      });
      this.header.forEach((h, c) => table.push([truncate(h, keyWidth), truncate(row[c]!, valueWidth)]));
      if (this.cells.length > 1) this.out.push(`-[ row ${i + 1} ]-\n`);
      this.out.push(`${table.toString()}\n`);
    });
    const shown = this.cells.length;
    this.out.push(shown < this.total
      ? `(${this.total} rows, first ${shown} shown; use --format csv or json for all)\n`
      : `(${this.total} ${this.total === 1 ? 'row' : 'rows'})\n`);
  }

  finish(): void {
    this.out.flush();
  }
}
