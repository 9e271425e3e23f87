/**
 * Per-VMM facts the generator needs besides the GIC memory map: how the VMM names its process and
 * vCPU threads (tracepoints.md §6.1), which emulated devices a guest pokes at runtime (console,
 * virtio-mmio) and their interrupts, and QEMU's region names for `--format qemu`. GIC frame bases
 * and nr_irqs come from the project's platform table (src/gic/platforms.ts), so generated traces
 * use exactly the layouts the importer resolves.
 *
 * Device addresses: QEMU `virt` from hw/arm/virt.c and the bundled capture's machine.dts;
 * Firecracker serial and first virtio-mmio slot from src/vmm/src/arch/aarch64/layout.rs
 * (SERIAL_MEM_START = 1 GiB + 2 × MMIO_LEN, devices from 1 GiB + 3 × MMIO_LEN). The Firecracker
 * interrupt numbers and the Cloud Hypervisor / kvmtool device addresses are plausible stand-ins
 * (unverified): they only shape VMM-device exits, never vGIC values.
 */
import { platformForVmm, type PlatformDef } from '../gic/platforms.ts';
import { redistRegions } from '../gic/layout.ts';
import type { VmmKind } from '../ingest/types.ts';
import type { DeviceOp } from './profile-types.ts';

export interface DeviceRegister {
  gpa: number;
  len: 1 | 2 | 4 | 8;
  /** Value the VMM returns for reads. */
  readValue: number;
  /** Handled by an in-kernel ioeventfd (kvm_mmio write, no userspace exit). */
  ioeventfd?: boolean;
  /** QEMU memory-region name (for `--format qemu`). */
  region: string;
}

export interface PlatformMap {
  vmm: VmmKind;
  /** The GIC layout and nr_irqs (src/gic/platforms.ts). */
  gic: PlatformDef;
  /** Main-thread comm (15-character truncation applied). */
  processComm: string;
  /** vCPU thread comm for vCPU index i. */
  vcpuComm(i: number): string;
  /** Threads the VMM creates before its vCPU threads (first vCPU tid = tgid + this). */
  threadsBeforeVcpus: number;
  /** QEMU region names of the GIC frames. */
  regions: { gicv3Dist: string; gicv3Redist: string; its: string; gicv2Dist: string };
  devices: Record<DeviceOp, DeviceRegister>;
  /** Lists available to profile expressions: bootSpis (requested at boot), virtioSpis, uartSpis. */
  lists: Record<string, readonly number[]>;
}

const QEMU_REGIONS = { gicv3Dist: 'gicv3_dist', gicv3Redist: 'gicv3_redist_region[0]', its: 'control', gicv2Dist: 'gic_dist' };

/** PL011: UARTDR (0x00) and UARTFR (0x18) as 16-bit accesses; FR = TXFE | RXFE. */
function pl011(base: number): Pick<Record<DeviceOp, DeviceRegister>, 'uart.data' | 'uart.status'> {
  return {
    'uart.data': { gpa: base, len: 2, readValue: 0, region: 'pl011' },
    'uart.status': { gpa: base + 0x18, len: 2, readValue: 0x90, region: 'pl011' },
  };
}

/** 16550: THR (+0) and LSR (+5) as byte accesses; LSR = THRE | TEMT. */
function ns16550(base: number): Pick<Record<DeviceOp, DeviceRegister>, 'uart.data' | 'uart.status'> {
  return {
    'uart.data': { gpa: base, len: 1, readValue: 0, region: 'serial' },
    'uart.status': { gpa: base + 5, len: 1, readValue: 0x60, region: 'serial' },
  };
}

/** virtio-mmio transport: InterruptStatus 0x60, InterruptACK 0x64, QueueNotify 0x50 (ioeventfd). */
function virtioMmio(base: number): Pick<Record<DeviceOp, DeviceRegister>, 'virtio.status' | 'virtio.ack' | 'virtio.notify'> {
  return {
    'virtio.status': { gpa: base + 0x60, len: 4, readValue: 0x1, region: 'virtio-mmio' },
    'virtio.ack': { gpa: base + 0x64, len: 4, readValue: 0, region: 'virtio-mmio' },
    'virtio.notify': { gpa: base + 0x50, len: 4, readValue: 0, ioeventfd: true, region: 'virtio-mmio' },
  };
}

const PLATFORMS: Record<VmmKind, PlatformMap> = {
  qemu: {
    vmm: 'qemu',
    gic: platformForVmm('qemu'),
    processComm: 'qemu-system-aar',
    vcpuComm: (i) => `CPU ${i}/KVM`,
    threadsBeforeVcpus: 2, // main, call_rcu
    regions: QEMU_REGIONS,
    devices: { ...pl011(0x09000000), ...virtioMmio(0x0a000000) },
    // PL011 SPI 1 → INTID 33; virtio-mmio transports 0..3: SPI 16.. → INTID 48.. (machine.dts).
    lists: { uartSpis: [33], virtioSpis: [48, 49, 50, 51], bootSpis: [33, 48, 49, 50, 51] },
  },
  firecracker: {
    vmm: 'firecracker',
    gic: platformForVmm('firecracker'),
    processComm: 'firecracker',
    vcpuComm: (i) => `fc_vcpu ${i}`,
    threadsBeforeVcpus: 2, // main, fc_api
    regions: QEMU_REGIONS,
    devices: { ...ns16550(0x40002000), ...virtioMmio(0x40003000) },
    lists: { uartSpis: [32], virtioSpis: [33, 34, 35], bootSpis: [32, 33, 34, 35] },
  },
  'cloud-hypervisor': {
    vmm: 'cloud-hypervisor',
    gic: platformForVmm('cloud-hypervisor'),
    processComm: 'cloud-hyperviso',
    vcpuComm: (i) => `vcpu${i}`,
    threadsBeforeVcpus: 4, // main, signal handler, vmm, http-server
    regions: QEMU_REGIONS,
    devices: { ...pl011(0x09000000), ...virtioMmio(0x09100000) },
    lists: { uartSpis: [33], virtioSpis: [36, 37], bootSpis: [33, 36, 37] },
  },
  kvmtool: {
    vmm: 'kvmtool',
    gic: platformForVmm('kvmtool'),
    processComm: 'lkvm',
    vcpuComm: (i) => `kvm-vcpu-${i}`,
    threadsBeforeVcpus: 1, // main
    regions: QEMU_REGIONS,
    devices: { ...ns16550(0x3f8), ...virtioMmio(0x03000000) },
    lists: { uartSpis: [32], virtioSpis: [33, 34], bootSpis: [32, 33, 34] },
  },
};

export const VMM_KINDS: readonly VmmKind[] = ['qemu', 'firecracker', 'cloud-hypervisor', 'kvmtool'];

export function platformFor(vmm: VmmKind): PlatformMap {
  return PLATFORMS[vmm];
}

export interface GicBases {
  gicd: number;
  gicr: number;
  /** A second redistributor region (QEMU virt beyond 123 vCPUs). */
  gicrHigh?: { base: number; first: number };
  gits: number | null;
  gicc: number;
}

/** Frame bases of a VM on a platform (the redistributors move with the vCPU count on some VMMs). */
export function gicBases(p: PlatformMap, version: 2 | 3, vcpus: number, its: boolean): GicBases {
  const blocks = p.gic.blocks({ gicVersion: version, nrVcpus: vcpus, its });
  const base = (b: string): number | null => blocks.find((x) => x.block === b)?.base ?? null;
  const [low, high] = redistRegions(blocks);
  return { gicd: base('GICD')!, gicr: low?.base ?? 0, ...(high ? { gicrHigh: { base: high.base, first: high.first } } : {}), gits: base('GITS'), gicc: base('GICC') ?? 0 };
}
