// Loads a TypeScript entry point (the CLI, the parse worker) from a JavaScript bundle cached under
// node_modules/.cache/abitrace/, rebuilt with esbuild whenever a source file it was built from
// changed; code split at dynamic imports, so a command still loads only what it uses. Why:
// loading the TypeScript through tsx's loader hooks costs ~1 s of start-up CPU per process and
// ~0.2 s per worker (an extra loader thread, a transform per module), which a CLI run and every
// import paid. Plain JavaScript on purpose: it runs before any TypeScript loader.
//
// Falls back to tsx (same code, slower start) when the bundle cannot be built or written, and
// when ABITRACE_NO_BUNDLE=1. `node src/runtime/bundle.mjs` prebuilds the bundles (npm's `prepare`).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Bump when the build options below change, so older bundles are rebuilt. */
const BUILD_VERSION = 3;

/** Entry points that are loaded through bundles (prebuilt by `node src/runtime/bundle.mjs`). */
export const ENTRIES = ['src/cli/main.ts', 'src/ingest/parse-worker.ts'];

/**
 * Only the native DuckDB bindings and the build tools stay outside the bundle. The pure-JavaScript
 * CommonJS packages go in: imported from ESM, each of their files went through Node's CommonJS
 * export lexer, which cost @duckdb/node-api's 60 files ~140 ms of start-up CPU on every run.
 */
const EXTERNAL = ['@duckdb/node-bindings', 'tsx', 'esbuild'];
/** What bundled CommonJS code calls for the external packages (an ES module has no `require`). */
const REQUIRE_SHIM = "import { createRequire as __abitraceRequire } from 'node:module'; const require = __abitraceRequire(import.meta.url);";

/**
 * Where an entry's bundle lives. `root`: the project (sources are recorded relative to it);
 * `cacheDir`: its bundle cache. Both have defaults; tests pass their own.
 */
function names(entry, root = PROJECT_ROOT, cacheDir = join(root, 'node_modules', '.cache', 'abitrace')) {
  const tag = createHash('sha256').update(`${root}\0${entry}`).digest('hex').slice(0, 12);
  const prefix = `${basename(entry, '.ts')}-${tag}`;
  return { root, cacheDir, prefix, inputs: join(cacheDir, `${prefix}.inputs.json`) };
}

/** The entry file of the bundle when every source it was built from still has its size and mtime. */
function freshBundle(n) {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(n.inputs, 'utf8'));
    statSync(join(n.cacheDir, recorded.entry));
  } catch {
    return null;
  }
  if (recorded.version !== BUILD_VERSION || recorded.node !== process.version) return null;
  for (const [file, size, mtimeMs] of recorded.files) {
    try {
      const st = statSync(isAbsolute(file) ? file : join(n.root, file));
      if (st.size !== size || st.mtimeMs !== mtimeMs) return null;
    } catch {
      return null;
    }
  }
  return join(n.cacheDir, recorded.entry);
}

/**
 * esbuild plugin: `import.meta.url` (and `.dirname`, `.filename`) of each source becomes that
 * source's own, so the paths the code resolves relative to itself (queries/, traces/, workers,
 * package.json) stay right inside the bundle.
 */
const importMetaUrl = {
  name: 'import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mjs|js)$/ }, (args) => {
      if (args.path.includes(`${join('node_modules', '')}`)) return undefined;
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.')) return undefined;
      return {
        contents: text
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path)),
        loader: args.path.endsWith('.ts') ? 'ts' : 'js',
      };
    });
  },
};

/**
 * Builds the bundle of `entry` (a path relative to the project root) into the cache; returns its
 * entry file. `where`: { root, cacheDir } instead of this project's (tests).
 */
export async function buildBundle(entry, where = {}) {
  const { build } = await import('esbuild');
  const n = names(entry, where.root, where.cacheDir);
  const { root, cacheDir } = n;
  const outBase = join(cacheDir, 'out');
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, entry)],
    outdir: outBase,
    entryNames: '[name]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    banner: { js: REQUIRE_SHIM },
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [importMetaUrl],
  });
  const files = Object.keys(result.metafile.inputs).map((f) => {
    const abs = isAbsolute(f) ? f : join(root, f);
    const st = statSync(abs);
    return [abs.startsWith(root + sep) ? abs.slice(root.length + 1) : abs, st.size, st.mtimeMs];
  });
  // A directory per distinct output, renamed into place whole: concurrent builders (test forks)
  // never see half-written files, and a running process keeps the chunks it may still load.
  const h = createHash('sha256');
  for (const f of result.outputFiles) h.update(f.path).update(f.contents);
  const dirName = `${n.prefix}-${h.digest('hex').slice(0, 12)}`;
  const dir = join(cacheDir, dirName);
  const tmpSuffix = `.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    statSync(dir);
  } catch {
    const tmp = dir + tmpSuffix;
    for (const f of result.outputFiles) {
      const rel = f.path.slice(outBase.length + 1);
      mkdirSync(dirname(join(tmp, rel)), { recursive: true });
      writeFileSync(join(tmp, rel), f.contents);
    }
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process put the same output there
    }
  }
  const entryRel = join(dirName, `${basename(entry, '.ts')}.js`);
  writeFileSync(n.inputs + tmpSuffix, JSON.stringify({ version: BUILD_VERSION, node: process.version, entry: entryRel, files }));
  renameSync(n.inputs + tmpSuffix, n.inputs);
  removeOldBuilds(cacheDir, n.prefix, dirName);
  return join(cacheDir, entryRel);
}

/** Earlier builds of the same entry, once nothing can still be running from them (an hour on). */
function removeOldBuilds(cacheDir, prefix, keep) {
  const now = Date.now();
  for (const d of readdirSync(cacheDir)) {
    if (!d.startsWith(`${prefix}-`) || d === keep || d.endsWith('.json')) continue;
    try {
      if (now - statSync(join(cacheDir, d)).mtimeMs > 3600_000) rmSync(join(cacheDir, d), { recursive: true, force: true });
    } catch {
      // raced with another process's clean-up
    }
  }
}

/**
 * The module namespace of `entry` (relative to the project root): from its cached bundle, built
 * first when missing or stale; through tsx when that is not possible.
 */
export async function loadEntry(entry, where = {}) {
  const n = names(entry, where.root, where.cacheDir);
  if (process.env.ABITRACE_NO_BUNDLE !== '1') {
    let bundle = freshBundle(n);
    if (bundle === null) {
      try {
        bundle = await buildBundle(entry, where);
      } catch {
        bundle = null; // read-only install, esbuild missing: the tsx path below still works
      }
    }
    if (bundle !== null) return import(pathToFileURL(bundle).href);
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(n.root, entry)).href);
}

/** Builds every entry's bundle that is missing or stale (benchmarks: keep esbuild out of the timing). */
export async function ensureBundles() {
  for (const entry of ENTRIES) if (freshBundle(names(entry)) === null) await buildBundle(entry);
}

// `node src/runtime/bundle.mjs`: prebuild every entry (never fails an install).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const entry of ENTRIES) {
    try {
      await buildBundle(entry);
    } catch (err) {
      console.error(`abitrace: could not prebuild ${entry} (${err?.message ?? err}); it will load through tsx`);
    }
  }
}
