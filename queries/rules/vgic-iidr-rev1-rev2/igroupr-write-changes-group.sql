-- id: igroupr-write-changes-group
-- title: Guest wrote an interrupt group that IIDR revision 1 would not store
-- change: vgic-iidr-rev1-rev2
-- kernels: d53c2c29ae0d (Linux 4.19, IIDR rev 2) stores guest IGROUPR writes; rev 1 (kernels
--   reverting it, or the proposed 2026 series) ignores them
-- compares: vgic-rev1..vgic-rev2
-- level: outcome
-- severity: error
-- coverage: gic-mmio
-- doc: 32-bit guest writes to an IGROUPR word whose value differs in any bit from what that word
--   holds under revision 1, where guest writes are ignored: all ones on GICv3 (GICD_IGROUPR<n>
--   for n >= 1 and GICR_IGROUPR0, reset Group 1) and zero on GICv2 (every GICD_IGROUPR<n>, reset
--   Group 0). Under revision >= 2 such a write moves the interrupts whose bit differs to the other
--   group, so the guest's interrupt delivery differs between the two revisions: a GICv3 guest that
--   writes 0 and enables only Group 1 (Zephyr secure builds) receives nothing on rev >= 2 and
--   works on rev 1. Writes of 0xFFFFFFFF on GICv3 (Linux, FreeBSD, EDK2) leave every bit as rev 1
--   has it and are not reported. GICv3 GICD_IGROUPR0 is RAZ/WI in every revision and other access
--   sizes are RAZ/WI too, so neither is reported.
--
--   The GIC version comes from vms.gic_version, else from the frames in vm_blocks (GICR or GITS
--   means v3, GICC v2); a VM whose version is unknown is not evaluated here (igroupr-access still
--   lists its writes). Bits of INTIDs >= nr_irqs are counted although KVM ignores them: the
--   interrupt count is not in the trace (replay models it).
--
--   One row per VM and vCPU; detail names the words, the values and how many group bits differ
--   (counted on the last value written to each word).
WITH gic AS (
  SELECT v.import_id, v.vm,
         coalesce(any_value(v.gic_version),
                  CASE WHEN bool_or(b.block IN ('GICR', 'GITS')) THEN 3 WHEN bool_or(b.block = 'GICC') THEN 2 END) AS gic_version
  FROM vms v LEFT JOIN vm_blocks b ON b.import_id = v.import_id AND b.vm = v.vm
  GROUP BY v.import_id, v.vm
),
writes AS (
  SELECT a.import_id, a.vm, a.vcpu, a.seq, a.ts_ns, a.value & '0xffffffff'::UBIGINT AS value, g.gic_version,
         CASE WHEN a.block = 'GICD' THEN 'GICD_IGROUPR' || ((a."offset" - 128) // 4)
              ELSE 'GICR_IGROUPR0 (redistributor ' || coalesce(a.redist::VARCHAR, '?') || ')' END AS reg,
         CASE WHEN g.gic_version = 2 THEN 0::UBIGINT ELSE '0xffffffff'::UBIGINT END AS rev1_value
  FROM accesses_decoded a JOIN gic g ON g.import_id = a.import_id AND g.vm = a.vm
  WHERE a.op = 'W' AND coalesce(a.len, 4) = 4 AND a.value IS NOT NULL AND g.gic_version IN (2, 3)
    AND ((a.block = 'GICD' AND a."offset" BETWEEN (CASE WHEN g.gic_version = 3 THEN '0x84' ELSE '0x80' END)::UBIGINT
                                                AND '0xfc'::UBIGINT AND a."offset" % 4 = 0)
         OR (a.block = 'GICR' AND g.gic_version = 3 AND a."offset" = '0x10080'::UBIGINT))
),
differing AS (
  SELECT *, bit_count(xor(value, rev1_value)) AS bits FROM writes WHERE value <> rev1_value
),
per_reg AS (
  SELECT import_id, vm, vcpu, reg, any_value(gic_version) AS gic_version, count(*) AS n, min(ts_ns) AS first_ts,
         max(ts_ns) AS last_ts, min(seq) AS seq, arg_max(bits, seq) AS last_bits,
         array_to_string(list_sort(list(DISTINCT printf('0x%x', value))), '/') AS vals
  FROM differing GROUP BY import_id, vm, vcpu, reg
)
SELECT import_id, vm, vcpu, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
       min(seq) AS example_seq,
       printf('GICv%d: wrote %s; %d interrupt group bit(s) differ from rev 1 (%s): under rev >= 2 those interrupts move to Group %s, under rev 1 the writes are ignored',
              any_value(gic_version), string_agg(reg || ' = ' || vals, ', ' ORDER BY seq), sum(last_bits),
              CASE WHEN any_value(gic_version) = 3 THEN 'all Group 1, reads 0xffffffff' ELSE 'all Group 0, reads 0' END,
              CASE WHEN any_value(gic_version) = 3 THEN '0 (delivered only if the guest enables Group 0)' ELSE '1' END) AS detail
FROM per_reg
GROUP BY import_id, vm, vcpu
