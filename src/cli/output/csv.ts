/**
 * CSV reporter, RFC 4180 quoting: a field containing a comma, double quote, CR or LF is wrapped
 * in double quotes with inner quotes doubled. NULL is an empty field; an empty string is `""`.
 * Records end with CRLF, as RFC 4180 says (Python's csv module and spreadsheets write the same;
 * every CSV reader, DuckDB's included, takes it). Several titled sections (e.g. `stats`) are each
 * preceded by a `# <title>` line and separated by a blank line.
 */
import { planColumns, textValue, type ColumnPlan } from './values.ts';
import { OutputSink, type OutputColumn, type Reporter } from './reporter.ts';

const EOL = '\r\n';

export function csvField(s: string | null): string {
  if (s === null) return '';
  if (s === '') return '""';
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export class CsvReporter implements Reporter {
  private plans: ColumnPlan[] = [];
  private sections = 0;

  constructor(private readonly out = new OutputSink()) {}

  begin(columns: readonly OutputColumn[], title?: string): void {
    this.plans = planColumns(columns);
    if (title !== undefined) this.out.push(`${this.sections > 0 ? EOL : ''}# ${title}${EOL}`);
    this.sections++;
    this.out.push(`${columns.map((c) => csvField(c.name)).join(',')}${EOL}`);
  }

  rows(rows: readonly (readonly unknown[])[]): void {
    const plans = this.plans;
    for (const row of rows) {
      let line = '';
      for (let c = 0; c < plans.length; c++) {
        if (c > 0) line += ',';
        line += csvField(textValue(row[c], plans[c]!));
      }
      this.out.push(`${line}${EOL}`);
    }
  }

  end(): void {}

  finish(): void {
    this.out.flush();
  }
}
