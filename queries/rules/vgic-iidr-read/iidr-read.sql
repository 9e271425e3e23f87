-- id: iidr-read
-- title: Guest read GICD_IIDR / GICR_IIDR / GITS_IIDR
-- change: vgic-iidr-read
-- kernels: GICD_IIDR.Revision is 0 (4.7-4.18), 2 (4.19-5.18, d53c2c29ae0d), 3 (5.19+,
--   49a1a2c70a7f); revision 1 only with the proposed 2026 series or downstream reverts
-- compares: vgic-rev0..vgic-rev3
-- level: touch
-- severity: info
-- coverage: gic-mmio
-- doc: Reads of the identification registers: GICD_IIDR (D+0x0008), GICR_IIDR (RD_base+0x0004)
--   and GITS_IIDR (ITS+0x0004). A guest that reads GICD_IIDR sees every IIDR revision change
--   (the revision is bits [15:12]), so any revision pin or host change is visible to it; Linux reads
--   it once at boot only to match quirks, and no quirk matches KVM's value, so for Linux this is
--   visibility, not a behaviour change. The detail decodes each value: a KVM vGIC reports
--   ProductID 0x4B and Implementer 0x43B (0x4B00r43B for GICD with revision r; GICR_IIDR is always
--   0x4B00043B; GITS_IIDR carries the ITS table ABI revision instead). Any other value is not a KVM
--   IIDR (for example QEMU's userspace GIC model reports 0x43B) and says nothing about the KVM
--   revision.
--
--   One row per VM, vCPU and register.
WITH reads AS (
  SELECT import_id, vm, vcpu, seq, ts_ns, value,
         CASE block WHEN 'GICD' THEN 'GICD_IIDR' WHEN 'GICR' THEN 'GICR_IIDR' ELSE 'GITS_IIDR' END AS reg
  FROM accesses_decoded
  WHERE op = 'R' AND ((block = 'GICD' AND "offset" = 8) OR (block IN ('GICR', 'GITS') AND "offset" = 4))
),
per_value AS (
  SELECT import_id, vm, vcpu, reg, value, count(*) AS n, min(ts_ns) AS first_ts, max(ts_ns) AS last_ts, min(seq) AS seq,
         CASE
           WHEN value IS NULL THEN 'value not traced'
           WHEN (value >> 24) & 255 = 75 AND value & 4095 = 1083 THEN
             CASE reg
               WHEN 'GICD_IIDR' THEN printf('KVM vGIC rev %d%s', (value >> 12) & 15,
                                            CASE (value >> 12) & 15 WHEN 0 THEN ', host <= 4.18' WHEN 1 THEN ', pinned or downstream'
                                                 WHEN 2 THEN ', host 4.19-5.18 or pinned' WHEN 3 THEN ', host >= 5.19' ELSE ', unknown revision' END)
               WHEN 'GICR_IIDR' THEN 'KVM redistributor; no revision in GICR_IIDR'
               ELSE printf('KVM ITS, ITS ABI rev %d', (value >> 12) & 15) END
           ELSE printf('not a KVM IIDR: ProductID 0x%02x, Implementer 0x%03x%s', (value >> 24) & 255, value & 4095,
                       CASE WHEN value = 1083 THEN ', as QEMU''s own GIC model reports' ELSE '' END)
         END AS meaning
  FROM reads GROUP BY import_id, vm, vcpu, reg, value
)
SELECT import_id, vm, vcpu, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
       min(seq) AS example_seq,
       reg || ': ' || string_agg(CASE WHEN value IS NULL THEN '' ELSE printf('read 0x%x ', value) END
                                 || printf('×%d (%s)', n, meaning), ', ' ORDER BY seq) AS detail
FROM per_value
GROUP BY import_id, vm, vcpu, reg
