-- id: register-heatmap
-- title: Register heat map per VM
-- params: none
-- columns: import_id, vm, block, reg, reads, writes, accesses, share_pct (of the VM's accesses),
--   first_seq (first line that touched it)
-- doc: How often each VM touched each register, hottest first: the place to start when a rule
--   fires or a trace looks odd. GIC registers are named from the catalogue (GICD_IGROUPR covers
--   every IGROUPR<n> word), system registers and SMCCC functions by name, other MMIO (UARTs, RTC,
--   PCIe config) by 4 KiB page, e.g. "OTHER page 0x9000000".
--
--   Run: abitrace query -f queries/investigations/register-heatmap.sql [--db FILE] [--format csv]
WITH named AS (
  SELECT import_id, vm, block, op, seq,
         coalesce(reg, CASE WHEN "offset" IS NOT NULL THEN printf('%s+0x%x', block, "offset")
                            WHEN addr IS NOT NULL THEN printf('%s page 0x%x', block, (addr // 4096) * 4096)
                            ELSE block || ' (no address)' END) AS reg
  FROM accesses_decoded
)
SELECT import_id, vm, block, reg,
       count(*) FILTER (WHERE op = 'R') AS reads,
       count(*) FILTER (WHERE op = 'W') AS writes,
       count(*) AS accesses,
       round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY import_id, vm), 2) AS share_pct,
       min(seq) AS first_seq
FROM named
GROUP BY import_id, vm, block, reg
ORDER BY import_id, vm, accesses DESC, reg
