-- id: igroupr-replay-diverges
-- title: Replay: IGROUPR reads or state differ between IIDR revisions 1 and 2
-- change: vgic-iidr-rev1-rev2
-- kernels: d53c2c29ae0d (Linux 4.19, IIDR rev 2) made IGROUPR guest-writable; rev 1 ignores writes
-- compares: vgic-rev1..vgic-rev2
-- level: outcome
-- severity: error
-- requires: replay
-- coverage: gic-mmio
-- doc: The replay verdicts (abitrace replay) for GICD_IGROUPR and GICR_IGROUPR0 that diverge
--   between revision 1 and revision 2: the emulated vGIC, fed the guest's own accesses, ends up
--   with a different group state or returns a different value to a read. This is the value-aware
--   check that separates real dependence from "touched": a write of 0xFFFFFFFF on GICv3 never
--   diverges, a write of 0 does, and the detail says whether a later read (or interrupt delivery)
--   made the difference visible to the guest ("observed") or it stayed latent. Uses the latest
--   replay run per VM; until `abitrace replay` has compared revisions 1 and 2 the rule is reported
--   as not evaluated.
--
--   One row per VM and register.
WITH latest AS (
  SELECT * FROM replay_verdicts
  WHERE ((from_rev = '1' AND to_rev = '2') OR (from_rev = '2' AND to_rev = '1'))
    AND register IN ('GICD_IGROUPR', 'GICR_IGROUPR0')
  QUALIFY row_number() OVER (PARTITION BY import_id, vm, register ORDER BY run_id DESC) = 1
)
SELECT import_id, vm, first_vcpu AS vcpu, first_ts_ns, first_ts_ns AS last_ts_ns, divergent_accesses AS count,
       first_seq AS example_seq,
       printf('replay rev %s vs rev %s: %s, %d of %d accesses diverge; first at line %d (%s, recorded %s): rev %s gives %s, rev %s gives %s; %s',
              from_rev, to_rev, register, divergent_accesses, accesses, first_seq, coalesce(first_op, '?'),
              coalesce(recorded_value, '?'), from_rev, coalesce(from_value, '?'), to_rev, coalesce(to_value, '?'),
              CASE WHEN observed THEN printf('observed by %s at line %d', coalesce(observed_by, '?'), observed_seq)
                   ELSE 'latent: no later read or delivery in the trace showed it' END) AS detail
FROM latest
WHERE verdict = 'diverges'
