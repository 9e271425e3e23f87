-- id: top-registers
-- title: Top registers by accesses, over all VMs
-- params: top_n (default 20): edit the params CTE
-- columns: block, reg, accesses, reads, writes, vms (how many VMs touched it), distinct_values,
--   share_pct (of all accesses)
-- doc: The registers that dominate the traces: what a replay spends its time on, and which
--   registers are common to every guest (boot-time identification reads) versus specific to a few.
--   Names as in register-heatmap; MMIO outside the GIC is grouped by block and 4 KiB page.
--
--   Run: abitrace query -f queries/investigations/top-registers.sql
WITH params AS (SELECT 20 AS top_n),
named AS (
  SELECT import_id, vm, op, value, block,
         coalesce(reg, CASE WHEN addr IS NOT NULL THEN printf('%s page 0x%x', block, (addr // 4096) * 4096)
                            ELSE block || ' (no address)' END) AS reg
  FROM accesses_decoded
),
ranked AS (
  SELECT block, reg, count(*) AS accesses, count(*) FILTER (WHERE op = 'R') AS reads,
         count(*) FILTER (WHERE op = 'W') AS writes, count(DISTINCT (import_id, vm)) AS vms,
         count(DISTINCT value) AS distinct_values,
         round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS share_pct
  FROM named GROUP BY block, reg
)
SELECT * FROM ranked
ORDER BY accesses DESC, reg
LIMIT (SELECT top_n FROM params)
