// Loads a lazily bundled library from dist/lazy/ (see esbuild.mjs). The require is
// computed so that esbuild leaves it alone and the library stays out of extension.js.
import * as path from 'node:path';

export function loadLazy<T>(name: 'languageClientLib' | 'telemetryLib' | 'hostsLib' | 'runsLib' | 'dataLib' | 'jobsLib' | 'modelsLib' | 'modelsFeature'): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(__dirname, 'lazy', `${name}.js`)) as T;
}
