// How dist/extension.js (what activation parses) is built, shared by esbuild.mjs and by the
// unit test that holds it to its budget (test/unit/activationBundle.test.ts), so that the
// test measures the bundle a user gets.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Packages that many modules import but few activations use: in dist/extension.js each is
 * a stand-in whose exports, on first read, require the package from its own bundle in
 * dist/lazy/ (the same place and way as src/extension/lazy/load.ts). esbuild reads an
 * imported name off the module object where it is used, not where it is imported, so the
 * importing modules stay as they are. Package → its entry in src/extension/lazy/.
 * @type {Record<string, string>}
 */
export const LAZY_PACKAGES = { yaml: 'yamlLib' };

/**
 * The stand-in's source: CommonJS with one getter per export of the real package (read here,
 * at build time, so that a name the package adds is not missed).
 * @param {string} pkg
 */
function standIn(pkg) {
  const names = Object.keys(require(pkg)).filter((n) => n !== 'default' && n !== '__esModule');
  const file = `${LAZY_PACKAGES[pkg]}.js`;
  return [
    `// ${pkg}, loaded from dist/lazy/${file} the first time one of its exports is read.`,
    'let lib;',
    `const load = () => (lib ??= require(require('node:path').join(__dirname, 'lazy', ${JSON.stringify(file)})));`,
    `for (const name of ${JSON.stringify(names)}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });`,
  ].join('\n');
}

/** @type {import('esbuild').Plugin} */
export const lazyPackagesPlugin = {
  name: 'lazy-packages',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(LAZY_PACKAGES).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'lazy-package' }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (args) => ({ contents: standIn(args.path), loader: 'js' }));
  },
};

// ssh2 ships optional native speed-ups; without them it falls back to pure JS, which is
// what a .vsix without node_modules must do on every platform.
export const NATIVE_OPTIONAL = ['cpu-features', './crypto/build/Release/sshcrypto.node'];

/**
 * The extension bundle's options (entry, externals, lazy packages); esbuild.mjs adds output,
 * minification and source maps.
 * @satisfies {import('esbuild').BuildOptions}
 */
export const extensionBundle = {
  entryPoints: { extension: 'src/extension/extension.ts' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode', ...NATIVE_OPTIONAL],
  plugins: [lazyPackagesPlugin],
};
