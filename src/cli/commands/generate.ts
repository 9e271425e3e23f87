/**
 * `abitrace generate`: synthetic host traces of realistic guests (src/generate). Writes the trace
 * in the chosen text layout (gzip when -o ends in .gz); trace-cmd output also gets `<out>.tgids`
 * (saved_tgids format) for `import --tgid-map`; `--format qemu` writes one log per VM
 * (`<stem>-vm<N><ext>` when --vms > 1), because a QEMU log belongs to one QEMU process.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AbitraceError, E } from '../../errors.ts';
import { formatTgidMap, generateTrace } from '../../generate/generate.ts';
import { GENERATE_FORMATS, type GenerateFormat } from '../../generate/options.ts';
import { perVmPath, TraceFile } from '../../generate/output/trace-file.ts';
import { PROFILES } from '../../generate/profiles/index.ts';
import { parseWeighted, type Weighted } from '../../generate/weighted-mix.ts';
import type { CommandSpec } from '../command-spec.ts';

function weighted(value: unknown, option: string): Weighted[] {
  const r = parseWeighted(String(value ?? ''));
  if (typeof r === 'string') throw new AbitraceError(E.USAGE, `${option}: ${r}`);
  return r;
}

function number(value: unknown, option: string): number {
  const n = Number(value);
  if (value === undefined || String(value).trim() === '' || !Number.isFinite(n)) throw new AbitraceError(E.USAGE, `${option} needs a number, got '${String(value)}'`);
  return n;
}

export const generateCommand: CommandSpec = {
  name: 'generate',
  summary: 'write a synthetic host trace of realistic guests (ftrace, trace-cmd, perf or QEMU layout)',
  options: [
    { flags: '--profile <list>', description: `guest profiles NAME[:weight],... (${Object.keys(PROFILES).join(', ')})`, default: 'linux-gicv3' },
    { flags: '--vms <n>', description: 'number of VMs', default: '1' },
    { flags: '--vcpus <n>', description: 'vCPUs per VM', default: '2' },
    { flags: '--duration <seconds>', description: 'trace length in seconds', default: '1' },
    { flags: '--format <format>', description: 'text layout', default: 'ftrace', choices: GENERATE_FORMATS },
    { flags: '--seed <k>', description: 'PRNG seed (same seed, same bytes)', default: '1' },
    { flags: '--lost-events <rate>', description: 'ring-buffer overruns: mean events dropped per written line (0–1)', default: '0' },
    { flags: '--revision <rev>', description: 'GICD_IIDR revision of the host vGIC', default: '3', choices: ['1', '2', '3'] },
    { flags: '--host-kernel <x.y>', description: 'host kernel (which registers trap); default 6.6 for rev 3, 5.15 for rev 2, 6.1 for rev 1' },
    { flags: '--host-cpus <n>', description: 'host CPUs the vCPU threads run on', default: '16' },
    { flags: '--vmm <list>', description: 'VMMs NAME[:weight],... (qemu, firecracker, cloud-hypervisor, kvmtool)', default: 'qemu' },
    { flags: '-o, --output <file>', description: 'output file (.gz: gzip)' },
    { flags: '--quiet', description: 'no summary line', default: false },
  ],
  async run(_args, opts) {
    if (opts.output === undefined) throw new AbitraceError(E.USAGE, 'generate needs -o/--output <file>');
    const output = resolve(String(opts.output));
    const dir = dirname(output);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new AbitraceError(E.OUTPUT_WRITE, `cannot write ${output}: directory ${dir} does not exist`);
    const format = String(opts.format) as GenerateFormat;
    const options = {
      profiles: weighted(opts.profile, '--profile'),
      vms: number(opts.vms, '--vms'),
      vcpus: number(opts.vcpus, '--vcpus'),
      durationSec: number(opts.duration, '--duration'),
      format,
      seed: number(opts.seed, '--seed'),
      lostEvents: number(opts.lostEvents, '--lost-events'),
      revision: number(opts.revision, '--revision') as 1 | 2 | 3,
      hostKernel: opts.hostKernel === undefined ? undefined : String(opts.hostKernel),
      hostCpus: number(opts.hostCpus, '--host-cpus'),
      vmm: weighted(opts.vmm, '--vmm'),
    };
    const paths = format === 'qemu' && options.vms > 1
      ? Array.from({ length: options.vms }, (_, i) => perVmPath(output, i, String(options.vms - 1).length))
      : [output];
    const files = paths.map((p) => new TraceFile(p));
    const t0 = performance.now();
    try {
      const result = await Promise.race([
        generateTrace(options, format === 'qemu' ? files.map((f) => f.stream) : files[0]!.stream),
        ...files.map((f) => f.failure),
      ]);
      for (const f of files) await f.close();
      if (format === 'trace-cmd') writeFileSync(`${output}.tgids`, formatTgidMap(result.threads));
      if (opts.quiet !== true) {
        const secs = (performance.now() - t0) / 1000;
        const where = paths.length === 1 ? paths[0] : `${paths.length} files (${paths[0]} …)`;
        process.stdout.write(
          `wrote ${where}: ${result.lines.toLocaleString('en-US')} events, ${result.vms.length} VMs × ${options.vcpus} vCPUs, `
          + `${(result.bytes / 1e6).toFixed(1)} MB of text in ${secs.toFixed(2)} s (${(result.bytes / 1e6 / secs).toFixed(0)} MB/s)`
          + (result.dropped > 0 ? `, ${result.dropped.toLocaleString('en-US')} events dropped (${result.lostMarkers} markers)` : '')
          + (format === 'trace-cmd' ? `; thread map ${output}.tgids` : '')
          + '\n',
        );
      }
      return 0;
    } catch (err) {
      for (const f of files) await f.abort();
      throw err;
    }
  },
};
