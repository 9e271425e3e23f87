/**
 * `trace-cmd report` 3.3+ (tracepoints.md §4.2): `cpus=<N>` first, then
 * `"%16s-%-5d [%03d] %5s %5llu.%06llu: <name>:<pad> <body>"` with the event name and its colon
 * left-aligned in 21 columns, `kvm_sys_access` in libtraceevent's `[FAILED TO PARSE]` form, and
 * `CPU:<n> [<m> EVENTS DROPPED]` for lost data. The report has no tgid column: the generator
 * writes the thread → process map beside it (saved_tgids format) for `--tgid-map`.
 */
import { EVENT_NAMES } from '../events.ts';
import type { HostThread } from '../host-thread.ts';
import { ascii, type ByteWriter } from './byte-writer.ts';
import { KernelLineFormat } from './kernel-line-format.ts';
import { comm16 } from './line-format.ts';

export class TraceCmdFormat extends KernelLineFormat {
  readonly name = 'trace-cmd';

  constructor() {
    super(EVENT_NAMES.map((n) => ascii(`${`${n}:`.padEnd(21)} `)), true, [' [', ' EVENTS DROPPED]\n']);
  }

  header(w: ByteWriter, hostCpus: number): void {
    w.text(`cpus=${hostCpus}\n`);
  }

  protected prefixText(th: HostThread, cpu: string): string {
    return `${comm16(th.comm)}-${String(th.tid).padEnd(5)} [${cpu}] `;
  }
}
