-- id: bitmap-gated-calls
-- title: Guest called a hypercall service a firmware bitmap bit can hide
-- change: hypercall-bitmaps
-- kernels: bitmap registers KVM_REG_ARM_STD_BMAP / STD_HYP_BMAP / VENDOR_HYP_BMAP from Linux 5.19
--   (default: all known services on); VENDOR_HYP_BMAP_2 from 6.15 (c0000e58c74e, default off);
--   the services themselves from about 5.5 (PV time) and 5.12 (TRNG, PTP)
-- compares: bitmap-default..bitmap-cleared
-- level: outcome
-- severity: warn
-- coverage: hypercall
-- doc: HVC calls of SMCCC services that KVM answers only while their bit is set in a firmware bitmap
--   pseudo-register: TRNG (0x84000050-0x84000053, 0xC4000053; STD_BMAP bit 0), PV stolen time
--   (0xC5000020/21; STD_HYP_BMAP bit 0), the KVM vendor UID and feature query (0x8600FF01,
--   0x86000000; VENDOR_HYP_BMAP bit 0), KVM PTP (0x86000001; VENDOR_HYP_BMAP bit 1) and the
--   implementation-discovery calls (0xC6000040/41; VENDOR_HYP_BMAP_2 bits 0/1, which KVM denies
--   unless the VMM forwards them). A guest that used one of these gets NOT_SUPPORTED (-1) instead if
--   the operator pins an older bitmap (clears the bit) or rolls back to a kernel without the
--   service, so its behaviour differs: no hardware RNG seed, no stolen-time accounting, no KVM
--   detection, no ptp_kvm clock. Every Linux guest calls the vendor UID at boot. Arguments and
--   answers are not traced; SMC-conduit calls are counted by hypercall-smc-conduit.
--
--   One row per VM and vCPU; detail names each service with its bitmap register and bit.
WITH fns(fid, name, bitmap) AS (
  VALUES ('0x84000050'::UBIGINT, 'TRNG_VERSION', 'KVM_REG_ARM_STD_BMAP bit 0 (TRNG_V1_0)'),
         ('0x84000051'::UBIGINT, 'TRNG_FEATURES', 'KVM_REG_ARM_STD_BMAP bit 0 (TRNG_V1_0)'),
         ('0x84000052'::UBIGINT, 'TRNG_GET_UUID', 'KVM_REG_ARM_STD_BMAP bit 0 (TRNG_V1_0)'),
         ('0x84000053'::UBIGINT, 'TRNG_RND32', 'KVM_REG_ARM_STD_BMAP bit 0 (TRNG_V1_0)'),
         ('0xc4000053'::UBIGINT, 'TRNG_RND64', 'KVM_REG_ARM_STD_BMAP bit 0 (TRNG_V1_0)'),
         ('0xc5000020'::UBIGINT, 'HV_PV_TIME_FEATURES', 'KVM_REG_ARM_STD_HYP_BMAP bit 0 (PV_TIME)'),
         ('0xc5000021'::UBIGINT, 'HV_PV_TIME_ST', 'KVM_REG_ARM_STD_HYP_BMAP bit 0 (PV_TIME)'),
         ('0x8600ff01'::UBIGINT, 'VENDOR_HYP_CALL_UID', 'KVM_REG_ARM_VENDOR_HYP_BMAP bit 0 (FUNC_FEAT)'),
         ('0x86000000'::UBIGINT, 'VENDOR_HYP_KVM_FEATURES', 'KVM_REG_ARM_VENDOR_HYP_BMAP bit 0 (FUNC_FEAT)'),
         ('0x86000001'::UBIGINT, 'VENDOR_HYP_KVM_PTP', 'KVM_REG_ARM_VENDOR_HYP_BMAP bit 1 (PTP)'),
         ('0xc6000040'::UBIGINT, 'KVM_DISCOVER_IMPL_VER', 'KVM_REG_ARM_VENDOR_HYP_BMAP_2 bit 0 (DISCOVER_IMPL_VER; denied unless forwarded to the VMM)'),
         ('0xc6000041'::UBIGINT, 'KVM_DISCOVER_IMPL_CPUS', 'KVM_REG_ARM_VENDOR_HYP_BMAP_2 bit 1 (DISCOVER_IMPL_CPUS; denied unless forwarded to the VMM)')
),
hits AS (
  SELECT a.import_id, a.vm, a.vcpu, a.seq, a.ts_ns, f.name, f.bitmap, f.fid
  FROM accesses_decoded a JOIN fns f ON (a.addr & '0xffffffff'::UBIGINT) = f.fid
  WHERE a.space IN ('hvc', 'smc')
),
per_fn AS (
  SELECT import_id, vm, vcpu, name, bitmap, fid, count(*) AS n, min(ts_ns) AS first_ts, max(ts_ns) AS last_ts, min(seq) AS seq
  FROM hits GROUP BY import_id, vm, vcpu, name, bitmap, fid
)
SELECT import_id, vm, vcpu, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
       min(seq) AS example_seq,
       string_agg(printf('%s ×%d [%s]', name, n, bitmap), ', ' ORDER BY fid)
         || ': NOT_SUPPORTED (-1) if that bit is cleared or the host predates the service' AS detail
FROM per_fn
GROUP BY import_id, vm, vcpu
