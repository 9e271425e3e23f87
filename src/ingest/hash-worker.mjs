// sha256 of a file's raw bytes on a thread of its own. The parse worker posts each raw chunk here
// (transferred, not copied) once it has parsed it, then `{ end: true }`; the digest goes to the
// parent. Chunks are acknowledged with `{ hashed: n, buffers }` (every 4), which bounds the
// chunks in flight (memory) when this thread gets little CPU and returns the read buffers for
// reuse. Plain JavaScript on purpose: no TypeScript loader to start, so this worker boots in
// milliseconds and costs the parse nothing (hashing a GB file is ~0.6 s of CPU).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

/** This thread's CPU ms (Linux), for the benchmark breakdown; NaN elsewhere. */
function threadCpuMs() {
  try {
    const s = readFileSync('/proc/thread-self/schedstat', 'latin1');
    return Number(s.slice(0, s.indexOf(' '))) / 1e6;
  } catch {
    return NaN;
  }
}

const hash = createHash('sha256');
let bytes = 0;
/** @type {ArrayBuffer[]} */
let done = [];
/** @type {import('node:worker_threads').MessagePort} */
const port = workerData.port;
port.on('message', (m) => {
  if (m.end) {
    parentPort.postMessage({ sha256: hash.digest('hex'), bytes, cpuMs: threadCpuMs() });
    port.close();
    return;
  }
  const b = m.bytes;
  hash.update(b);
  bytes += b.byteLength;
  done.push(b.buffer);
  if (done.length === 4) {
    port.postMessage({ hashed: done.length, buffers: done }, done);
    done = [];
  }
});
