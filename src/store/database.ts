/**
 * One open DuckDB database file and its single connection. Verbs say their cost:
 * `run` executes and discards, `runAndReadAll` materialises every row as JS values (small
 * results only), `stream` hands back chunks as DuckDB produces them (large results; read
 * vectors with `@duckdb/node-bindings` `vector_get_data` for speed, tooling-notes §3).
 * Every DuckDB failure leaves as an AbitraceError with a stable code (see translateDuckDBError).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBResult, type DuckDBValue } from '@duckdb/node-api';
import { AbitraceError, E } from '../errors.ts';
import { toPlainValue } from './plain-value.ts';

export interface OpenOptions {
  /** Open with `access_mode=READ_ONLY`: writes fail with E_READ_ONLY. Default false. */
  readOnly?: boolean;
  /** Create the file when missing. Default: true for read-write, never for read-only. */
  create?: boolean;
}

export interface ColumnInfo {
  name: string;
  /** DuckDB's SQL type name, e.g. 'UBIGINT', 'VARCHAR', 'STRUCT(line BIGINT, text VARCHAR)[]'. */
  type: string;
}

/** A fully read result: rows of plain JS values (bigint for 64-bit integers; see plain-value.ts). */
export interface ReadResult {
  columns: ColumnInfo[];
  rows: unknown[][];
}

/** A streaming result: `columns` now, `batches()` yields rows of plain JS values per DuckDB chunk. */
export interface StreamedResult {
  columns: ColumnInfo[];
  /** The underlying result, for raw chunk access (`fetchChunk` + `vector_get_data`). */
  result: DuckDBResult;
  batches(): AsyncGenerator<unknown[][]>;
}

export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;

export class Database {
  /** The connection, for appenders and raw chunk reads. Do not close it directly. */
  readonly connection: DuckDBConnection;
  private closed = false;

  private constructor(
    readonly path: string,
    readonly readOnly: boolean,
    private readonly instance: DuckDBInstance,
    connection: DuckDBConnection,
  ) {
    this.connection = connection;
  }

  /**
   * Opens (or creates) a database file. ':memory:' opens an in-memory database.
   * Errors: E_DB_NOT_FOUND (missing file and create=false), E_DB_LOCKED (another process
   * holds the file), E_DB_OPEN (anything else, with DuckDB's message).
   */
  static async open(path: string, options: OpenOptions = {}): Promise<Database> {
    if (path.trim() === '') throw new AbitraceError(E.USAGE, '--db is empty: give a database file (DuckDB would open a throw-away in-memory one)');
    const readOnly = options.readOnly ?? false;
    const create = options.create ?? !readOnly;
    const memory = path === ':memory:';
    if (!memory && !create && !existsSync(path)) {
      throw new AbitraceError(E.DB_NOT_FOUND,
        `database ${path} does not exist; create it with \`abitrace import <trace> --db ${path}\``);
    }
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(memory ? ':memory:' : path, readOnly ? { access_mode: 'READ_ONLY' } : {});
    } catch (err) {
      throw translateOpenError(err, path);
    }
    const connection = await instance.connect();
    return new Database(memory ? path : resolve(path), readOnly, instance, connection);
  }

  /** Executes one statement (or several separated by ';' without parameters) and discards the result. */
  async run(sql: string, params?: SqlParams): Promise<void> {
    try {
      await this.connection.run(sql, params);
    } catch (err) {
      throw translateDuckDBError(err, this.path);
    }
  }

  /** Executes and materialises the whole result as plain JS rows. Small results only. */
  async runAndReadAll(sql: string, params?: SqlParams): Promise<ReadResult> {
    try {
      const reader = await this.connection.runAndReadAll(sql, params);
      const names = reader.deduplicatedColumnNames();
      const types = reader.columnTypes();
      const columns = names.map((name, i) => ({ name, type: types[i]!.toString() }));
      const rows = reader.getRows().map((r) => r.map(toPlainValue));
      return { columns, rows };
    } catch (err) {
      throw translateDuckDBError(err, this.path);
    }
  }

  /** `runAndReadAll` as objects keyed by column name: for small metadata queries. */
  async readObjects<T = Record<string, unknown>>(sql: string, params?: SqlParams): Promise<T[]> {
    const { columns, rows } = await this.runAndReadAll(sql, params);
    return rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, r[i]])) as T);
  }

  /** Starts a streaming query: chunks are produced as they are fetched. */
  async stream(sql: string, params?: SqlParams): Promise<StreamedResult> {
    let result: DuckDBResult;
    try {
      result = await this.connection.stream(sql, params);
    } catch (err) {
      throw translateDuckDBError(err, this.path);
    }
    return streamedResult(result, this.path);
  }

  /**
   * Runs a script of several statements: all but the last are executed and discarded, the
   * last is streamed. An empty script is an E_SQL error.
   */
  async streamScript(sql: string): Promise<StreamedResult> {
    try {
      const extracted = await this.connection.extractStatements(sql);
      const n = extracted.count;
      if (n === 0) throw new AbitraceError(E.SQL, 'no SQL statement given');
      for (let i = 0; i < n - 1; i++) await (await extracted.prepare(i)).run();
      const last = await (await extracted.prepare(n - 1)).stream();
      return streamedResult(last, this.path);
    } catch (err) {
      throw translateDuckDBError(err, this.path);
    }
  }

  /** Runs fn inside BEGIN/COMMIT; any throw rolls back and rethrows. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.run('COMMIT');
      return out;
    } catch (err) {
      await this.rollbackQuietly();
      throw err;
    }
  }

  /** ROLLBACK, ignoring "no transaction is active" (the failure may have aborted it already). */
  async rollbackQuietly(): Promise<void> {
    try {
      await this.connection.run('ROLLBACK');
    } catch {
      /* nothing to roll back */
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

function streamedResult(result: DuckDBResult, path: string): StreamedResult {
  const names = result.deduplicatedColumnNames();
  const types = result.columnTypes();
  const columns = names.map((name, i) => ({ name, type: types[i]!.toString() }));
  return {
    columns,
    result,
    async *batches() {
      for (;;) {
        let chunk;
        try {
          chunk = await result.fetchChunk();
        } catch (err) {
          throw translateDuckDBError(err, path);
        }
        if (!chunk || chunk.rowCount === 0) return;
        yield chunk.getRows().map((r) => r.map(toPlainValue));
      }
    },
  };
}

function translateOpenError(err: unknown, path: string): AbitraceError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Could not set lock on file|Conflicting lock is held/i.test(msg)) {
    const holder = /held in (.+?) \(PID (\d+)\)/.exec(msg);
    const who = holder ? ` by ${holder[1]} (PID ${holder[2]})` : '';
    return new AbitraceError(E.DB_LOCKED,
      `database ${path} is locked${who}; wait for that process to finish (an import holds the file until it ends) or use another --db`);
  }
  if (/database does not exist/i.test(msg)) {
    return new AbitraceError(E.DB_NOT_FOUND, `database ${path} does not exist`);
  }
  return new AbitraceError(E.DB_OPEN, `cannot open database ${path}: ${msg}`);
}

/** Maps a DuckDB error to E_READ_ONLY, E_DB_LOCKED or E_SQL (DuckDB's message kept verbatim). */
export function translateDuckDBError(err: unknown, path: string): AbitraceError {
  if (err instanceof AbitraceError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/attached in read-only mode|read-only mode!|database is read-only/i.test(msg)) {
    return new AbitraceError(E.READ_ONLY,
      `${msg.split('\n')[0]} — the database is opened read-only; pass --write to allow changes to ${path}`);
  }
  if (/Could not set lock on file/i.test(msg)) return translateOpenError(err, path);
  return new AbitraceError(E.SQL, msg.replace(/^Failed to extract statements: /, '').trim());
}
