-- id: gicr-ctlr-replay-unknown
-- title: Replay: GICR_CTLR outcome under revisions 2 and 3 could not be determined
-- change: vgic-iidr-rev2-rev3
-- kernels: 49a1a2c70a7f (Linux 5.19)
-- compares: vgic-rev2..vgic-rev3
-- level: unknown
-- severity: info
-- requires: replay
-- coverage: gic-mmio
-- doc: Replay verdicts "unknown" for GICR_CTLR between revisions 2 and 3 (for example a read whose
--   value depends on LPI state the trace does not show). Such a VM counts as unknown for this
--   change. Uses the latest replay run per VM.
--
--   One row per VM.
WITH latest AS (
  SELECT * FROM replay_verdicts
  WHERE ((from_rev = '2' AND to_rev = '3') OR (from_rev = '3' AND to_rev = '2')) AND register = 'GICR_CTLR'
  QUALIFY row_number() OVER (PARTITION BY import_id, vm, register ORDER BY run_id DESC) = 1
)
SELECT import_id, vm, NULL::SMALLINT AS vcpu, NULL::BIGINT AS first_ts_ns, NULL::BIGINT AS last_ts_ns,
       unknown_accesses AS count, first_unknown_seq AS example_seq,
       printf('replay rev %s vs rev %s: GICR_CTLR outcome unknown for %d of %d accesses', from_rev, to_rev,
              unknown_accesses, accesses) AS detail
FROM latest
WHERE verdict = 'unknown'
