/**
 * JSON reporter: one result → one array of objects (one object per line); several titled
 * sections → one object `{ "<title>": [ ... ], ... }`. Values follow the hex rule in values.ts.
 * Streams: rows are written as they arrive.
 */
import { jsonValue, planColumns, type ColumnPlan } from './values.ts';
import { OutputSink, type OutputColumn, type Reporter } from './reporter.ts';

export class JsonReporter implements Reporter {
  private plans: ColumnPlan[] = [];
  private keys: string[] = [];
  private first = true;
  private sections = 0;
  private titled = false;

  constructor(private readonly out = new OutputSink()) {}

  begin(columns: readonly OutputColumn[], title?: string): void {
    this.plans = planColumns(columns);
    this.keys = this.plans.map((p) => JSON.stringify(p.name));
    this.first = true;
    if (title !== undefined) {
      this.out.push(this.sections === 0 ? '{\n' : ',\n');
      this.out.push(`${JSON.stringify(title)}: [`);
      this.titled = true;
    } else {
      this.out.push('[');
    }
    this.sections++;
  }

  rows(rows: readonly (readonly unknown[])[]): void {
    const plans = this.plans;
    for (const row of rows) {
      const parts: string[] = [];
      for (let c = 0; c < plans.length; c++) {
        const p = plans[c]!;
        parts.push(`${this.keys[c]}:${JSON.stringify(jsonValue(row[c], p.hex, p.element, p.name))}`);
      }
      this.out.push(`${this.first ? '\n' : ',\n'}{${parts.join(',')}}`);
      this.first = false;
    }
  }

  end(): void {
    this.out.push(this.first ? ']' : '\n]');
    if (!this.titled) this.out.push('\n');
  }

  finish(): void {
    if (this.titled) this.out.push('\n}\n');
    this.out.flush();
  }
}
