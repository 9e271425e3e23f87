/**
 * SQL generated from the register catalogue: the `registers` table, the sysreg and SMCCC name
 * tables, the `register_offsets` lookup and the `accesses_decoded` view. CONTRACT: the store runs
 * these statements, in order, after creating its base tables (`accesses` view and `vm_blocks`
 * table must exist).
 *
 * Speed: the view never range-joins accesses against the register table. A row finds its block
 * with one hash join on (import_id, vm) against the handful of `vm_blocks` rows of its VM (the
 * address range is a residual condition), then its register with an equi-join on
 * (frame, word = offset >> 2) against `register_offsets`, which lists every 32-bit word a
 * descriptor covers (every descriptor is word-aligned). The frame of a block follows decode.ts:
 * GICD of at most 4 KiB is a GICv2 distributor.
 */
import type { FrameDef } from './descriptor.ts';
import { HANDLER_NAMES } from './descriptor.ts';
import { FRAMES } from './catalogue.ts';
import { encodingOf, SYSREGS } from './sysregs.ts';
import { SMCCC_FUNCTIONS } from './smccc.ts';

const q = (s: string | null | undefined): string => (s === null || s === undefined ? 'NULL' : `'${s.replace(/'/g, "''")}'`);

function registerRows(): string {
  const rows: string[] = [];
  for (const f of FRAMES)
    for (const r of f.registers)
      rows.push(`(${q(f.block)}, ${f.gicVersion}, ${q(f.id)}, ${r.offset}, ${r.length}, ${q(r.name)}, ${r.bitsPerIrq}, ` +
        `${q(r.widths.join(','))}, ${q(HANDLER_NAMES[r.handler])}, ${r.implemented !== false}, ${q(r.hostFeature)}, ` +
        `${r.bitsPerIrq > 0 ? (r.irqBase ?? 0) : 'NULL'}, ${r.privateRaz === true}, ${q(r.summary)})`);
  return rows.join(',\n');
}

/** One SELECT per descriptor generating its words with range(): small SQL, ~20k rows. */
function offsetSelects(f: FrameDef): string[] {
  return f.registers.map((r) =>
    `SELECT ${q(f.id)} AS frame, w::UINTEGER AS word, ${q(r.name)} AS reg, ${r.offset}::UINTEGER AS reg_offset, ` +
    `${r.bitsPerIrq}::UTINYINT AS bits_per_irq, ${r.irqBase ?? 0}::USMALLINT AS irq_base ` +
    `FROM range(${r.offset >>> 2}, ${(r.offset + r.length) >>> 2}) t(w)`);
}

export function catalogueStatements(): string[] {
  const sysregRows = SYSREGS.map((s) => `(${encodingOf(s)}, ${q(s.name)}, ${s.op0}, ${s.op1}, ${s.crn}, ${s.crm}, ${s.op2}, ${q(s.group)})`).join(',\n');
  const smcccRows = SMCCC_FUNCTIONS.map((f) =>
    `(${f.id}, ${q(f.name)}, ${q(f.service)}, ${q(f.convention)}, ${f.psciMin === undefined ? 'NULL' : `'${f.psciMin >>> 16}.${f.psciMin & 0xffff}'`}, ` +
    `${q(f.gate?.register)}, ${f.gate?.bit ?? 'NULL'}, ${q(f.gate?.bitName)}, ${q(f.note)})`).join(',\n');
  return [
    `CREATE OR REPLACE TABLE registers (block VARCHAR, gic_version TINYINT, frame VARCHAR, "offset" UINTEGER,
       length UINTEGER, name VARCHAR, bits_per_irq TINYINT, widths VARCHAR, handler VARCHAR, implemented BOOLEAN,
       host_feature VARCHAR, irq_base SMALLINT, private_raz BOOLEAN, summary VARCHAR)`,
    `INSERT INTO registers VALUES\n${registerRows()}`,
    `CREATE OR REPLACE TABLE register_offsets AS\n${FRAMES.flatMap(offsetSelects).join('\nUNION ALL\n')}`,
    `CREATE OR REPLACE TABLE sysreg_names (encoding UINTEGER PRIMARY KEY, name VARCHAR, op0 UTINYINT, op1 UTINYINT,
       crn UTINYINT, crm UTINYINT, op2 UTINYINT, "group" VARCHAR)`,
    `INSERT INTO sysreg_names VALUES\n${sysregRows}`,
    `CREATE OR REPLACE TABLE smccc_functions (function_id UINTEGER PRIMARY KEY, name VARCHAR, service VARCHAR,
       convention VARCHAR, psci_min VARCHAR, bitmap_register VARCHAR, bitmap_bit TINYINT, bitmap_bit_name VARCHAR, note VARCHAR)`,
    `INSERT INTO smccc_functions VALUES\n${smcccRows}`,
    // Frame per block, by the same rule as decode.ts; first_redist as firstRedistIndex (layout.ts).
    `CREATE OR REPLACE VIEW vm_block_frames AS
       SELECT import_id, vm, block, base, size, coalesce(stride, size) AS span,
              CASE WHEN block = 'GICR' THEN coalesce(sum(size // coalesce(stride, size)) OVER (
                PARTITION BY import_id, vm, block ORDER BY base ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) END AS first_redist,
              CASE block WHEN 'GICD' THEN CASE WHEN size <= 4096 THEN 'gicd-v2' ELSE 'gicd-v3' END
                         WHEN 'GICR' THEN 'gicr-v3' WHEN 'GITS' THEN 'gits-v3'
                         WHEN 'GICC' THEN 'gicc-v2' WHEN 'GICV2M' THEN 'gicv2m' END AS frame
       FROM vm_blocks`,
    // Every join is an equi-join on keys computed per row (NULL when the row's space does not
    // apply): a condition on one side only inside ON would make DuckDB fall back to a nested-loop
    // join. The block join's range test rides along as a residual of the (import_id, vm) hash join.
    `CREATE OR REPLACE VIEW accesses_decoded AS
       WITH keyed AS (
         SELECT a.*,
                CASE WHEN a.space = 'mmio' THEN a.addr END AS k_mmio,
                CASE WHEN a.space = 'sysreg' THEN a.addr END AS k_sysreg,
                -- SMCCC function ids are the low 32 bits of x0 (tracepoints.md §2.5); addr keeps all 64
                CASE WHEN a.space IN ('hvc', 'smc') THEN a.addr & 4294967295 END AS k_fn
         FROM accesses a
       ), placed AS (
         SELECT k.*, b.block AS gic_block, b.frame AS gic_frame,
                (k.k_mmio - b.base) % b.span AS gic_offset,
                ((k.k_mmio - b.base) % b.span) >> 2 AS gic_word,
                CASE WHEN b.block = 'GICR' THEN (b.first_redist + (k.k_mmio - b.base) // b.span)::INTEGER END AS gic_redist
         FROM keyed k
         LEFT JOIN vm_block_frames b
           ON k.import_id = b.import_id AND k.vm = b.vm AND k.k_mmio >= b.base AND k.k_mmio < b.base + b.size
       )
       SELECT p.* EXCLUDE (k_mmio, k_sysreg, k_fn, gic_block, gic_frame, gic_offset, gic_word, gic_redist),
              coalesce(p.gic_block, CASE p.space WHEN 'sysreg' THEN 'SYSREG' WHEN 'hvc' THEN 'HVC' WHEN 'smc' THEN 'HVC' ELSE 'OTHER' END) AS block,
              CASE WHEN p.gic_block IS NOT NULL THEN r.reg
                   WHEN p.k_sysreg IS NOT NULL THEN coalesce(s.name, printf('S%d_%d_C%d_C%d_%d', (p.addr >> 19) & 3, (p.addr >> 16) & 7,
                                                   (p.addr >> 12) & 15, (p.addr >> 8) & 15, (p.addr >> 5) & 7))
                   WHEN p.k_fn IS NOT NULL THEN coalesce(f.name,
                        printf('SMCCC_%s_OWNER%d_0x%x', CASE WHEN (p.addr & 1073741824) <> 0 THEN '64' ELSE '32' END,
                               (p.addr >> 24) & 63, p.addr & 65535))
              END AS reg,
              p.gic_offset::BIGINT AS "offset",
              p.gic_redist AS redist,
              CASE WHEN r.bits_per_irq > 0 THEN (r.irq_base + ((p.gic_offset - r.reg_offset) * 8) // r.bits_per_irq)::INTEGER END AS irq
       FROM placed p
       LEFT JOIN register_offsets r ON r.frame = p.gic_frame AND r.word = p.gic_word
       LEFT JOIN sysreg_names s ON s.encoding = p.k_sysreg
       LEFT JOIN smccc_functions f ON f.function_id = p.k_fn`,
  ];
}
