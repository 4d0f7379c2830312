// Loads a lazily bundled library from dist/lazy/ (see esbuild.mjs). The require is
// computed so that esbuild leaves it alone and the library stays out of extension.js.
import * as path from 'node:path';

export function loadLazy<T>(name: 'languageClientLib' | 'telemetryLib' | 'hostsLib' | 'runsLib' | 'dataLib' | 'jobsLib' | 'modelsLib' | 'modelsFeature' | 'jobsFeature' | 'dataFeature' | 'provenanceFeature' | 'expLifecycleFeature' | 'panelsFeature' | 'workspaceCommandsFeature'): T {
  // From dist/extension.js, or from a feature loaded on first use, itself in dist/lazy/.
  const dir = path.basename(__dirname) === 'lazy' ? __dirname : path.join(__dirname, 'lazy');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(dir, `${name}.js`)) as T;
}
