-- id: psci-version-probe
-- title: Guest asked for the PSCI version or PSCI features
-- change: psci-version
-- kernels: KVM's default PSCI version: 1.0 (about 4.16), 1.1 from 5.18 (512865d83fd9), 1.3 from 6.13
--   (8be82d536a9f, 97413cea1c48); pinned by the VMM through KVM_REG_ARM_PSCI_VERSION
-- compares: psci-1.0..psci-1.3
-- level: touch
-- severity: info
-- coverage: hypercall
-- doc: PSCI_VERSION (0x84000000) and PSCI_FEATURES (0x8400000A) calls over the HVC conduit
--   (function id = r0 & 0xffffffff). The answers follow the host kernel or the VMM's pin:
--   PSCI_VERSION returns 0x10000, 0x10001 or 0x10003, and PSCI_FEATURES(SYSTEM_RESET2) /
--   PSCI_FEATURES(SYSTEM_OFF2) change from NOT_SUPPORTED to supported with 1.1 / 1.3. The argument
--   of PSCI_FEATURES and every answer are not traced, so this shows that the guest looked, not what
--   it concluded; every Linux guest probes at boot. Calls over the SMC conduit are not visible here
--   (see psci-smc-conduit).
--
--   One row per VM and vCPU.
WITH fns(fid, name) AS (
  VALUES ('0x84000000'::UBIGINT, 'PSCI_VERSION'), ('0x8400000a'::UBIGINT, 'PSCI_FEATURES')
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
         || ': the answer is 1.0 / 1.1 / 1.3 by host kernel (< 5.18 / 5.18-6.12 / >= 6.13) or the VMM''s pin; arguments and answers are not traced' AS detail
FROM per_fn
GROUP BY import_id, vm, vcpu
