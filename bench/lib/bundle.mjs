// Bundling for the benches with the build's esbuild: extension-host code as the extension
// ships it (one CommonJS file, required), and webview code as one minified browser script
// (with its CSS) to put in a headless page.
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { root } from '../../scripts/lib.mjs';

const require = createRequire(import.meta.url);

/**
 * Where hostBundle(bench) writes its file (a child process of the bench can require it too).
 * @param {string} bench
 */
export function hostBundleFile(bench) {
  return join(tmpdir(), `mlops-bench-${bench}`, 'host.cjs');
}

/**
 * Bundles `exports` (TypeScript `export ... from './src/...'` lines, paths from the
 * repository root) for Node into the bench's own temp folder and loads it.
 * @param {string} bench  names the file (hostBundleFile)
 * @param {string} exports
 * @returns {Promise<any>} the bundle's exports
 */
export async function hostBundle(bench, exports) {
  const outfile = hostBundleFile(bench);
  await esbuild.build({
    stdin: { contents: exports, resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return require(outfile);
}

/**
 * A browser entry point bundled, minified, in memory: its script and its CSS ('' when none).
 * @param {string} entry  path from the repository root
 * @returns {Promise<{ js: string, css: string }>}
 */
export async function browserBundle(entry) {
  const built = await esbuild.build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    // Not written (write: false); esbuild needs it to name the CSS beside the script.
    outdir: join(tmpdir(), 'mlops-bench-browser'),
    logLevel: 'warning',
  });
  const files = built.outputFiles;
  const js = files.find((f) => f.path.endsWith('.js'));
  if (!js) throw new Error(`esbuild wrote no script for ${entry}`);
  return { js: js.text, css: files.find((f) => f.path.endsWith('.css'))?.text ?? '' };
}
