/** Format detection from the first lines, and --format overrides. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbitraceError } from '../../src/errors.ts';
import { resolveFormat } from '../../src/ingest/parse-file.ts';
import { sniffFormat } from '../../src/ingest/sniff.ts';

const DIR = join(import.meta.dirname, '../fixtures/ingest');
const head = (f: string): Buffer => readFileSync(join(DIR, f));

describe('sniffFormat', () => {
  it.each([
    ['ftrace-current.txt', 'ftrace', 'ftrace'],
    ['ftrace-tgid.txt', 'ftrace', 'ftrace-tgid'],
    ['ftrace-4x.txt', 'ftrace', 'ftrace'],
    ['ftrace-noflags.txt', 'ftrace', 'ftrace'],
    ['tracecmd-3.3.txt', 'ftrace', 'trace-cmd'],
    ['tracecmd-3.2.txt', 'ftrace', 'trace-cmd'],
    ['tracecmd-failed-to-parse.txt', 'ftrace', 'trace-cmd'],
    ['perf-default.txt', 'perf', 'perf'],
    ['perf-5wide.txt', 'perf', 'perf'],
    ['perf-pid-tid.txt', 'perf', 'perf-pid'],
    ['qemu-at-prefix.txt', 'qemu', 'qemu'],
    ['qemu-iso-prefix.txt', 'qemu', 'qemu-iso'],
    ['qemu-no-prefix.txt', 'qemu', 'qemu-plain'],
  ])('%s → %s / %s', (file, format, variant) => {
    expect(sniffFormat(head(file), file)).toEqual({ format, variant });
  });

  it('skips # headers, cpus=, loss markers and blank lines', () => {
    const text = '# tracer: nop\n#\n\ncpus=4\nCPU:1 [LOST 3 EVENTS]\n' + head('perf-default.txt').toString();
    expect(sniffFormat(Buffer.from(text), 'x').format).toBe('perf');
  });

  it('E_FORMAT_UNKNOWN names the file and quotes the first non-header line', () => {
    const text = '# some header\n\ntimestamp,cpu,addr\n1,2,3\n';
    let err: AbitraceError | undefined;
    try {
      sniffFormat(Buffer.from(text), 'data/capture.csv');
    } catch (e) {
      err = e as AbitraceError;
    }
    expect(err).toBeInstanceOf(AbitraceError);
    expect(err!.code).toBe('E_FORMAT_UNKNOWN');
    expect(err!.message).toContain('data/capture.csv');
    expect(err!.message).toContain('"timestamp,cpu,addr"');
  });

  it('takes a short prefix-less QEMU log with QEMU\'s own messages between the events', () => {
    const text = "memory_region_ops_read cpu 0 mr 0x5581 addr 0x8000000 value 0x0 size 4 name 'gicv3_dist'\n"
      + 'qemu-system-aarch64: terminating on signal 15 from pid 4242 (bash)\n';
    expect(sniffFormat(Buffer.from(text), 'short.log')).toEqual({ format: 'qemu', variant: 'qemu-plain' });
    // without a GIC or MMIO event, identifier-like lines are not enough
    expect(() => sniffFormat(Buffer.from('some_word text here\nqemu-system-aarch64: x\n'), 'n.log')).toThrow(/unrecognised/);
  });

  it('does not take prose for a prefix-less QEMU log', () => {
    expect(() => sniffFormat(Buffer.from('Hello world this is text\nAnother line of notes\n'), 'notes.txt')).toThrow(/unrecognised trace format/);
  });
});

describe('resolveFormat (--format)', () => {
  it('keeps the sniffed variant when the family agrees, and forces the family otherwise', () => {
    expect(resolveFormat(head('ftrace-tgid.txt'), 'x', 'ftrace')).toEqual({ format: 'ftrace', variant: 'ftrace-tgid' });
    expect(resolveFormat(head('ftrace-tgid.txt'), 'x', 'perf')).toEqual({ format: 'perf', variant: 'perf' });
    expect(resolveFormat(Buffer.from('garbage\n'), 'x', 'qemu')).toEqual({ format: 'qemu', variant: 'qemu' });
  });
});
