// `npm run demo`: installs what is missing, builds, and opens examples/ with the
// extension running — in desktop VS Code when a `code` CLI is on the PATH, otherwise in
// code-server on 127.0.0.1 (URL printed; Ctrl+C stops it).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureNodeModules, root, run, step } from './lib.mjs';

/** @type {(() => void)[]} */
const removeOnExit = [];

/**
 * Starts the test components (root only) and a labelled demo workspace; returns the host settings.
 * @param {string} project
 * @returns {Record<string, unknown> | Promise<Record<string, unknown>>}
 */
function startDemoHosts(project) {
  step('Workspaces: a local Docker engine and a loopback SSH host');
  if (process.getuid?.() !== 0) {
    console.log('Not root: no Docker engine or sshd is started, so Workspaces shows only the engines you already run.');
    return {};
  }
  run('bash', ['scripts/setup/apt.sh']);
  run('bash', ['scripts/components/up.sh']);
  return import('../test/e2e/profile.mjs').then(async ({ componentHostSettings }) => {
    const settings = componentHostSettings();
    const engine = /** @type {string | undefined} */ (settings['mlops.docker.host']);
    if (!engine) {
      console.log('The Docker engine did not start (see /tmp/mlops-test/dockerd.log): Workspaces shows the SSH host only.');
      return settings;
    }
    // By URL, like the benchmarks: the type checker reads the sources, not this bundle.
    const { containerName, dockerRunArgv } = await import(pathToFileURL(join(root, 'dist', 'core.js')).href);
    const profile = { name: 'demo-notebook', image: 'local/busybox:1', ports: [], command: 'sleep 2147483647', mounts: [{ source: project, target: '/project' }] };
    const docker = (/** @type {string[]} */ args) => spawnSync('docker', ['-H', engine, ...args], { encoding: 'utf8' });
    const name = containerName(profile.name);
    // One demo workspace, removed again when the demo stops (it is ours: the demo made it).
    docker(['rm', '-f', name]);
    const [, ...args] = dockerRunArgv(profile);
    const r = docker(args);
    if (r.status === 0) {
      console.log(`demo workspace ${name} started`);
      removeOnExit.push(() => docker(['rm', '-f', name]));
    } else console.log(`could not start the demo workspace: ${r.stderr.trim()}`);
    return settings;
  });
}

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

// The Workspaces view needs an engine: as root, the same local Docker engine and loopback
// sshd the tests use (scripts/components/up.sh), with one demo workspace running on it.
const hostSettings = await startDemoHosts(folder);

const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode && !process.env.MLOPS_DEMO_CODE_SERVER) {
  step(`opening ${folder} in VS Code (set mlops.dvc.path to ${dvc} to rerun its stages)`);
  run('code', [`--extensionDevelopmentPath=${root}`, folder]);
  if (hostSettings['mlops.docker.host']) {
    console.log(`The demo engine is ${hostSettings['mlops.docker.host']}: set MLOps › Docker: Host to it (user settings) to see its workspace;\n` +
      `remove the demo workspace with: docker -H ${hostSettings['mlops.docker.host']} rm -f demo-notebook`);
  }
} else {
  const { openInCodeServer } = await import('../test/e2e/workbench.mjs');
  step('no `code` CLI here: opening the example project in code-server');
  // Reruns from the Pipelines view use the peers' dvc (and with it their python).
  const server = await openInCodeServer({ repoRoot: root, folder, settings: { ...hostSettings, ...(sandbox ? { 'mlops.dvc.path': dvc } : {}) } });
  console.log(`\nMLOps Workbench is running on ${folder}:\n\n  ${server.url}\n\nOpen it in a browser. Ctrl+C stops code-server.`);
  const stop = async () => {
    await server.stop();
    sandbox?.remove();
    for (const remove of removeOnExit) remove();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await server.exited;
}
