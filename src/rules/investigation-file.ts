/**
 * Investigation queries (queries/investigations/*.sql): documented SQL a user runs with
 * `abitrace query -f FILE`. Same `-- key: value` header as rules (sql-header.ts); parameters
 * live in a `params` CTE at the top of the query so the file runs unchanged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSqlHeader, type HeaderSpec } from './sql-header.ts';

export const BUILTIN_INVESTIGATIONS_DIR = fileURLToPath(new URL('../../queries/investigations', import.meta.url));

export const INVESTIGATION_HEADER: HeaderSpec = {
  required: ['id', 'title', 'params', 'columns', 'doc'],
  optional: [],
  text: ['title', 'params', 'columns', 'doc'],
};

export interface InvestigationFile {
  id: string;
  title: string;
  params: string;
  columns: string;
  doc: string;
  sql: string;
  path: string;
}

export function parseInvestigationFile(text: string, path: string): InvestigationFile {
  const { values, body } = parseSqlHeader(text, path, INVESTIGATION_HEADER);
  const get = (k: string): string => values.get(k) ?? '';
  return { id: get('id'), title: get('title'), params: get('params'), columns: get('columns'), doc: get('doc'), sql: body, path };
}

/** Every investigation in a directory (default: the shipped ones), sorted by id. */
export function loadInvestigations(dir = BUILTIN_INVESTIGATIONS_DIR): InvestigationFile[] {
  return readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()
    .map((f) => parseInvestigationFile(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
}
