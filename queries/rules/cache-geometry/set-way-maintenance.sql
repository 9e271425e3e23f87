-- id: set-way-maintenance
-- title: Guest cleaned or invalidated caches by set/way (DC ISW / CSW / CISW)
-- change: cache-geometry
-- kernels: 7af0c2534f4c (Linux 6.3) makes the geometry 1 set x 1 way per level, so set/way loops
--   shrink to one trapped DC per level; before 6.3 the loop followed the physical CCSIDR
-- compares: host-pre-6.3..host-6.3
-- level: touch
-- severity: info
-- coverage: sysreg
-- doc: Trapped set/way cache maintenance: DC ISW (1,0,7,6,2), DC CSW (1,0,7,10,2) and DC CISW
--   (1,0,7,14,2). KVM always traps these (HCR_EL2.TSW) and turns them into full flushes, so the
--   outcome for the guest is the same; what changes with the 6.3 geometry is how many the loop
--   issues (one per level instead of sets x ways), i.e. the trap count and boot time. A burst here
--   means firmware (U-Boot, EDK2) or an old kernel walked the cache geometry, usually right after
--   reading CCSIDR_EL1 (see cache-id-access).
--
--   One row per VM and vCPU; detail counts each instruction.
WITH ops(name, op0, op1, crn, crm, op2) AS (
  VALUES ('DC ISW', 1, 0, 7, 6, 2), ('DC CSW', 1, 0, 7, 10, 2), ('DC CISW', 1, 0, 7, 14, 2)
),
hits AS (
  SELECT a.import_id, a.vm, a.vcpu, a.seq, a.ts_ns, o.name
  FROM accesses_decoded a
  JOIN ops o ON a.addr = ((o.op0 << 19) | (o.op1 << 16) | (o.crn << 12) | (o.crm << 8) | (o.op2 << 5))
  WHERE a.space = 'sysreg'
),
per_op AS (
  SELECT import_id, vm, vcpu, name, count(*) AS n, min(ts_ns) AS first_ts, max(ts_ns) AS last_ts, min(seq) AS seq
  FROM hits GROUP BY import_id, vm, vcpu, name
)
SELECT import_id, vm, vcpu, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
       min(seq) AS example_seq,
       string_agg(printf('%s ×%d', name, n), ', ' ORDER BY name)
         || ': set/way walk; its length follows the cache geometry KVM reports (1 set x 1 way per level from 6.3)' AS detail
FROM per_op
GROUP BY import_id, vm, vcpu
