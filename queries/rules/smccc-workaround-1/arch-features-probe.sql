-- id: arch-features-probe
-- title: Guest called SMCCC_ARCH_FEATURES (the WORKAROUND_1 answer changed on unaffected hosts)
-- change: smccc-workaround-1
-- kernels: 5.10-era hypercalls.c answers SMCCC_ARCH_FEATURES(WORKAROUND_1) with NOT_REQUIRED (-2) on
--   a host not affected by Spectre-v2; later kernels answer UNAFFECTED (+1) (believed to be the 2022
--   Spectre-BHB work; commit unverified, abi-changes.md §0 row 7 and §5)
-- compares: host-pre-2022..host-2022
-- level: unknown
-- severity: info
-- coverage: hypercall
-- doc: SMCCC_ARCH_FEATURES calls (function id 0x80000001 in x0) over HVC or SMC. Linux calls it on
--   every CPU at boot with WORKAROUND_1 (0x80008000), WORKAROUND_2 and WORKAROUND_3 in x1
--   (guests.md §5 #13); its spectre_v2 code treats 0 as mitigated, +1 as unaffected and anything
--   else as vulnerable, so the old host's -2 reads as "Vulnerable". The argument (x1) and the answer
--   are not traced, and the answer also follows the host's Spectre state, so the trace shows the
--   probe, never whether its outcome differs: the VM counts as unknown for this change. No
--   knob restores the old answer (the firmware registers are migration guards, not knobs).
--
--   One row per VM and vCPU.
WITH calls AS (
  SELECT import_id, vm, vcpu, seq, ts_ns, space
  FROM accesses
  WHERE space IN ('hvc', 'smc') AND addr IS NOT NULL AND (addr & '0xffffffff'::UBIGINT) = '0x80000001'::UBIGINT
)
SELECT import_id, vm, vcpu, min(ts_ns) AS first_ts_ns, max(ts_ns) AS last_ts_ns, count(*) AS count, min(seq) AS example_seq,
       printf('SMCCC_ARCH_FEATURES ×%d (%s; argument not traced): if it asked about WORKAROUND_1, an unaffected host answers NOT_REQUIRED (-2) before the 2022 change and UNAFFECTED (+1) after, which Linux reports as "Vulnerable" vs "Not affected"',
              count(*), string_agg(DISTINCT upper(space), '/' ORDER BY upper(space))) AS detail
FROM calls
GROUP BY import_id, vm, vcpu
