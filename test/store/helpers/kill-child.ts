/**
 * Child process for the kill test: opens the database, starts an import transaction and appends
 * batches forever, printing the row count; the parent SIGKILLs it mid-import.
 */
import { Database } from '../../../src/store/database.ts';
import { ImportWriter } from '../../../src/store/import-writer.ts';
import { ensureSchema } from '../../../src/store/schema.ts';
import { makeBatch } from './batch-fixtures.ts';

const db = await Database.open(process.argv[2]!);
await ensureSchema(db);
const w = await ImportWriter.begin(db, true, 'killed.log');
const batch = makeBatch(0, 65536, 2, 2);
for (let i = 0; ; i++) {
  await w.sink.accesses(batch, ['a', 'b'], ['kvm_mmio', 'kvm_sys_access']);
  process.stdout.write(`appended ${w.rows}\n`);
  await new Promise((r) => setImmediate(r));
}
