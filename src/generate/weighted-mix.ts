/**
 * `name:weight,...` lists (`--profile linux-gicv3:8,zephyr-secure:1`, `--vmm qemu:3,firecracker:1`)
 * and their deterministic assignment to VMs: smooth weighted round-robin, so counts follow the
 * weights as closely as integers allow and the kinds are interleaved, not blocked.
 */
export interface Weighted {
  name: string;
  weight: number;
}

/** Parses `a:2,b,c:0.5`; a missing weight is 1. Returns the reason (a string) on bad input. */
export function parseWeighted(spec: string): Weighted[] | string {
  const out: Weighted[] = [];
  for (const part of spec.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const colon = item.lastIndexOf(':');
    const name = colon > 0 ? item.slice(0, colon) : item;
    const wtext = colon > 0 ? item.slice(colon + 1) : '1';
    const weight = Number(wtext);
    if (!/^\d+(\.\d+)?$/.test(wtext) || !(weight > 0)) return `weight of '${name}' must be a positive number, got '${wtext}'`;
    const existing = out.find((w) => w.name === name);
    if (existing) existing.weight += weight;
    else out.push({ name, weight });
  }
  if (out.length === 0) return 'empty list';
  return out;
}

/** Smooth weighted round-robin over a fixed list (nginx's algorithm). */
export class WeightedRoundRobin {
  private readonly current: number[];
  private readonly total: number;

  constructor(private readonly items: readonly Weighted[]) {
    if (items.length === 0) throw new Error('weighted round-robin over an empty list');
    this.current = items.map(() => 0);
    this.total = items.reduce((s, w) => s + w.weight, 0);
  }

  next(): string {
    let best = 0;
    for (let i = 0; i < this.items.length; i++) {
      this.current[i]! += this.items[i]!.weight;
      if (this.current[i]! > this.current[best]!) best = i;
    }
    this.current[best]! -= this.total;
    return this.items[best]!.name;
  }
}

/** Assigns `count` slots to the weighted names. */
export function assignWeighted(items: readonly Weighted[], count: number): string[] {
  const rr = new WeightedRoundRobin(items);
  return Array.from({ length: count }, () => rr.next());
}
