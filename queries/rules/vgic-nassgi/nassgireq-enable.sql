-- id: nassgireq-enable
-- title: Guest enabled SGIs without active state (GICD_CTLR.nASSGIreq)
-- change: vgic-nassgi
-- kernels: GICv4.1 vSGI support (about 5.7); GICD_TYPER2.nASSGIcap userspace-writable from about
--   6.17 (c652887a9288, f26e6af75782)
-- compares: nassgicap-1..nassgicap-0
-- level: outcome
-- severity: warn
-- coverage: gic-mmio
-- doc: GICv3 guest writes of GICD_CTLR (D+0x0000) with nASSGIreq (bit 8) set, e.g. Linux's 0x113
--   instead of 0x13 after it saw TYPER2.nASSGIcap = 1. The guest then treats SGIs as having no
--   active state. Migrated to a host without GICv4.1 vSGIs, or with nASSGIcap cleared by the VMM,
--   the bit reads back 0 and SGI semantics differ from what the guest configured at boot.
--
--   One row per VM and vCPU.
SELECT a.import_id, a.vm, a.vcpu, min(a.ts_ns) AS first_ts_ns, max(a.ts_ns) AS last_ts_ns, count(*) AS count,
       min(a.seq) AS example_seq,
       printf('GICD_CTLR written with nASSGIreq (bit 8) ×%d (%s): the guest opted into SGIs without active state; a host without GICv4.1 vSGIs (or nASSGIcap cleared) reads the bit as 0',
              count(*), array_to_string(list_sort(list(DISTINCT printf('0x%x', a.value))), ', ')) AS detail
FROM accesses_decoded a
WHERE a.op = 'W' AND a.block = 'GICD' AND a."offset" = 0 AND a.value IS NOT NULL AND (a.value >> 8) & 1 = 1
  AND NOT EXISTS (SELECT 1 FROM vms v WHERE v.import_id = a.import_id AND v.vm = a.vm AND v.gic_version = 2)
GROUP BY a.import_id, a.vm, a.vcpu
