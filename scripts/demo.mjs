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

// A copy of examples/ whose pipeline ran for real, so every view has something to show:
// runs in the Runs view, stages up to date in Pipelines. examples/ itself stays clean.
const { prepareExampleSandbox } = await import('../test/e2e/exampleSandbox.mjs');
step('running the example pipeline (dvc repro) in a copy of examples/');
const sandbox = prepareExampleSandbox(root);
const folder = sandbox?.dir ?? examples;
const dvc = join(root, '.venv-peers', 'bin', 'dvc');

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode && !process.env.MLOPS_DEMO_CODE_SERVER) {
  step(`opening ${folder} in VS Code (set mlops.dvc.path to ${dvc} to rerun its stages)`);
  run('code', [`--extensionDevelopmentPath=${root}`, folder]);
} else {
  const { openInCodeServer } = await import('../test/e2e/workbench.mjs');
  step('no `code` CLI here: opening the example project in code-server');
  // Reruns from the Pipelines view use the peers' dvc (and with it their python).
  const server = await openInCodeServer({ repoRoot: root, folder, settings: sandbox ? { 'mlops.dvc.path': dvc } : {} });
  console.log(`\nMLOps Workbench is running on ${folder}:\n\n  ${server.url}\n\nOpen it in a browser. Ctrl+C stops code-server.`);
  const stop = async () => {
    await server.stop();
    sandbox?.remove();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await server.exited;
}
