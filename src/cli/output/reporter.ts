/**
 * The contract every output format implements, so each command prints through the same three
 * reporters (table, json, csv). A command writes one or more *results* (a column list then rows,
 * possibly in several `rows()` calls for streamed results); several results in one run are
 * *sections* and carry a title (e.g. `stats`).
 */
export interface OutputColumn {
  name: string;
  /** DuckDB SQL type name ('UBIGINT', 'VARCHAR', 'INTEGER[]', …); decides hex vs decimal. */
  type: string;
}

export interface Reporter {
  /** Starts a result. `title` names a section when a command prints more than one. */
  begin(columns: readonly OutputColumn[], title?: string): void;
  /** Rows of plain JS values (see src/store/plain-value.ts), in column order. */
  rows(rows: readonly (readonly unknown[])[]): void;
  /** Ends the current result. */
  end(): void;
  /** Ends the whole output (closes JSON objects, flushes). */
  finish(): void;
}

export type OutputFormat = 'table' | 'json' | 'csv';

let epipeHandled = false;

/** stdout closed by the reader (`abitrace query ... | head`): stop quietly, as Unix tools do. */
function writeStdout(s: string): void {
  if (!epipeHandled) {
    epipeHandled = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  process.stdout.write(s);
}

/** Where reporters write: buffered, flushed in 64 KiB pieces. */
export class OutputSink {
  private buf: string[] = [];
  private size = 0;
  constructor(private readonly write: (s: string) => void = writeStdout) {}
  push(s: string): void {
    this.buf.push(s);
    this.size += s.length;
    if (this.size >= 65536) this.flush();
  }
  flush(): void {
    if (this.buf.length === 0) return;
    this.write(this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }
}

/** Convenience: one complete result. */
export function writeResult(r: Reporter, columns: readonly OutputColumn[], rows: readonly (readonly unknown[])[], title?: string): void {
  r.begin(columns, title);
  r.rows(rows);
  r.end();
}

/** Convenience: a streamed result (e.g. Database.stream().batches()). Returns the row count. */
export async function writeStreamed(
  r: Reporter, columns: readonly OutputColumn[], batches: AsyncIterable<unknown[][]>, title?: string,
): Promise<number> {
  let n = 0;
  r.begin(columns, title);
  for await (const b of batches) {
    r.rows(b);
    n += b.length;
  }
  r.end();
  return n;
}
