/**
 * The Arrow schema of an accesses file: the same column names and value types as the DuckDB
 * `accesses` view. The string columns are dictionary-encoded Utf8 whose indices are the
 * AccessBatch codes themselves (zero-copy):
 *   vm      Dictionary<Int32 → Utf8>  (id 0)  the per-import vm dictionary, grown by DELTA batches
 *   source  Dictionary<Uint8 → Utf8>  (id 1)  event names, grown by DELTA batches
 *   space   Dictionary<Uint8 → Utf8>  (id 2)  fixed: SPACE_NAMES
 *   op      Dictionary<Uint8 → Utf8>  (id 3)  fixed: OP_NAMES
 * The IPC file format forbids dictionary *replacement* but allows deltas (Arrow columnar spec,
 * "IPC File Format"); apache-arrow JS, Arrow C++/pyarrow and Go readers apply them in file order.
 */
import {
  Dictionary, Field, Int16, Int32, Int64, Schema, Uint32, Uint64, Uint8, Utf8,
} from 'apache-arrow';

/** Bumped when the column set or types change; stored in the schema metadata. */
export const ACCESS_ARROW_VERSION = '1';

export const DICT_VM = 0;
export const DICT_SOURCE = 1;
export const DICT_SPACE = 2;
export const DICT_OP = 3;

export const vmType = () => new Dictionary(new Utf8(), new Int32(), DICT_VM);
export const sourceType = () => new Dictionary(new Utf8(), new Uint8(), DICT_SOURCE);
export const spaceType = () => new Dictionary(new Utf8(), new Uint8(), DICT_SPACE);
export const opType = () => new Dictionary(new Utf8(), new Uint8(), DICT_OP);

/** Column names in order, as the `accesses` view. */
export const ACCESS_COLUMNS = ['import_id', 'seq', 'ts_ns', 'host_cpu', 'tid', 'vm', 'vcpu', 'source', 'space', 'op',
  'addr', 'len', 'value', 'pc', 'imm'] as const;

export function accessSchema(metadata: Map<string, string>): Schema {
  return new Schema([
    new Field('import_id', new Int32(), true),
    new Field('seq', new Int64(), false),
    new Field('ts_ns', new Int64(), true),
    new Field('host_cpu', new Int16(), true),
    new Field('tid', new Int32(), true), // NULL: the trace names no thread (QEMU logs without `<tid>@`)
    new Field('vm', vmType(), false),
    new Field('vcpu', new Int16(), true),
    new Field('source', sourceType(), false),
    new Field('space', spaceType(), false),
    new Field('op', opType(), false),
    new Field('addr', new Uint64(), true),
    new Field('len', new Uint8(), true),
    new Field('value', new Uint64(), true),
    new Field('pc', new Uint64(), true),
    new Field('imm', new Uint32(), true),
  ], metadata);
}
