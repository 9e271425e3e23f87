-- id: igroupr-access
-- title: Guest read or wrote GICD_IGROUPR<n> / GICR_IGROUPR0
-- change: vgic-iidr-rev1-rev2
-- kernels: d53c2c29ae0d (Linux 4.19) made IGROUPR guest-writable and set GICD_IIDR revision 2;
--   revision 1 (writes ignored) is what kernels reverting it run, and is selectable only with the
--   proposed 2026 series "vgic: Fix IGROUPR writability and IIDR revision control"
-- compares: vgic-rev1..vgic-rev2
-- level: touch
-- severity: info
-- coverage: gic-mmio
-- doc: Every guest access to the interrupt group registers: the distributor's GICD_IGROUPR<n>
--   (D+0x0080..0x00FF) and each redistributor's GICR_IGROUPR0 (SGI_base+0x0080). Under IIDR
--   revision 1 guest writes are ignored; from revision 2 they store each interrupt's group.
--   Touching the registers is not a behaviour change by itself: Linux, FreeBSD and EDK2 write
--   0xFFFFFFFF, which a GICv3 register already holds under revision 1, so their outcome is
--   identical (see igroupr-write-changes-group for the writes whose outcome differs). Word 0 of the
--   GICv3 distributor array (INTIDs 0-31) is RAZ/WI under every revision.
--
--   One row per VM, vCPU, register family and direction; detail lists the words and the values.
WITH gic AS (
  -- as igroupr-write-changes-group: vms.gic_version, else the frames in vm_blocks
  SELECT v.import_id, v.vm,
         coalesce(any_value(v.gic_version),
                  CASE WHEN bool_or(b.block IN ('GICR', 'GITS')) THEN 3 WHEN bool_or(b.block = 'GICC') THEN 2 END) AS gic_version
  FROM vms v LEFT JOIN vm_blocks b ON b.import_id = v.import_id AND b.vm = v.vm
  GROUP BY v.import_id, v.vm
),
hits AS (
  SELECT a.import_id, a.vm, a.vcpu, a.seq, a.ts_ns, a.op, a.value,
         CASE WHEN a.block = 'GICD' THEN 'GICD_IGROUPR' ELSE 'GICR_IGROUPR0' END AS reg,
         CASE WHEN a.block = 'GICD' THEN ((a."offset" - 128) // 4)::INTEGER ELSE a.redist END AS word
  FROM accesses_decoded a LEFT JOIN gic g ON g.import_id = a.import_id AND g.vm = a.vm
  -- GICv3 distributor word 0 (INTIDs 0-31) is RAZ/WI under every revision: not the change's register
  WHERE (a.block = 'GICD' AND a."offset" BETWEEN (CASE WHEN g.gic_version = 3 THEN '0x84' ELSE '0x80' END)::UBIGINT AND '0xff'::UBIGINT)
     OR (a.block = 'GICR' AND a."offset" = '0x10080'::UBIGINT)
),
per_value AS (
  SELECT import_id, vm, vcpu, reg, op, value, count(*) AS n, min(ts_ns) AS first_ts, max(ts_ns) AS last_ts,
         min(seq) AS seq, list(DISTINCT word) AS words
  FROM hits GROUP BY import_id, vm, vcpu, reg, op, value
),
per_reg AS (
  SELECT import_id, vm, vcpu, reg, op, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
         min(seq) AS example_seq, list_sort(list_distinct(flatten(list(words)))) AS words,
         string_agg(CASE WHEN value IS NULL THEN 'value not traced' ELSE printf('0x%x', value) END
                    || printf(' ×%d', n), ', ' ORDER BY n DESC, value) AS vals
  FROM per_value GROUP BY import_id, vm, vcpu, reg, op
)
SELECT import_id, vm, vcpu, first_ts_ns, last_ts_ns, count, example_seq,
       CASE WHEN reg = 'GICD_IGROUPR'
            THEN reg || CASE WHEN len(words) > 2 AND len(words) = words[-1] - words[1] + 1
                             THEN words[1] || '..' || words[-1] ELSE array_to_string(words, ',') END
            ELSE reg || ' (redistributor ' || coalesce(nullif(array_to_string(words, ','), ''), '?') || ')' END
         || printf(': %d %s, ', count, CASE WHEN op = 'W' THEN (CASE WHEN count = 1 THEN 'write' ELSE 'writes' END)
                                            ELSE (CASE WHEN count = 1 THEN 'read' ELSE 'reads' END) END)
         || vals AS detail
FROM per_reg
