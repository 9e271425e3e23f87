-- id: gicr-ctlr-read
-- title: Guest read GICR_CTLR (IR/CES advertise IIDR revision 3)
-- change: vgic-iidr-rev2-rev3
-- kernels: 49a1a2c70a7f (Linux 5.19) sets GICR_CTLR.CES (bit 1) and .IR (bit 2) under IIDR rev 3;
--   rev 2 (pinnable from userspace, effective only with a0e6ae45af17) reads them as 0
-- compares: vgic-rev2..vgic-rev3
-- level: touch
-- severity: info
-- coverage: gic-mmio
-- doc: Reads of each redistributor's GICR_CTLR (RD_base+0x0000), with the values the guest saw.
--   Linux >= 5.19 reads GICR_CTLR of every redistributor at boot and, if IR (bit 2) is set, masks
--   and unmasks LPIs through GICR_INVLPIR/GICR_SYNCR instead of ITS INV commands; every GICv3 guest
--   also polls it for RWP (bit 3). A read with IR set shows the guest was told "revision 3"; a read
--   with IR clear means revision <= 2, a host older than 5.19, or a GIC that is not KVM's (QEMU's
--   own model reads CES=1, IR=0). Whether the guest acted on IR is what direct-lpi-invalidation
--   finds.
--
--   One row per VM and vCPU; detail lists each value read with its count and decoded bits.
WITH reads AS (
  SELECT import_id, vm, vcpu, seq, ts_ns, value, redist
  FROM accesses_decoded
  WHERE block = 'GICR' AND "offset" = 0 AND op = 'R'
),
per_value AS (
  SELECT import_id, vm, vcpu, value, count(*) AS n, min(ts_ns) AS first_ts, max(ts_ns) AS last_ts,
         min(seq) AS seq, list(DISTINCT redist) AS redists
  FROM reads GROUP BY import_id, vm, vcpu, value
)
SELECT import_id, vm, vcpu, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
       min(seq) AS example_seq,
       printf('%d GICR_CTLR read(s) (redistributor %s): %s; %s', sum(n),
              coalesce(nullif(array_to_string(list_sort(list_distinct(flatten(list(redists)))), ','), ''), '?'),
              string_agg(CASE WHEN value IS NULL THEN printf('value not traced ×%d', n)
                              ELSE printf('0x%x ×%d (IR=%d CES=%d EnableLPIs=%d RWP=%d)', value, n,
                                          (value >> 2) & 1, (value >> 1) & 1, value & 1, (value >> 3) & 1) END,
                         ', ' ORDER BY n DESC, value),
              CASE WHEN bool_or((value >> 2) & 1 = 1)
                   THEN 'IR set: the guest was told rev 3 (Linux >= 5.19 then uses GICR_INVLPIR/GICR_SYNCR)'
                   WHEN bool_or(value IS NOT NULL)
                   THEN 'IR never set: rev <= 2, a host < 5.19, or not a KVM vGIC'
                   ELSE 'values not traced' END) AS detail
FROM per_value
GROUP BY import_id, vm, vcpu
