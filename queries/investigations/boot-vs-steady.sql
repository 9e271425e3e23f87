-- id: boot-vs-steady
-- title: Boot versus steady state per vCPU
-- params: boot_seconds (default 2.0): edit the params CTE
-- columns: import_id, vm, vcpu, block, reg, boot_accesses, steady_accesses, steady_per_s (accesses per
--   second after the boot window; NULL when the vCPU has no steady phase)
-- doc: Splits each vCPU's accesses into its first boot_seconds (from that vCPU's first traced
--   access) and the rest, per register. Boot-only registers (identification, group and priority
--   set-up) are what an ABI change at VM start affects; steady-state registers (enable/mask, EOI
--   paths, IPIs, INVLPIR) are what a live migration carries across. Rows without a timestamp are
--   left out.
--
--   Run: abitrace query -f queries/investigations/boot-vs-steady.sql
WITH params AS (SELECT 2.0 AS boot_seconds),
timed AS (
  SELECT import_id, vm, vcpu, block, ts_ns,
         coalesce(reg, CASE WHEN addr IS NOT NULL THEN printf('%s page 0x%x', block, (addr // 4096) * 4096)
                            ELSE block || ' (no address)' END) AS reg,
         min(ts_ns) OVER (PARTITION BY import_id, vm, vcpu) AS start_ns,
         (max(ts_ns) OVER (PARTITION BY import_id, vm, vcpu) - min(ts_ns) OVER (PARTITION BY import_id, vm, vcpu)) / 1e9 AS span_s
  FROM accesses_decoded WHERE ts_ns IS NOT NULL
),
counted AS (
  SELECT t.import_id, t.vm, t.vcpu, t.block, t.reg, any_value(t.span_s) AS span_s, any_value(p.boot_seconds) AS boot_seconds,
         count(*) FILTER (WHERE t.ts_ns - t.start_ns < p.boot_seconds * 1e9) AS boot_accesses,
         count(*) FILTER (WHERE t.ts_ns - t.start_ns >= p.boot_seconds * 1e9) AS steady_accesses
  FROM timed t, params p
  GROUP BY t.import_id, t.vm, t.vcpu, t.block, t.reg
)
SELECT import_id, vm, vcpu, block, reg, boot_accesses, steady_accesses,
       CASE WHEN span_s > boot_seconds THEN round(steady_accesses / (span_s - boot_seconds), 1) END AS steady_per_s
FROM counted
ORDER BY import_id, vm, vcpu NULLS FIRST, boot_accesses + steady_accesses DESC, reg
