-- id: gicr-ctlr-replay-ir-unseen
-- title: Replay: GICR_CTLR differs between IIDR revisions 2 and 3; whether the guest would act on IR is not in the trace
-- change: vgic-iidr-rev2-rev3
-- kernels: 49a1a2c70a7f (Linux 5.19) sets GICR_CTLR.CES/IR under IIDR rev 3; guests act on IR from
--   Linux 5.19 ("irqchip/gic-v3: Detect LPI invalidation MMIO registers")
-- compares: vgic-rev2..vgic-rev3
-- level: unknown
-- severity: info
-- requires: replay
-- coverage: gic-mmio
-- doc: Replay verdicts "diverges" for GICR_CTLR between revisions 2 and 3 in a VM that never
--   read IR = 1 (a revision-2 or pre-5.19 host, QEMU's own GIC, or values not traced) and never
--   invalidated LPIs by MMIO: under revision 3 a Linux >= 5.19 guest with LPIs would switch to
--   GICR_INVLPIR/SYNCR, an older one would not; the trace cannot tell which. Counts as unknown.
--   Uses the latest replay run per VM; until `abitrace replay` has compared revisions 2 and 3 the
--   rule is reported as not evaluated. One row per VM.
WITH latest AS (
  SELECT * FROM replay_verdicts
  WHERE ((from_rev = '2' AND to_rev = '3') OR (from_rev = '3' AND to_rev = '2')) AND register = 'GICR_CTLR'
  QUALIFY row_number() OVER (PARTITION BY import_id, vm, register ORDER BY run_id DESC) = 1
),
seen AS (
  -- per VM: did a recorded GICR_CTLR read show IR (bit 2), and did the guest invalidate LPIs by MMIO
  SELECT import_id, vm,
         bool_or("offset" = 0 AND op = 'R' AND value IS NOT NULL AND (value >> 2) & 1 = 1) AS ir_seen,
         -- what direct-lpi-invalidation counts: INVLPIR/INVALLR writes that reach KVM, SYNCR reads
         bool_or((op = 'W' AND "offset" IN ('0xa0'::UBIGINT, '0xb0'::UBIGINT)) OR (op = 'R' AND "offset" = '0xc0'::UBIGINT)) AS direct_inv
  FROM accesses_decoded
  WHERE block = 'GICR' AND ("offset" = 0 OR "offset" BETWEEN '0xa0'::UBIGINT AND '0xc3'::UBIGINT)
  GROUP BY import_id, vm
)
SELECT l.import_id, l.vm, l.first_vcpu AS vcpu, l.first_ts_ns, l.first_ts_ns AS last_ts_ns, l.divergent_accesses AS count,
       l.first_seq AS example_seq,
       printf('replay rev %s vs rev %s: GICR_CTLR, %d of %d accesses diverge; first at line %d (recorded %s): rev %s reads %s, rev %s reads %s; %s',
              l.from_rev, l.to_rev, l.divergent_accesses, l.accesses, l.first_seq, coalesce(l.recorded_value, '?'),
              l.from_rev, coalesce(l.from_value, '?'), l.to_rev, coalesce(l.to_value, '?'), 'IR never read as set: whether the guest would use GICR_INVLPIR/SYNCR under rev 3 is not in the trace') AS detail
FROM latest l LEFT JOIN seen s USING (import_id, vm)
WHERE l.verdict = 'diverges' AND NOT coalesce(s.ir_seen, false) AND NOT coalesce(s.direct_inv, false)
