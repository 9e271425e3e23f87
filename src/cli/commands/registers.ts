/**
 * `abitrace registers [ADDR|NAME]`: the register catalogue. Without an argument it lists every
 * register of the chosen GIC version(s); with an address it decodes it against a platform's map
 * (`abitrace registers 0x80b0080` → GICR, redist 0, GICR_IGROUPR0, offset 0x10080); with a name it
 * prints the register's shape and address (GIC), encoding (sysreg) or function ID (SMCCC).
 */
import { AbitraceError, E } from '../../errors.ts';
import { FRAMES, findByName } from '../../gic/catalogue.ts';
import { firstIntid, HANDLER_NAMES, indexStep, registerIndex, type RegisterDescriptor } from '../../gic/descriptor.ts';
import { decodeAddress } from '../../gic/decode.ts';
import type { BlockRange } from '../../gic/layout.ts';
import { PLATFORM_IDS, platformById, type PlatformDef } from '../../gic/platforms.ts';
import { smcccById, smcccByName } from '../../gic/smccc.ts';
import { encodingOf, sysregByName } from '../../gic/sysregs.ts';
import { OUTPUT_FORMAT_OPTION, type CommandSpec } from '../command-spec.ts';
import { createReporter, writeResult, type OutputColumn } from '../output/index.ts';

const col = (name: string, type = 'VARCHAR'): OutputColumn => ({ name, type });

const LIST_COLUMNS = [col('block'), col('gic_version', 'TINYINT'), col('frame'), col('offset', 'UBIGINT'), col('length', 'INTEGER'),
  col('name'), col('bits_per_irq', 'TINYINT'), col('widths'), col('handler'), col('implemented', 'BOOLEAN'), col('host_feature'), col('summary')];

function listRow(frame: (typeof FRAMES)[number], r: RegisterDescriptor): unknown[] {
  return [frame.block, frame.gicVersion, frame.id, BigInt(r.offset), r.length, r.name, r.bitsPerIrq, r.widths.join(','),
    HANDLER_NAMES[r.handler], r.implemented !== false, r.hostFeature ?? null, r.summary];
}

export function parseAddress(text: string): number | null {
  const t = text.trim().replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

function platformOption(opts: Record<string, unknown>): PlatformDef {
  const id = String(opts.platform ?? 'qemu-virt');
  const p = platformById(id);
  if (!p) throw new AbitraceError(E.PLATFORM_UNKNOWN, `unknown platform '${id}' (expected one of ${PLATFORM_IDS.join(', ')})`);
  return p;
}

function versionOption(opts: Record<string, unknown>, platform: PlatformDef): 2 | 3 {
  if (opts.gicVersion === undefined) return platform.gicVersions[0]!;
  const v = Number(opts.gicVersion);
  if (v !== 2 && v !== 3) throw new AbitraceError(E.USAGE, `--gic-version must be 2 or 3, not '${String(opts.gicVersion)}'`);
  if (!platform.gicVersions.includes(v)) throw new AbitraceError(E.USAGE, `${platform.id} has no GICv${v}`);
  return v;
}

/**
 * Blocks for decoding one address. On maps whose redistributors sit below the distributor the
 * frame index depends on the vCPU count; without --vcpus the smallest count that reaches the
 * address is assumed (the address is then vCPU 0's frame).
 */
function blocksFor(platform: PlatformDef, version: 2 | 3, gpa: number | null, vcpus: number | undefined): { blocks: BlockRange[]; assumed: boolean } {
  if (vcpus !== undefined || !platform.redistDependsOnVcpus || version === 2 || gpa === null) {
    // a map with a second redistributor region for many vCPUs (QEMU virt) decodes all of it
    const n = vcpus ?? (gpa !== null && platform.highRedist ? 512 : 1);
    return { blocks: platform.blocks({ gicVersion: version, nrVcpus: n, its: true }), assumed: false };
  }
  for (let n = 1; n <= 512; n++) {
    const blocks = platform.blocks({ gicVersion: version, nrVcpus: n, its: true });
    if (blocks.some((b) => b.block !== 'GITS' && gpa >= b.base && gpa < b.base + b.size)) return { blocks, assumed: n > 1 };
  }
  return { blocks: platform.blocks({ gicVersion: version, nrVcpus: 1, its: true }), assumed: false };
}

export const registersCommand: CommandSpec = {
  name: 'registers',
  summary: 'list the register catalogue, decode a guest-physical address, or look up a register by name',
  args: '[target]',
  options: [
    { flags: '--platform <platform>', description: `memory map for addresses (${PLATFORM_IDS.join(', ')})`, default: 'qemu-virt', choices: PLATFORM_IDS },
    { flags: '--gic-version <n>', description: 'GIC version: 2 or 3 (default: the platform\'s first)', choices: ['2', '3'] },
    { flags: '--vcpus <n>', description: 'vCPU count, for maps whose redistributor base depends on it' },
    OUTPUT_FORMAT_OPTION,
  ],
  async run(args, opts) {
    const reporter = createReporter(String(opts.format));
    const platform = platformOption(opts);
    const vcpus = opts.vcpus === undefined ? undefined : Number(opts.vcpus);
    if (vcpus !== undefined && (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > 512))
      throw new AbitraceError(E.USAGE, `--vcpus must be an integer in 1..512, not '${String(opts.vcpus)}'`);
    const target = args[0];
    if (target === undefined) {
      const version = opts.gicVersion === undefined ? null : versionOption(opts, platform);
      const rows = FRAMES.filter((f) => version === null || f.gicVersion === version).flatMap((f) => f.registers.map((r) => listRow(f, r)));
      writeResult(reporter, LIST_COLUMNS, rows);
      reporter.finish();
      return 0;
    }
    const version = versionOption(opts, platform);
    const gpa = parseAddress(target);
    if (gpa !== null) {
      const { blocks, assumed } = blocksFor(platform, version, gpa, vcpus);
      const d = decodeAddress(blocks, gpa);
      if (d.block === 'OTHER') {
        const map = blocks.map((b) => `${b.block} 0x${b.base.toString(16)}+0x${b.size.toString(16)}`).join(', ');
        throw new AbitraceError(E.BAD_ADDRESS, `0x${gpa.toString(16)} is in no GIC frame of ${platform.id} GICv${version} (${map})`);
      }
      const r = d.descriptor;
      writeResult(reporter, [col('addr', 'UBIGINT'), col('platform'), col('block'), col('base', 'UBIGINT'), col('redist', 'INTEGER'),
        col('offset', 'UBIGINT'), col('reg'), col('index', 'INTEGER'), col('irq', 'INTEGER'), col('length', 'INTEGER'),
        col('bits_per_irq', 'TINYINT'), col('widths'), col('handler'), col('summary'), col('note')], [[
        BigInt(gpa), platform.id, d.block, BigInt(d.base!), d.redist, BigInt(d.offset!), r?.name ?? null,
        r ? (registerIndex(r, d.offset!) < 0 ? null : registerIndex(r, d.offset!)) : null, d.irq, r?.length ?? null,
        r?.bitsPerIrq ?? null, r?.widths.join(',') ?? null, r ? HANDLER_NAMES[r.handler] : 'RAZ_WI',
        r?.summary ?? 'no register here: reads as zero, writes ignored',
        assumed ? 'redistributor index assumes the fewest vCPUs that reach this address; pass --vcpus' : null,
      ]]);
      reporter.finish();
      return 0;
    }
    const gic = findByName(target).filter((m) => opts.gicVersion === undefined || m.frame.gicVersion === version);
    if (gic.length > 0) {
      const rows = gic.map(({ frame, reg, index }) => {
        const fv = frame.gicVersion as 2 | 3;
        const blocks = platform.gicVersions.includes(fv) ? platform.blocks({ gicVersion: fv, nrVcpus: vcpus ?? 1, its: true }) : [];
        const block = blocks.find((b) => b.block === frame.block);
        const offset = reg.offset + (index ?? 0) * indexStep(reg);
        const inRange = offset < reg.offset + reg.length;
        const irq = reg.bitsPerIrq > 0 && inRange ? firstIntid(reg, offset) : null;
        return [reg.name, index, frame.block, frame.gicVersion, frame.id, inRange ? BigInt(offset) : null, reg.length, reg.widths.join(','),
          reg.bitsPerIrq, irq, block && inRange ? BigInt(block.base + offset) : null, HANDLER_NAMES[reg.handler], reg.summary];
      });
      writeResult(reporter, [col('name'), col('index', 'INTEGER'), col('block'), col('gic_version', 'TINYINT'), col('frame'),
        col('offset', 'UBIGINT'), col('length', 'INTEGER'), col('widths'), col('bits_per_irq', 'TINYINT'), col('irq', 'INTEGER'),
        col(`addr`, 'UBIGINT'), col('handler'), col('summary')], rows);
      reporter.finish();
      return 0;
    }
    const sys = sysregByName(target);
    if (sys) {
      writeResult(reporter, [col('name'), col('space'), col('encoding', 'UBIGINT'), col('op0', 'TINYINT'), col('op1', 'TINYINT'),
        col('crn', 'TINYINT'), col('crm', 'TINYINT'), col('op2', 'TINYINT'), col('group')],
      [[sys.name, 'sysreg', BigInt(encodingOf(sys)), sys.op0, sys.op1, sys.crn, sys.crm, sys.op2, sys.group]]);
      reporter.finish();
      return 0;
    }
    const fn = smcccByName(target) ?? (parseAddress(target) !== null ? smcccById(parseAddress(target)!) : undefined);
    if (fn) {
      writeResult(reporter, [col('name'), col('space'), col('function_id', 'UBIGINT'), col('service'), col('convention'), col('psci_min'),
        col('bitmap_register'), col('bitmap_bit', 'TINYINT'), col('note')],
      [[fn.name, 'hvc', BigInt(fn.id), fn.service, fn.convention, fn.psciMin === undefined ? null : `${fn.psciMin >>> 16}.${fn.psciMin & 0xffff}`,
        fn.gate?.register ?? null, fn.gate?.bit ?? null, fn.note]]);
      reporter.finish();
      return 0;
    }
    throw new AbitraceError(E.REGISTER_UNKNOWN, `'${target}' is neither an address nor a known GIC register, system register or SMCCC function`);
  },
};
