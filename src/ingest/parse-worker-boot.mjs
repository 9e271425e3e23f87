// Worker entry point: plain Node workers do not inherit the tsx loader registered by
// `node --import tsx` or by src/cli/bin.mjs, so register it here, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
