// Worker entry point: plain Node workers do not inherit a TypeScript loader, so load the parse
// worker from its cached JavaScript bundle (src/runtime/bundle.mjs), which also spares each
// import the ~0.2 s of CPU a tsx loader thread costs; tsx when no bundle can be built.
import { loadEntry } from '../runtime/bundle.mjs';

await loadEntry('src/ingest/parse-worker.ts');
