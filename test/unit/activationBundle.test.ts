// What activation parses (issue 21: ≤ 200 KB): libraries that only some commands need stay
// out of dist/extension.js and load on first use from dist/lazy/. This builds the bundle as
// esbuild.mjs does and names what must not be in it, so an eager import that pulls one back
// fails here rather than in the activation bench.
import { strict as assert } from 'node:assert';
import * as esbuild from 'esbuild';

describe('activation bundle', function () {
  this.timeout(60000);

  it('leaves simple-git to the lazy bundles (an experiment command asks git through dist/lazy/dataLib.js)', async () => {
    const built = await esbuild.build({
      entryPoints: ['src/extension/extension.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
      outfile: 'extension.js',
      external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
    });
    const inputs = Object.keys(built.metafile.inputs);
    assert.ok(inputs.some((f) => f.endsWith('src/extension/extension.ts')));
    assert.deepEqual(inputs.filter((f) => /node_modules\/simple-git\//.test(f)), []);
  });
});
