-- id: imp-id-reg-reads
-- title: Guest read REVIDR_EL1 / AIDR_EL1 (new trap, unchanged value)
-- change: new-traps-unchanged-values
-- kernels: Linux 6.15 traps REVIDR_EL1 and AIDR_EL1 (access_imp_id_reg, with the opt-in
--   KVM_CAP_ARM_WRITABLE_IMP_ID_REGS); without the opt-in they still return the physical CPU's value
-- compares: host-pre-6.15..host-6.15
-- level: touch
-- severity: info
-- coverage: sysreg
-- visible-from: 6.15
-- doc: Trapped reads of REVIDR_EL1 (3,0,0,0,6) and AIDR_EL1 (3,1,0,0,7). These kvm_sys_access
--   events appear only on 6.15+ hosts, where the registers started trapping as collateral of the
--   SME work; unless the VMM opted into writable implementation ID registers the guest reads the
--   same physical value as before. This is explicitly NOT a behaviour change: the rule exists so
--   that new events in a 6.15 trace are explained instead of being mistaken for one. Linux reads
--   REVIDR_EL1 on every CPU at boot.
--
--   One row per VM and vCPU.
WITH regs(name, op0, op1, crn, crm, op2) AS (
  VALUES ('REVIDR_EL1', 3, 0, 0, 0, 6), ('AIDR_EL1', 3, 1, 0, 0, 7)
),
hits AS (
  SELECT a.import_id, a.vm, a.vcpu, a.seq, a.ts_ns, r.name
  FROM accesses_decoded a
  JOIN regs r ON a.addr = ((r.op0 << 19) | (r.op1 << 16) | (r.crn << 12) | (r.crm << 8) | (r.op2 << 5))
  WHERE a.space = 'sysreg'
),
per_reg AS (
  SELECT import_id, vm, vcpu, name, count(*) AS n, min(ts_ns) AS first_ts, max(ts_ns) AS last_ts, min(seq) AS seq
  FROM hits GROUP BY import_id, vm, vcpu, name
)
SELECT import_id, vm, vcpu, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
       min(seq) AS example_seq,
       string_agg(printf('%s read ×%d', name, n), ', ' ORDER BY name)
         || ': trapped only on 6.15+ hosts; the value is unchanged (the physical CPU''s) - not a behaviour change' AS detail
FROM per_reg
GROUP BY import_id, vm, vcpu
