/** Picks the reporter for `--format`. Every command prints through one of these. */
import { CsvReporter } from './csv.ts';
import { JsonReporter } from './json.ts';
import { OutputSink, type OutputFormat, type Reporter } from './reporter.ts';
import { TableReporter } from './table.ts';

export type { OutputColumn, OutputFormat, Reporter } from './reporter.ts';
export { OutputSink, writeResult, writeStreamed } from './reporter.ts';

export function createReporter(format: OutputFormat | string, sink = new OutputSink()): Reporter {
  switch (format) {
    case 'json':
      return new JsonReporter(sink);
    case 'csv':
      return new CsvReporter(sink);
    default:
      return new TableReporter(sink);
  }
}
