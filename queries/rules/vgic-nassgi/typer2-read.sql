-- id: typer2-read
-- title: Guest read GICD_TYPER2 (nASSGIcap)
-- change: vgic-nassgi
-- kernels: GICD_TYPER2.nASSGIcap (bit 8) reported on GICv4.1 hosts with vSGI support from about 5.7
--   (Marc Zyngier's GICv4.1 series); userspace-writable from about 6.17 (c652887a9288)
-- compares: nassgicap-0..nassgicap-1
-- level: touch
-- severity: info
-- coverage: gic-mmio
-- doc: Reads of GICD_TYPER2 (D+0x000C) on a GICv3 distributor, with the values read. nASSGIcap
--   (bit 8) tells the guest it may ask for SGIs without an active state; Linux >= 5.7 reads it once
--   at boot and, when set, writes GICD_CTLR with nASSGIreq (see nassgireq-enable). The bit follows
--   the host hardware (and from about 6.17 the VMM's write), so it can differ between hosts of one
--   fleet.
--
--   One row per VM and vCPU.
WITH reads AS (
  SELECT a.import_id, a.vm, a.vcpu, a.seq, a.ts_ns, a.value
  FROM accesses_decoded a
  WHERE a.op = 'R' AND a.block = 'GICD' AND a."offset" = 12
    AND NOT EXISTS (SELECT 1 FROM vms v WHERE v.import_id = a.import_id AND v.vm = a.vm AND v.gic_version = 2)
),
per_value AS (
  SELECT import_id, vm, vcpu, value, count(*) AS n, min(ts_ns) AS first_ts, max(ts_ns) AS last_ts, min(seq) AS seq
  FROM reads GROUP BY import_id, vm, vcpu, value
)
SELECT import_id, vm, vcpu, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
       min(seq) AS example_seq,
       'GICD_TYPER2: ' || string_agg(CASE WHEN value IS NULL THEN printf('value not traced ×%d', n)
                                          ELSE printf('read 0x%x ×%d (nASSGIcap=%d)', value, n, (value >> 8) & 1) END,
                                     ', ' ORDER BY seq) AS detail
FROM per_value
GROUP BY import_id, vm, vcpu
