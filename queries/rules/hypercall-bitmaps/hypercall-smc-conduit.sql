-- id: hypercall-smc-conduit
-- title: Guest uses the SMC conduit: bitmap-gated calls not evaluable
-- change: hypercall-bitmaps
-- kernels: any: no KVM tracepoint records the function id of a trapped SMC
-- compares: bitmap-default..bitmap-cleared
-- level: unknown
-- severity: info
-- coverage: hypercall
-- doc: SMC calls whose function id is not in the trace (space 'smc' with a NULL addr). TRNG, PV time
--   and the KVM vendor services can be called over the SMC conduit too, so for such a guest the
--   trace cannot say whether it used a bitmap-gated service: unknown for this change, never "not
--   touched". The same rows make the guest unknown for psci-version (psci-smc-conduit).
--
--   One row per VM and vCPU.
SELECT import_id, vm, vcpu, min(ts_ns) AS first_ts_ns, max(ts_ns) AS last_ts_ns, count(*) AS count,
       min(seq) AS example_seq,
       printf('%d SMC call(s) without a traced function id: use of bitmap-gated services over the SMC conduit is not evaluable', count(*)) AS detail
FROM accesses_decoded
WHERE space = 'smc' AND addr IS NULL
GROUP BY import_id, vm, vcpu
