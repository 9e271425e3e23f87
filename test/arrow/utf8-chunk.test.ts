import { Vector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { utf8Chunk } from '../../src/arrow/access-record-batch.ts';

describe('utf8Chunk', () => {
  it('encodes ASCII, empty and multi-byte labels exactly as strings read back', () => {
    const labels = ['4242', '', 'guest,"b"', 'vm-ä', '😀x', 'a'.repeat(300), 'ü'.repeat(50), 'tail'];
    const v = new Vector([utf8Chunk(labels)]);
    expect(v.toArray()).toEqual(labels);
    expect(v.nullCount).toBe(0);
  });

  it('handles a chunk of no labels and one of many', () => {
    expect(new Vector([utf8Chunk([])]).length).toBe(0);
    const many = Array.from({ length: 100_000 }, (_, i) => String(1_000_000 + i));
    const v = new Vector([utf8Chunk(many)]);
    expect(v.get(0)).toBe('1000000');
    expect(v.get(99_999)).toBe('1099999');
    expect(v.data[0]!.values.length).toBe(700_000);
  });
});
