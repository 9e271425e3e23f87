/** Exact int64 ns arithmetic without BigInt, checked against BigInt on random inputs. */
import { describe, expect, it } from 'vitest';
import { daysFromCivil, nsFromSeconds, parseIsoUtc, parseSecondsDotFraction, TimeScratch, toBigInt } from '../../src/ingest/timestamp.ts';
import { rng } from './helpers/fixtures.ts';

describe('nsFromSeconds', () => {
  it('matches BigInt arithmetic for monotonic and wall-clock seconds', () => {
    const r = rng(7);
    const out = new TimeScratch();
    const cases: Array<[number, number]> = [[0, 0], [9007198, 999999999], [9007199, 254740991], [1795388560, 339579000], [18446744072, 999999999]];
    for (let i = 0; i < 2000; i++) cases.push([Math.floor(r() * 2 ** (r() < 0.5 ? 24 : 34)), Math.floor(r() * 1e9)]);
    for (const [s, f] of cases) {
      expect(nsFromSeconds(s, f, out)).toBe(true);
      expect(toBigInt(out.lo, out.hi)).toBe(BigInt(s) * 1_000_000_000n + BigInt(f));
    }
  });

  it('refuses seconds that overflow u64 ns', () => {
    expect(nsFromSeconds(18446744074, 0, new TimeScratch())).toBe(false);
  });
});

describe('parseSecondsDotFraction', () => {
  const parse = (s: string): bigint | null => {
    const out = new TimeScratch();
    const b = Buffer.from(s);
    return parseSecondsDotFraction(b, 0, b.length, out) ? toBigInt(out.lo, out.hi) : null;
  };
  it('scales 1–9 decimals to ns, truncates more, accepts counter clocks', () => {
    expect(parse('1234.567890:')).toBe(1234567890000n);
    expect(parse('1234.567890123:')).toBe(1234567890123n);
    expect(parse('1.5:')).toBe(1500000000n);
    expect(parse('1.1234567891:')).toBe(1123456789n);
    expect(parse('123456789012:')).toBe(123456789012n);
    expect(parse('.5:')).toBeNull();
    expect(parse('12.:')).toBeNull();
  });
});

describe('parseIsoUtc', () => {
  it('agrees with Date.UTC and rejects other shapes', () => {
    const out = new TimeScratch();
    const b = Buffer.from('2025-07-21T18:43:28.089797Z ');
    expect(parseIsoUtc(b, 0, b.length, out)).toBe(true);
    expect(toBigInt(out.lo, out.hi)).toBe(BigInt(Date.UTC(2025, 6, 21, 18, 43, 28)) * 1_000_000n + 89_797_000n);
    expect(out.end).toBe(27);
    for (const bad of ['2025-07-21 18:43:28Z', '2025-13-01T00:00:00Z', '2025-07-21T18:43:28.089797', '2025-07-21T18:43:28+02:00']) {
      const x = Buffer.from(bad);
      expect(parseIsoUtc(x, 0, x.length, out), bad).toBe(false);
    }
  });

  it('daysFromCivil matches the JS calendar over four centuries', () => {
    const r = rng(3);
    for (let i = 0; i < 500; i++) {
      const t = Math.floor(r() * 4e12) - 1e12;
      const d = new Date(t);
      expect(daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())).toBe(Math.floor(t / 86400000));
    }
  });
});
