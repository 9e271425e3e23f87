-- id: psci-optional-functions
-- title: Guest called an optional PSCI function KVM does not implement
-- change: psci-version
-- kernels: none: KVM answers NOT_SUPPORTED to MEM_PROTECT and MEM_PROTECT_CHECK_RANGE in every version
-- compares: psci-1.0..psci-1.3
-- level: touch
-- severity: info
-- coverage: hypercall
-- doc: Calls of MEM_PROTECT (0x84000013) and MEM_PROTECT_CHECK_RANGE (0x84000014 / 0xC4000014),
--   optional functions of PSCI 1.1. KVM implements neither and answers NOT_SUPPORTED (-1) under
--   every PSCI version it offers, so raising or pinning the version does not change what the guest
--   gets: listed so a reviewer sees the guest probing late PSCI features, not as a behaviour change.
--
--   One row per VM and vCPU.
WITH fns(fid, name) AS (
  VALUES ('0x84000013'::UBIGINT, 'MEM_PROTECT'), ('0x84000014'::UBIGINT, 'MEM_PROTECT_CHECK_RANGE'),
         ('0xc4000014'::UBIGINT, 'MEM_PROTECT_CHECK_RANGE_64')
),
hits AS (
  SELECT a.import_id, a.vm, a.vcpu, a.seq, a.ts_ns, f.name
  FROM accesses_decoded a JOIN fns f ON (a.addr & '0xffffffff'::UBIGINT) = f.fid
  WHERE a.space IN ('hvc', 'smc')
),
per_fn AS (
  SELECT import_id, vm, vcpu, name, count(*) AS n, min(ts_ns) AS first_ts, max(ts_ns) AS last_ts, min(seq) AS seq
  FROM hits GROUP BY import_id, vm, vcpu, name
)
SELECT import_id, vm, vcpu, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
       min(seq) AS example_seq,
       string_agg(printf('%s ×%d', name, n), ', ' ORDER BY name)
         || ': NOT_SUPPORTED under every PSCI version KVM offers; no outcome change' AS detail
FROM per_fn
GROUP BY import_id, vm, vcpu
