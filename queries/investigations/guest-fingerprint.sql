-- id: guest-fingerprint
-- title: VMs grouped by guest fingerprint (which guest OS is this?)
-- params: first_n (default 12): edit the params CTE
-- columns: fingerprint, guess, vms (how many VMs share it), vm_list, gic_prefix
-- doc: The fingerprint of a VM is the sequence of its boot vCPU's first first_n register accesses
--   (GIC MMIO, trapped system registers and hypercalls; other MMIO such as the UART is skipped),
--   each written as "<R|W> <register>" without values, so it does not depend on the host's answers.
--   The boot vCPU is the one that made the VM's first such access. VMs with identical fingerprints
--   ran the same guest code path; the largest groups come first. guess names the guest from the
--   first four GIC accesses (guests.md): Linux GICv3 reads GICD_PIDR2, GICD_TYPER, GICD_IIDR;
--   Linux GICv2 (irq-gic) disables the distributor (W GICD_CTLR) and reads GICD_ITARGETSR for
--   its own CPU mask; EDK2 starts with a read-modify-write of GICD_CTLR (after reading
--   GICD_TYPER for the interrupt count); Zephyr reads GICD_TYPER, writes GICD_CTLR = 0 and polls
--   RWP; FreeBSD checks the architecture revision in GICD_PIDR2 next to GICD_TYPER without
--   reading GICD_IIDR. It is a hint, not an identification ("unrecognised" otherwise).
--
--   Run: abitrace query -f queries/investigations/guest-fingerprint.sql
WITH params AS (SELECT 12 AS first_n),
relevant AS (
  SELECT import_id, vm, vcpu, tid, seq, op || ' ' || coalesce(reg, block) AS step, block
  FROM accesses_decoded
  WHERE block <> 'OTHER'
),
boot AS (
  SELECT import_id, vm, arg_min(vcpu, seq) AS vcpu, arg_min(tid, seq) AS tid FROM relevant GROUP BY import_id, vm
),
steps AS (
  SELECT r.import_id, r.vm, r.seq, r.step, r.block,
         row_number() OVER (PARTITION BY r.import_id, r.vm ORDER BY r.seq) AS n,
         row_number() OVER (PARTITION BY r.import_id, r.vm, r.block IN ('GICD', 'GICR', 'GITS', 'GICC') ORDER BY r.seq) AS gic_n
  FROM relevant r JOIN boot b ON b.import_id = r.import_id AND b.vm = r.vm
   AND r.tid IS NOT DISTINCT FROM b.tid AND r.vcpu IS NOT DISTINCT FROM b.vcpu
),
per_vm AS (
  SELECT s.import_id, s.vm,
         string_agg(s.step, ', ' ORDER BY s.seq) FILTER (WHERE s.n <= p.first_n) AS fingerprint,
         string_agg(s.step, ', ' ORDER BY s.seq) FILTER (WHERE s.gic_n <= 4 AND s.block IN ('GICD', 'GICR', 'GITS', 'GICC')) AS gic_prefix
  FROM steps s, params p
  GROUP BY s.import_id, s.vm
)
SELECT fingerprint,
       CASE WHEN gic_prefix LIKE 'R GICD_PIDR2, R GICD_TYPER, R GICD_IIDR%' THEN 'Linux (GICv3, irq-gic-v3)'
            WHEN gic_prefix LIKE '%W GICD_CTLR, R GICD_ITARGETSR%' THEN 'Linux (GICv2, irq-gic)'
            WHEN gic_prefix LIKE 'R GICD_CTLR, W GICD_CTLR%' OR gic_prefix LIKE 'R GICD_TYPER, R GICD_CTLR, W GICD_CTLR%' THEN 'EDK2 (ArmGicV3Dxe)'
            WHEN gic_prefix LIKE 'R GICD_TYPER, W GICD_CTLR, R GICD_CTLR%' THEN 'Zephyr (intc_gicv3)'
            WHEN gic_prefix LIKE 'R GICD_TYPER, R GICD_PIDR2%' OR gic_prefix LIKE 'R GICD_PIDR2, R GICD_TYPER, W GICD_CTLR%' THEN 'FreeBSD (gic_v3)'
            WHEN gic_prefix IS NULL THEN 'no GIC access'
            ELSE 'unrecognised' END AS guess,
       count(*) AS vms,
       string_agg(vm || CASE WHEN import_id IS NULL THEN '' ELSE ' (import ' || import_id || ')' END, ', ' ORDER BY import_id, vm) AS vm_list,
       any_value(gic_prefix) AS gic_prefix
FROM per_vm
GROUP BY fingerprint, guess
ORDER BY vms DESC, fingerprint
