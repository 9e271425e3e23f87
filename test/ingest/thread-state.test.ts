/**
 * ThreadState.reset() must leave an object as a fresh one (ThreadTable reuses objects): it lists the
 * fields again, so a field added to the class and forgotten there would carry one thread's state
 * into another's. The comm-column and prefix caches are exempt: colKnown/pfxLen mark them empty.
 */
import { describe, expect, it } from 'vitest';
import { ThreadState } from '../../src/ingest/thread-state.ts';

const CACHES = new Set(['col0', 'col1', 'col2', 'col3', 'colStart', 'colEnd', 'pfx', 'pfxTgid', 'pfxCpu', 'pfxLayout', 'pfxTgidLen', 'pfxTgidTail']);

describe('ThreadState.reset', () => {
  it('gives every field but the marked-empty caches its fresh value', () => {
    const t = new ThreadState(5);
    for (const [k, v] of Object.entries(t)) {
      const o = t as unknown as Record<string, unknown>;
      if (typeof v === 'number') o[k] = v + 7;
      else if (typeof v === 'boolean') o[k] = !v;
      else if (v === null) o[k] = k === 'vmm' ? 'qemu' : [];
    }
    t.reset(9);
    const fresh = new ThreadState(9);
    const keep = (s: ThreadState) => Object.entries(s).filter(([k]) => !CACHES.has(k));
    expect(keep(t)).toEqual(keep(fresh));
  });
});
