-- id: psci-smc-conduit
-- title: Guest uses the SMC conduit: PSCI calls not evaluable
-- change: psci-version
-- kernels: any: no KVM tracepoint records the function id of a trapped SMC
-- compares: psci-1.0..psci-1.3
-- level: unknown
-- severity: info
-- coverage: hypercall
-- doc: SMC calls whose function id is not in the trace (space 'smc' with a NULL addr: only kvm_exit
--   EC 0x17 was recorded). A guest whose firmware tables say method = "smc" makes every PSCI and
--   SMCCC call this way, so whether it probed or used PSCI 1.1 / 1.3 functions cannot be told from
--   the trace: it counts as unknown for this change, never as "not touched". SMC rows that do carry
--   a function id (the proposed kvm_smc_arm64 tracepoint) are evaluated by the other rules.
--
--   One row per VM and vCPU.
SELECT import_id, vm, vcpu, min(ts_ns) AS first_ts_ns, max(ts_ns) AS last_ts_ns, count(*) AS count,
       min(seq) AS example_seq,
       printf('%d SMC call(s) without a traced function id: PSCI use over the SMC conduit is not evaluable', count(*)) AS detail
FROM accesses_decoded
WHERE space = 'smc' AND addr IS NULL
GROUP BY import_id, vm, vcpu
