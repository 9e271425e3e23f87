/** The AbitraceError a call throws or a promise rejects with (failing the test when there is none). */
import { expect } from 'vitest';
import { AbitraceError } from '../../src/errors.ts';

export function thrownBy(fn: () => unknown): AbitraceError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AbitraceError);
    return e as AbitraceError;
  }
  throw new Error('expected an AbitraceError');
}

export async function rejectionOf(p: Promise<unknown>): Promise<AbitraceError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AbitraceError);
    return e as AbitraceError;
  }
  throw new Error('expected an AbitraceError');
}
