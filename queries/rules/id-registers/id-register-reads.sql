-- id: id-register-reads
-- title: Guest read ID registers whose default values changed between host kernels
-- change: id-registers
-- kernels: 6.3 masks ID_AA64MMFR2_EL1.CCIDX (bf48040cd9b0); 6.2-6.5 move the PMU version limit
--   (ID_AA64DFR0_EL1.PMUVer); 6.7 makes most ID registers writable; 6.11 makes CTR_EL0 writable;
--   6.13 hides ID_AA64PFR0_EL1.MPAM (abi-changes.md §6)
-- compares: host-pre-6.3..host-6.13
-- level: touch
-- severity: info
-- coverage: sysreg
-- doc: Trapped reads (HCR_EL2.TID3, kvm_sys_access with Op0 = 3, Op1 = 0, CRn = 0, plus CTR_EL0
--   (3,3,0,0,1)) of the ID registers whose default value changed: ID_AA64DFR0_EL1 (3,0,0,5,0),
--   ID_AA64MMFR2_EL1 (3,0,0,7,2), ID_AA64PFR0_EL1 (3,0,0,4,0), CTR_EL0. Linux reads the whole ID
--   block on every CPU at boot, so every Linux guest touches them; the values are not in the trace
--   (kvm_sys_access carries none), so whether the answer changed needs a register snapshot of the
--   source and target hosts (abi-changes.md §6, "what a trace cannot show"). The detail also counts
--   the other ID-space reads.
--
--   One row per VM and vCPU.
WITH changed(name, op0, op1, crn, crm, op2, note) AS (
  VALUES ('ID_AA64DFR0_EL1', 3, 0, 0, 5, 0, 'PMUVer limit, 6.2-6.5'),
         ('ID_AA64MMFR2_EL1', 3, 0, 0, 7, 2, 'CCIDX masked, 6.3'),
         ('ID_AA64PFR0_EL1', 3, 0, 0, 4, 0, 'MPAM hidden, 6.13'),
         ('CTR_EL0', 3, 3, 0, 0, 1, 'VM-writable, 6.11')
),
reads AS (
  SELECT a.import_id, a.vm, a.vcpu, a.seq, a.ts_ns, c.name, c.note,
         ((a.addr >> 19) & 3) = 3 AND ((a.addr >> 16) & 7) = 0 AND ((a.addr >> 12) & 15) = 0 AS id_space
  FROM accesses a
  LEFT JOIN changed c ON a.addr = ((c.op0 << 19) | (c.op1 << 16) | (c.crn << 12) | (c.crm << 8) | (c.op2 << 5))
  WHERE a.space = 'sysreg' AND a.op = 'R'
    AND (c.name IS NOT NULL OR (((a.addr >> 19) & 3) = 3 AND ((a.addr >> 16) & 7) = 0 AND ((a.addr >> 12) & 15) = 0))
),
per_vcpu AS (
  SELECT import_id, vm, vcpu, min(ts_ns) AS first_ts_ns, max(ts_ns) AS last_ts_ns, min(seq) FILTER (WHERE name IS NOT NULL) AS example_seq,
         count(*) FILTER (WHERE name IS NOT NULL) AS count,
         count(*) FILTER (WHERE name IS NULL) AS others,
         string_agg(DISTINCT name || ' (' || note || ')', ', ' ORDER BY name || ' (' || note || ')') AS names
  FROM reads GROUP BY import_id, vm, vcpu
)
SELECT import_id, vm, vcpu, first_ts_ns, last_ts_ns, count, example_seq,
       printf('%s read ×%d, and %d other ID-register read(s): values are not traced; whether the answer changed needs register snapshots of both hosts',
              names, count, others) AS detail
FROM per_vcpu
WHERE count > 0
