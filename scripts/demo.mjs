// `npm run demo`: installs what is missing, builds, and opens examples/ with the
// extension running — in desktop VS Code when a `code` CLI is on the PATH, otherwise in
// code-server on 127.0.0.1 (URL printed; Ctrl+C stops it).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureNodeModules, root, run, step } from './lib.mjs';

const examples = join(root, 'examples');
ensureNodeModules();
step('build');
run('node', ['esbuild.mjs']);
step("the examples' Python tools (mlflow, dvc, dvclive, scikit-learn)");
run('bash', ['scripts/setup/peers.sh']);

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode && !process.env.MLOPS_DEMO_CODE_SERVER) {
  step('opening examples/ in VS Code');
  run('code', [`--extensionDevelopmentPath=${root}`, examples]);
} else {
  const { openInCodeServer } = await import('../test/e2e/workbench.mjs');
  step('no `code` CLI here: opening examples/ in code-server');
  // The examples' stages run `python`, `dvc` and `mlflow`: put the peers' venv first.
  const venvBin = join(root, '.venv-peers', 'bin');
  const server = await openInCodeServer({ repoRoot: root, folder: examples, env: { PATH: `${venvBin}:${process.env.PATH}` } });
  console.log(`\nMLOps Workbench is running on examples/:\n\n  ${server.url}\n\nOpen it in a browser. Ctrl+C stops code-server.`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await server.exited;
}
