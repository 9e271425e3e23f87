-- id: igroupr-replay-unknown
-- title: Replay: IGROUPR outcome under revisions 1 and 2 could not be determined
-- change: vgic-iidr-rev1-rev2
-- kernels: d53c2c29ae0d (Linux 4.19, IIDR rev 2)
-- compares: vgic-rev1..vgic-rev2
-- level: unknown
-- severity: info
-- requires: replay
-- coverage: gic-mmio
-- doc: Replay verdicts "unknown" for GICD_IGROUPR / GICR_IGROUPR0 between revisions 1 and 2: the
--   replay could not tell whether the outcome differs, typically because the trace starts in the
--   middle of the VM's life (the register state before the first traced access is not known) or a
--   written value was not traced. Such a VM counts as unknown for this change, not as unaffected.
--   Uses the latest replay run per VM.
--
--   One row per VM and register.
WITH latest AS (
  SELECT * FROM replay_verdicts
  WHERE ((from_rev = '1' AND to_rev = '2') OR (from_rev = '2' AND to_rev = '1'))
    AND register IN ('GICD_IGROUPR', 'GICR_IGROUPR0')
  QUALIFY row_number() OVER (PARTITION BY import_id, vm, register ORDER BY run_id DESC) = 1
)
SELECT l.import_id, l.vm, NULL::SMALLINT AS vcpu, NULL::BIGINT AS first_ts_ns, NULL::BIGINT AS last_ts_ns,
       l.unknown_accesses AS count, l.first_unknown_seq AS example_seq,
       printf('replay rev %s vs rev %s: %s outcome unknown for %d of %d accesses%s', l.from_rev, l.to_rev, l.register,
              l.unknown_accesses, l.accesses,
              CASE WHEN v.state_origin IS NOT NULL THEN ' (state origin: ' || v.state_origin || ')' ELSE '' END) AS detail
FROM latest l
LEFT JOIN replay_vms v ON v.run_id = l.run_id AND v.import_id = l.import_id AND v.vm = l.vm
WHERE l.verdict = 'unknown'
