-- id: direct-lpi-invalidation
-- title: Guest invalidates LPIs through GICR_INVLPIR / GICR_INVALLR / GICR_SYNCR
-- change: vgic-iidr-rev2-rev3
-- kernels: 4645d11f4a55 (Linux 5.19) implements the registers on every host; 49a1a2c70a7f (5.19)
--   advertises them through GICR_CTLR.IR under IIDR rev 3; guests use them from Linux 5.19
--   ("irqchip/gic-v3: Detect LPI invalidation MMIO registers")
-- compares: vgic-rev2..vgic-rev3
-- level: outcome
-- severity: warn
-- coverage: gic-mmio
-- doc: Writes to GICR_INVLPIR (RD_base+0x00A0) and GICR_INVALLR (+0x00B0), reads of GICR_SYNCR (+0x00C0)
--   (abi-changes.md §2: upper-word writes are ignored by KVM, INVLPIR/INVALLR read as zero).
--   A guest only does this after it saw GICR_CTLR.IR = 1 at boot, i.e. it depends on IIDR revision
--   3: it keeps invalidating LPIs by MMIO for the rest of its life. Migrated to a 5.19+ host pinned
--   to revision 2 it still works (the registers exist on every 5.19+ host); rolled back to a host
--   older than 5.19 those offsets are RAZ/WI and every LPI invalidation is silently lost, so
--   masked or re-prioritised MSIs misbehave (inferred from the register tables, not tested). A guest
--   freshly booted on a rev-2 host uses ITS INV commands instead.
--
--   One row per VM and vCPU; detail counts each register and shows the first LPIs invalidated.
WITH hits AS (
  SELECT import_id, vm, vcpu, seq, ts_ns, op, value,
         CASE WHEN "offset" BETWEEN '0xa0'::UBIGINT AND '0xa7'::UBIGINT THEN 'GICR_INVLPIR'
              WHEN "offset" BETWEEN '0xb0'::UBIGINT AND '0xb7'::UBIGINT THEN 'GICR_INVALLR'
              ELSE 'GICR_SYNCR' END AS reg
  FROM accesses_decoded
  -- writes that reach KVM (a 64-bit write, or a 32-bit one to the low word: the upper word is
  -- ignored, vgic.md §1.2) and SYNCR reads; reading INVLPIR/INVALLR (RAZ) depends on nothing
  WHERE block = 'GICR' AND ((op = 'W' AND "offset" IN ('0xa0'::UBIGINT, '0xb0'::UBIGINT))
                         OR (op = 'R' AND "offset" = '0xc0'::UBIGINT))
),
per_reg AS (
  SELECT import_id, vm, vcpu, reg, count(*) AS n, min(ts_ns) AS first_ts, max(ts_ns) AS last_ts, min(seq) AS seq,
         string_agg(DISTINCT op, '/' ORDER BY op) AS ops,
         list_sort(list(DISTINCT value & '0xffffffff'::UBIGINT) FILTER (WHERE reg = 'GICR_INVLPIR' AND op = 'W' AND value IS NOT NULL)) AS lpis
  FROM hits GROUP BY import_id, vm, vcpu, reg
)
SELECT import_id, vm, vcpu, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
       min(seq) AS example_seq,
       string_agg(printf('%s %s ×%d', reg, ops, n)
                  || CASE WHEN len(lpis) > 0
                          THEN ' (LPI ' || array_to_string(list_slice(lpis, 1, 5), ', ') || CASE WHEN len(lpis) > 5 THEN ', …' ELSE '' END || ')'
                          ELSE '' END, ', ' ORDER BY reg)
         || ': direct LPI invalidation, selected because the guest saw GICR_CTLR.IR = 1 (rev 3); after rollback to a host < 5.19 these writes are ignored and LPI invalidations are lost' AS detail
FROM per_reg
GROUP BY import_id, vm, vcpu
