#!/usr/bin/env node
// Installed entry point: runs the CLI from its cached JavaScript bundle (src/runtime/bundle.mjs;
// tsx when no bundle can be built), no build step for the user.
import { loadEntry } from '../runtime/bundle.mjs';

const { main } = await loadEntry('src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
