-- id: vcpu-activity
-- title: vCPU activity over time
-- params: bucket_seconds (default 1.0): edit the params CTE
-- columns: import_id, vm, vcpu, t_s (bucket start, seconds from the VM's first traced access),
--   accesses, gic, sysreg, hypercalls, other_mmio
-- doc: Accesses per vCPU per time bucket, split by kind: when each vCPU came up (secondaries start
--   with their PSCI CPU_ON and redistributor set-up), boot bursts, idle periods and runaway loops
--   (e.g. an RWP poll that never ends). Buckets with no access are omitted; rows without a
--   timestamp are left out.
--
--   Run: abitrace query -f queries/investigations/vcpu-activity.sql
WITH params AS (SELECT 1.0 AS bucket_seconds),
timed AS (
  SELECT import_id, vm, vcpu, block, space, ts_ns - min(ts_ns) OVER (PARTITION BY import_id, vm) AS rel_ns
  FROM accesses_decoded WHERE ts_ns IS NOT NULL
)
SELECT t.import_id, t.vm, t.vcpu,
       floor(t.rel_ns / (p.bucket_seconds * 1e9)) * p.bucket_seconds AS t_s,
       count(*) AS accesses,
       count(*) FILTER (WHERE t.block IN ('GICD', 'GICR', 'GITS', 'GICC', 'GICV2M')) AS gic,
       count(*) FILTER (WHERE t.space = 'sysreg') AS sysreg,
       count(*) FILTER (WHERE t.space IN ('hvc', 'smc')) AS hypercalls,
       count(*) FILTER (WHERE t.space = 'mmio' AND t.block = 'OTHER') AS other_mmio
FROM timed t, params p
GROUP BY t.import_id, t.vm, t.vcpu, t_s
ORDER BY t.import_id, t.vm, t.vcpu NULLS FIRST, t_s
