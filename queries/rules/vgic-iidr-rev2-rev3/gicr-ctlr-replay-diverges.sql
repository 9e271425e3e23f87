-- id: gicr-ctlr-replay-diverges
-- title: Replay: GICR_CTLR reads differ between IIDR revisions 2 and 3
-- change: vgic-iidr-rev2-rev3
-- kernels: 49a1a2c70a7f (Linux 5.19) sets GICR_CTLR.CES/IR under IIDR rev 3
-- compares: vgic-rev2..vgic-rev3
-- level: outcome
-- severity: warn
-- requires: replay
-- coverage: gic-mmio
-- doc: Replay verdicts "diverges" for GICR_CTLR between revisions 2 and 3: the guest read
--   GICR_CTLR and would have seen CES/IR (bits 1 and 2) set under one revision and clear under the
--   other. Linux >= 5.19 decides at boot from IR whether to invalidate LPIs by MMIO
--   (direct-lpi-invalidation shows whether it then did); older guests only poll RWP and ignore
--   the difference. Uses the latest replay run per VM; until `abitrace replay` has compared
--   revisions 2 and 3 the rule is reported as not evaluated.
--
--   One row per VM.
WITH latest AS (
  SELECT * FROM replay_verdicts
  WHERE ((from_rev = '2' AND to_rev = '3') OR (from_rev = '3' AND to_rev = '2')) AND register = 'GICR_CTLR'
  QUALIFY row_number() OVER (PARTITION BY import_id, vm, register ORDER BY run_id DESC) = 1
)
SELECT import_id, vm, first_vcpu AS vcpu, first_ts_ns, first_ts_ns AS last_ts_ns, divergent_accesses AS count,
       first_seq AS example_seq,
       printf('replay rev %s vs rev %s: GICR_CTLR, %d of %d accesses diverge; first at line %d (recorded %s): rev %s reads %s, rev %s reads %s',
              from_rev, to_rev, divergent_accesses, accesses, first_seq, coalesce(recorded_value, '?'),
              from_rev, coalesce(from_value, '?'), to_rev, coalesce(to_value, '?')) AS detail
FROM latest
WHERE verdict = 'diverges'
