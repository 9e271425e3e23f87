/**
 * Raw ftrace (`trace_pipe`) in the current kernel layout with the record-tgid option
 * (tracepoints.md §4.1): `"%16s-%-7d (%7d) [%03d] %5s %5lu.%06lu: <event>: <body>"`, and
 * `CPU:<n> [LOST <m> EVENTS]` before the next event of a CPU that overran. No `#` header: a
 * streamed capture of trace_pipe has none.
 */
import { EVENT_NAMES } from '../events.ts';
import type { HostThread } from '../host-thread.ts';
import { ascii, type ByteWriter } from './byte-writer.ts';
import { KernelLineFormat } from './kernel-line-format.ts';
import { comm16 } from './line-format.ts';

export class FtraceFormat extends KernelLineFormat {
  readonly name = 'ftrace';

  constructor() {
    super(EVENT_NAMES.map((n) => ascii(`${n}: `)), false, [' [LOST ', ' EVENTS]\n']);
  }

  header(_w: ByteWriter, _hostCpus: number): void {}

  protected prefixText(th: HostThread, cpu: string): string {
    return `${comm16(th.comm)}-${String(th.tid).padEnd(7)} (${String(th.tgid).padStart(7)}) [${cpu}] `;
  }
}
