-- id: psci-late-functions
-- title: Guest called a PSCI function that older PSCI versions answer NOT_SUPPORTED
-- change: psci-version
-- kernels: SYSTEM_RESET2 with PSCI 1.1 (Linux 5.18, 512865d83fd9 + d43583b890e7); SYSTEM_OFF2 with
--   PSCI 1.3 (Linux 6.13, 97413cea1c48)
-- compares: psci-1.0..psci-1.3
-- level: outcome
-- severity: warn
-- coverage: hypercall
-- doc: Direct calls of SYSTEM_RESET2 (0x84000012 / 0xC4000012, PSCI 1.1) and SYSTEM_OFF2
--   (0x84000015 / 0xC4000015, PSCI 1.3). KVM executes them only when the VM's PSCI version is at
--   least that version; pinned lower (KVM_REG_ARM_PSCI_VERSION) or rolled back to an older host
--   the same call returns NOT_SUPPORTED (-1), so a reboot or hibernation request takes a different
--   path (Linux falls back to SYSTEM_RESET / SYSTEM_OFF only if it probed the feature first).
--   PSCI_FEATURES probes for these functions cannot be told apart from other PSCI_FEATURES calls
--   (the argument is not traced): see psci-version-probe.
--
--   One row per VM and vCPU.
WITH fns(fid, name, since) AS (
  VALUES ('0x84000012'::UBIGINT, 'SYSTEM_RESET2', 'PSCI 1.1, host >= 5.18'),
         ('0xc4000012'::UBIGINT, 'SYSTEM_RESET2_64', 'PSCI 1.1, host >= 5.18'),
         ('0x84000015'::UBIGINT, 'SYSTEM_OFF2', 'PSCI 1.3, host >= 6.13'),
         ('0xc4000015'::UBIGINT, 'SYSTEM_OFF2_64', 'PSCI 1.3, host >= 6.13')
),
hits AS (
  SELECT a.import_id, a.vm, a.vcpu, a.seq, a.ts_ns, f.name, f.since
  FROM accesses_decoded a JOIN fns f ON (a.addr & '0xffffffff'::UBIGINT) = f.fid
  WHERE a.space IN ('hvc', 'smc')
),
per_fn AS (
  SELECT import_id, vm, vcpu, name, since, count(*) AS n, min(ts_ns) AS first_ts, max(ts_ns) AS last_ts, min(seq) AS seq
  FROM hits GROUP BY import_id, vm, vcpu, name, since
)
SELECT import_id, vm, vcpu, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
       min(seq) AS example_seq,
       string_agg(printf('%s ×%d (%s)', name, n, since), ', ' ORDER BY name)
         || ': NOT_SUPPORTED (-1) when the VM''s PSCI version is pinned lower or the host is older' AS detail
FROM per_fn
GROUP BY import_id, vm, vcpu
