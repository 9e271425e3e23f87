-- id: cache-id-access
-- title: Guest read the cache geometry (CLIDR_EL1, CCSIDR_EL1, CSSELR_EL1)
-- change: cache-geometry
-- kernels: 7af0c2534f4c (Linux 6.3, "Normalize cache configuration") traps the cache-ID registers
--   and answers a fabricated geometry; before 6.3 they were not trapped (the physical CPU answered)
-- compares: host-pre-6.3..host-6.3
-- level: touch
-- severity: info
-- coverage: sysreg
-- visible-from: 6.3
-- doc: Trapped accesses to CLIDR_EL1 (3,1,0,0,1), CCSIDR_EL1 (3,1,0,0,0), CCSIDR2_EL1 (3,1,0,0,2)
--   and CSSELR_EL1 (3,2,0,0,0). From 6.3 KVM fabricates CLIDR/CCSIDR (usually one unified level of
--   one set and one way) unless the VMM restores the old values with KVM_SET_ONE_REG, so a guest
--   that reads them sees a different cache topology on either side of 6.3. kvm_sys_access carries
--   no value, so what the guest read must come from the host kernel and the VMM's register writes.
--   Linux reads only CLIDR_EL1 (about 3 reads per CPU); CCSIDR/CSSELR traffic comes from firmware
--   set/way loops (U-Boot, EDK2) and old or non-Linux guests. Hosts before 6.3 do not trap these
--   registers, so on them no access is ever traced: absence proves nothing unless the host kernel
--   is >= 6.3.
--
--   One row per VM and vCPU; detail counts each register.
WITH regs(name, op0, op1, crn, crm, op2) AS (
  VALUES ('CLIDR_EL1', 3, 1, 0, 0, 1), ('CCSIDR_EL1', 3, 1, 0, 0, 0), ('CCSIDR2_EL1', 3, 1, 0, 0, 2),
         ('CSSELR_EL1', 3, 2, 0, 0, 0)
),
hits AS (
  SELECT a.import_id, a.vm, a.vcpu, a.seq, a.ts_ns, a.op, r.name
  FROM accesses_decoded a
  JOIN regs r ON a.addr = ((r.op0 << 19) | (r.op1 << 16) | (r.crn << 12) | (r.crm << 8) | (r.op2 << 5))
  WHERE a.space = 'sysreg'
),
per_reg AS (
  SELECT import_id, vm, vcpu, name, op, count(*) AS n, min(ts_ns) AS first_ts, max(ts_ns) AS last_ts, min(seq) AS seq
  FROM hits GROUP BY import_id, vm, vcpu, name, op
)
SELECT import_id, vm, vcpu, min(first_ts) AS first_ts_ns, max(last_ts) AS last_ts_ns, sum(n) AS count,
       min(seq) AS example_seq,
       string_agg(printf('%s %s ×%d', name, CASE op WHEN 'W' THEN 'write' ELSE 'read' END, n), ', ' ORDER BY name, op)
         || ': the geometry these return changed in 6.3 (fabricated by KVM) unless the VMM restores it' AS detail
FROM per_reg
GROUP BY import_id, vm, vcpu
