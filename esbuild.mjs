// One build for every bundle: the extension, the language server, the pure core as a
// Node library, one bundle per webview app, and (with --tests) the E2E harness.
// esbuild does not type-check: `npm run typecheck` does.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { extensionBundle, NATIVE_OPTIONAL } from './scripts/extensionBundle.mjs';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

/** @satisfies {esbuild.BuildOptions} */
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  external: ['vscode', ...NATIVE_OPTIONAL],
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...node,
    // What activation parses: its options (and the packages left to dist/lazy/) are shared with the budget's unit test.
    ...extensionBundle,
    outdir: 'dist',
    // Lets activate() report how long the bundle took to evaluate (see MlopsApi.activation).
    banner: { js: 'var __mlopsLoadStart = performance.now();' },
    footer: { js: 'var __mlopsLoadEnd = performance.now();' },
  },
  {
    ...node,
    entryPoints: {
      languageClientLib: 'src/extension/lazy/languageClientLib.ts',
      telemetryLib: 'src/extension/lazy/telemetryLib.ts',
      hostsLib: 'src/extension/lazy/hostsLib.ts',
      runsLib: 'src/extension/lazy/runsLib.ts',
      dataLib: 'src/extension/lazy/dataLib.ts',
      jobsLib: 'src/extension/lazy/jobsLib.ts',
      modelsLib: 'src/extension/lazy/modelsLib.ts',
      yamlLib: 'src/extension/lazy/yamlLib.ts',
      // Features registered by stand-ins at activation and loaded on first use (lazy/lazyFeature.ts).
      modelsFeature: 'src/extension/lazy/modelsFeature.ts',
      jobsFeature: 'src/extension/lazy/jobsFeature.ts',
      dataFeature: 'src/extension/lazy/dataFeature.ts',
      provenanceFeature: 'src/extension/lazy/provenanceFeature.ts',
      expLifecycleFeature: 'src/extension/lazy/expLifecycleFeature.ts',
      panelsFeature: 'src/extension/lazy/panelsFeature.ts',
      workspaceCommandsFeature: 'src/extension/lazy/workspaceCommandsFeature.ts',
      // The worker thread that reads run stores in files (core/runs/isolated).
      runsWorker: 'src/core/runs/isolated/runsWorker.ts',
      // The worker's readers of the other store kinds, loaded on first use.
      runsReaders: 'src/core/runs/isolated/runsReaders.ts',
      // The Models view's registry readers, likewise (core/models/isolated).
      modelsWorker: 'src/core/models/isolated/modelsWorker.ts',
      // The worker's readers of the file store, GTO tags and MLmodel files, loaded on first use.
      modelsReaders: 'src/core/models/isolated/modelsReaders.ts',
      // The Pipelines view's loader, likewise (core/pipelines/isolated).
      pipelinesWorker: 'src/core/pipelines/isolated/pipelinesWorker.ts',
    },
    outdir: 'dist/lazy',
  },
  // The language server and its worker thread (the language service behind a watchdog).
  { ...node, entryPoints: { server: 'src/server/server.ts', serverWorker: 'src/server/languageWorker.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { core: 'src/core/index.ts' }, outdir: 'dist' },
];

const webviewDir = 'webviews';
if (existsSync(webviewDir)) {
  const apps = readdirSync(webviewDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(webviewDir, d.name, 'main.ts')))
    .map((d) => d.name);
  if (apps.length) {
    builds.push({
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      sourcemap: production ? false : 'linked',
      minify: production,
      logLevel: 'warning',
      entryPoints: Object.fromEntries(apps.map((a) => [a, join(webviewDir, a, 'main.ts')])),
      outdir: 'dist/webviews',
    });
  }
}

if (tests) {
  const suiteDir = 'test/e2e/suites';
  const suites = existsSync(suiteDir)
    ? readdirSync(suiteDir).filter((f) => f.endsWith('.test.ts')).map((f) => join(suiteDir, f))
    : [];
  // mocha stays external: the harness loads it from the repo's node_modules at run time.
  /** @type {esbuild.BuildOptions} */
  const testNode = { ...node, sourcemap: 'inline', minify: false, external: [...node.external, 'mocha'] };
  builds.push({ ...testNode, entryPoints: { extension: 'test/e2e/harness/extension.ts' }, outdir: 'dist-test/harness' });
  if (suites.length) builds.push({ ...testNode, entryPoints: suites, outdir: 'dist-test/suites' });
}

if (!watch) rmSync('dist', { recursive: true, force: true });

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`watching ${builds.length} bundles`);
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // sql.js (the mlflow.db reader) loads its WebAssembly from a file beside the bundle.
  mkdirSync('dist', { recursive: true });
  copyFileSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');
  console.log(`built ${builds.length} bundles in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
