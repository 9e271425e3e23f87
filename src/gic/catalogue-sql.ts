/**
 * SQL generated from the register catalogue: the `registers` table (and the sysreg / SMCCC name
 * tables) plus the `accesses_decoded` view. CONTRACT: the store runs these statements, in order,
 * after creating its base tables (`accesses` view and `vm_blocks` table must exist).
 *
 * STUB: owned by the register-catalogue work; it will be generated from the declarative tables.
 */
export function catalogueStatements(): string[] {
  return [
    `CREATE OR REPLACE TABLE registers (block VARCHAR, gic_version TINYINT, frame VARCHAR, "offset" UINTEGER,
       length UINTEGER, name VARCHAR, bits_per_irq TINYINT, widths VARCHAR)`,
    `CREATE OR REPLACE VIEW accesses_decoded AS
       SELECT a.*, coalesce(b.block, CASE a.space WHEN 'sysreg' THEN 'SYSREG' WHEN 'hvc' THEN 'HVC' WHEN 'smc' THEN 'HVC' ELSE 'OTHER' END) AS block,
              NULL::VARCHAR AS reg,
              CASE WHEN b.block IS NULL THEN NULL ELSE a.addr - b.base END AS "offset",
              NULL::INTEGER AS redist, NULL::INTEGER AS irq
       FROM accesses a LEFT JOIN vm_blocks b
         ON a.import_id = b.import_id AND a.vm = b.vm AND a.space = 'mmio'
        AND a.addr >= b.base AND a.addr < b.base + b.size`,
  ];
}
