/**
 * Replay inputs, options and results. The JSON form (`--format json`) is versioned:
 * `schema: "abitrace.replay/1"`; README.md documents it together with the DuckDB tables.
 */
import type { VmLayout } from '../gic/layout.ts';
import type { LostEventsRecord } from '../ingest/types.ts';

export const REPLAY_SCHEMA = 'abitrace.replay/1';

export type Verdict = 'not-touched' | 'touched-identical' | 'diverges' | 'unknown';

export interface ReplayVmInput {
  /** Dictionary code of the VM in the access batches. */
  code: number;
  name: string;
  layout: VmLayout;
}

export interface ReplayOptions {
  /** Revision profile ids compared pairwise (default ['1', '2', '3']). */
  revisions?: string[];
  /** The revision the host ran; default: from the recorded GICD_IIDR read, else GICR_CTLR, else '3'. */
  hostRevision?: string;
  /** Treat the first access as the VM's reset state even without a visible boot. */
  fromReset?: boolean;
  /** nr_irqs when the trace has no GICD_TYPER read (default: what the VM's VMM configures, platforms.ts; else 256). */
  nrIrqs?: number;
  /** Registers whose differences are known to be benign (still reported, flagged ignored). */
  ignore?: string[];
  /** Trace format of the import ('ftrace', 'perf', 'qemu'): QEMU traces expect fidelity mismatches. */
  sourceFormat?: string;
  /** Lost-event markers of the import, for the data-loss caveat. */
  lost?: LostEventsRecord[];
  /** VM (dictionary code) whose first divergence is recorded as a story for `--explain`. */
  explainVm?: number;
  /** Fidelity mismatch examples kept per VM (default 5). */
  maxExamples?: number;
  /**
   * Run every access through the general path on models that share no state (slow). For tests
   * that cross-check the engine's shared fast path; results must be identical.
   */
  reference?: boolean;
}

export interface VerdictRow {
  vm: string;
  from: string;
  to: string;
  register: string;
  verdict: Verdict;
  /** Register's behaviour differs between the two profiles (IGROUPR, IIDR, GICR_CTLR, …). */
  sensitive: boolean;
  ignored: boolean;
  accesses: number;
  divergent_accesses: number;
  unknown_accesses: number;
  first_seq: number | null;
  first_ts_ns: bigint | null;
  first_vcpu: number | null;
  first_op: 'R' | 'W' | null;
  first_offset: number | null;
  /** What the trace recorded at the first divergence (value written or read). */
  recorded_value: string | null;
  /** Value read, or the register read back after the write, under each revision ('?' = unknown bits). */
  from_value: string | null;
  to_value: string | null;
  /** A write whose state difference a later read or interrupt revealed is `observed`; until then latent. */
  latent: boolean;
  observed: boolean;
  observed_seq: number | null;
  observed_by: string | null;
  first_unknown_seq: number | null;
}

export interface RollupRow {
  vm: string;
  from: string;
  to: string;
  verdict: Verdict;
  divergent_registers: string[];
  observed_registers: string[];
  unknown_registers: string[];
  ignored_registers: string[];
  delivery_divergences: number;
  data_loss: boolean;
}

export interface DivergenceRow {
  vm: string;
  from: string;
  to: string;
  register: string | null;
  kind: 'read' | 'write' | 'delivery' | 'effect';
  seq: number;
  ts_ns: bigint | null;
  vcpu: number | null;
  op: 'R' | 'W' | null;
  offset: number | null;
  irq: number | null;
  recorded_value: string | null;
  from_value: string;
  to_value: string;
  observed: boolean;
  observed_seq: number | null;
}

export interface FidelityExample {
  seq: number;
  register: string | null;
  offset: number;
  recorded: string;
  model: string;
}

export interface FidelityRow {
  vm: string;
  revision: string;
  revision_source: string;
  source_format: string | null;
  /** Mismatches are expected on this source (QEMU's own GIC model is not KVM's). */
  mismatches_expected: boolean;
  reads: number;
  compared: number;
  mismatches: number;
  examples: FidelityExample[];
}

export interface VmSummaryRow {
  vm: string;
  platform: string;
  gic_version: number;
  nr_irqs: number;
  nr_irqs_source: string;
  vcpus: number;
  its: boolean;
  state_origin: string;
  host_revision: string;
  host_revision_source: string;
  accesses: number;
  replayed: number;
  irq_events: number;
  skipped_not_mmio: number;
  skipped_outside_gic: number;
  skipped_unmodelled: number;
  writes_without_value: number;
  first_ts_ns: bigint | null;
  last_ts_ns: bigint | null;
  lost_events_in_window: number;
}

export interface StoryLine {
  seq: number;
  ts_ns: bigint | null;
  vcpu: number | null;
  text: string;
  values: Record<string, string>;
  mark: '' | 'first-divergence' | 'latent' | 'observed';
}

export interface ReplayResult {
  schema: typeof REPLAY_SCHEMA;
  revisions: string[];
  vms: VmSummaryRow[];
  rollup: RollupRow[];
  verdicts: VerdictRow[];
  divergences: DivergenceRow[];
  fidelity: FidelityRow[];
  story: StoryLine[] | null;
  stats: { accesses: number; seconds: number; accesses_per_second: number };
}
