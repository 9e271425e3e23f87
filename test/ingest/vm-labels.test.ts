import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { deltaOf, labelArray, tgidOfLabel, VmLabels } from '../../src/ingest/vm-labels.ts';

describe('VmLabels', () => {
  it('keeps tgid labels as numbers and others as strings, reading every one back exactly', () => {
    const input = ['4242', 'trace.log', '0', '007', '-1', '9007199254740991', '99999999999999999', 'guest,"b"', '1'];
    const l = VmLabels.of(input);
    expect(labelArray(l)).toEqual(input);
    expect(l.length).toBe(input.length);
    expect([l.at(-1), l.at(input.length), l.at(1.5)]).toEqual([undefined, undefined, undefined]);
    expect(l.addTgid(77)).toBe(input.length);
    expect(l.at(input.length)).toBe('77');
    // past int32: kept as a string, and across a delta too
    const big = l.addTgid(2 ** 31);
    expect(l.at(big)).toBe('2147483648');
    expect(l.at(l.add('2147483647'))).toBe('2147483647');
    expect(labelArray(l.copy())).toEqual(labelArray(l));
  });

  it('crosses threads as deltas that rebuild the same dictionary, growing past its first capacity', () => {
    const src = new VmLabels();
    const dst = new VmLabels();
    let sent = 0;
    for (let i = 0; i < 1000; i++) {
      if (i % 97 === 0) src.add(`vm-${i}`);
      else src.addTgid(100000 + i);
      if (i % 128 === 0) {
        dst.apply(src.delta(sent));
        sent = src.length;
      }
    }
    dst.apply(src.delta(sent));
    expect(labelArray(dst)).toEqual(labelArray(src));
    expect(labelArray(src.copy())).toEqual(labelArray(src));
    expect(() => dst.apply(src.delta(3))).toThrow(/applied at/);
  });

  it('reads only canonical decimal numbers as tgids', () => {
    expect(tgidOfLabel('123')).toBe(123);
    expect(['0123', '+1', '1e3', '', ' 1', '12345678901234567'].map(tgidOfLabel).every(Number.isNaN)).toBe(true);
  });
});

describe('deltaOf', () => {
  it('makes the same delta from a string[] as from a VmLabels', () => {
    const labels = ['1', 'x', '22', 'y,z', '333'];
    const fromArray = deltaOf(labels, 1);
    const fromLabels = deltaOf(VmLabels.of(labels), 1);
    expect(fromArray).toEqual(fromLabels);
    const back = VmLabels.of(['1']);
    back.apply(fromArray);
    expect(labelArray(back)).toEqual(labels);
  });

  it('a big table crosses a port as shared memory: the receiver reads the sender\'s labels, and copies them before it writes', () => {
    const sender = new VmLabels();
    const receiver = new VmLabels();
    const { port1, port2 } = new MessageChannel();
    const cross = (from: number) => {
      const d = sender.delta(from);
      port1.postMessage(d, [d.tgids.buffer as ArrayBuffer]);
      const got = receiveMessageOnPort(port2)!.message as ReturnType<VmLabels['delta']>;
      receiver.apply(got);
      return got;
    };
    const expected: string[] = [];
    const add = (n: number) => {
      for (let i = 0; i < n; i++) {
        const label = i % 5000 === 0 ? `vm-${expected.length}` : String(1000 + expected.length);
        sender.add(label);
        expected.push(label);
      }
    };
    add(100);
    expect(cross(0).all).toBeUndefined(); // small: a copy
    add(200_000); // past the page-array size, through growth
    const d = cross(100);
    expect(d.all?.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(labelArray(receiver)).toEqual(expected);
    add(300_000);
    cross(200_100);
    expect(labelArray(receiver)).toEqual(expected);
    // the receiver writes: its own copy, the sender's labels unchanged
    receiver.add('mine');
    receiver.addTgid(42);
    expect(labelArray(receiver)).toEqual([...expected, 'mine', '42']);
    expect(labelArray(sender)).toEqual(expected);
    const mine = [...expected, 'mine', '42'];
    add(10);
    expect(labelArray(sender)).toEqual(expected);
    expect(labelArray(receiver)).toEqual(mine);
    port1.close();
  });
});
