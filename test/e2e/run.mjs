// `npm run test:e2e`: the real extension in code-server (VS Code 1.139), seen through
// Chromium, plus the mocha suites run inside its extension host by the harness extension.
// Writes test-results/e2e-results.json, activation.json, screenshots and the logs;
// ends with `E2E: N passed, M failed` and a non-zero exit on any failure.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, openWorkbench } from './browser.mjs';
import { CODE_SERVER_VERSION, folderUrl } from './codeServer.mjs';
import { Checks, notableLogEntries, printHarness, waitForHarness } from './results.mjs';
import { componentHostSettings, E2E_SSH_HOST } from './profile.mjs';
import { prepareExampleSandbox } from './exampleSandbox.mjs';
import * as ui from './uiChecks.mjs';
import { clearPanelChecks, metricsPanelAfterReload, panelChecksWhenAsked } from './panelChecks.mjs';
import { clearExperimentsChecks, experimentsChecksWhenAsked } from './experimentsChecks.mjs';
import { clearQueueChecks, nestedChecksWhenAsked, queueChecksWhenAsked } from './queueChecks.mjs';
import { clearPipelineChecks, pipelineChecksWhenAsked } from './pipelineChecks.mjs';
import { clearLaunchChecks, launchChecksWhenAsked } from './launchChecks.mjs';
import { clearWalkthroughChecks, walkthroughChecksWhenAsked } from './walkthroughChecks.mjs';
import { clearJobsChecks, jobsChecksWhenAsked } from './jobsChecks.mjs';
import { clearModelsChecks, modelsChecksWhenAsked } from './modelsChecks.mjs';
import { clearReproduceChecks, reproduceChecksWhenAsked } from './reproduceChecks.mjs';
import { openInCodeServer } from './workbench.mjs';
import { readLocalizedManifest } from '../support/manifest.cjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'test-results');
let folder = process.env.MLOPS_E2E_FOLDER ?? join(root, 'examples');
// Set when the example pipeline ran in a sandbox that the E2E opens instead of examples/.
/** @type {ReturnType<typeof prepareExampleSandbox>} */
let sandbox;
const harnessFile = join(out, 'e2e-harness.json');
// All extension-host suites together: the panels suite writes real MLflow runs and waits on
// the browser checks of its webviews, the launch suite walks a QuickPick; on a loaded 2-core
// machine the whole set takes 3–5 minutes, and the jobs suite's stages on Slurm and its Ray
// job (with Ray's start) 2–4 more.
const HARNESS_TIMEOUT_MS = 900000;
// The workspaces suite keeps its workspaces running until the runner has screenshot them.
const workspacesShot = { ready: join(out, 'e2e-workspaces.ready'), done: join(out, 'e2e-workspaces.done'), png: join(out, 'e2e-workspaces.png') };
// The data suite expands an artifact's versions in the Data view and asks for this one.
const dataShot = { ready: join(out, 'e2e-data-view.ready'), done: join(out, 'e2e-data-view.done'), png: join(out, 'e2e-data-view.png') };
const hostSettings = componentHostSettings();
// The stand-in for the Python extension (fixtures/python-api-stub) selects the peers' venv.
const peersPython = join(root, '.venv-peers', 'bin', 'python');
// With a Docker host or an SSH host configured, the Workspaces view lists hosts instead of its welcome text.
const workspaceHosts = /** @type {string[]} */ ([hostSettings['mlops.docker.host'] && 'This machine', hostSettings['mlops.hosts'] && E2E_SSH_HOST].filter(Boolean));

const started = Date.now();
/** @type {Record<string, number>} */
const phases = {};
const phase = (/** @type {string} */ name) => (phases[name] = Date.now() - started);
/** @type {Awaited<ReturnType<typeof openInCodeServer>> | undefined} */
let workbench;
/** @type {import('playwright-core').Browser | undefined} */
let browser;

let cleaning;
/** Stops the browser and code-server and keeps the logs; safe to call more than once. */
function cleanup() {
  cleaning ??= (async () => {
    // code-server first: closing the page first makes its extension hosts log ECONNRESET.
    await workbench?.stop({ keepProfile: true }).catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (!workbench) return;
    // The logs outlive the throw-away profile: CI keeps test-results/ as an artifact.
    const logs = join(out, 'e2e-logs');
    rmSync(logs, { recursive: true, force: true });
    if (existsSync(join(workbench.profile.userDataDir, 'logs'))) cpSync(join(workbench.profile.userDataDir, 'logs'), logs, { recursive: true });
    if (existsSync(workbench.logFile)) cpSync(workbench.logFile, join(logs, 'code-server.log'));
    rmSync(workbench.profile.root, { recursive: true, force: true });
  })().finally(() => sandbox?.remove());
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.log(`\n${signal}: stopping code-server and the browser`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  if (!process.env.MLOPS_E2E_FOLDER) {
    sandbox = prepareExampleSandbox(root);
    if (sandbox) folder = sandbox.dir;
    phase('exampleSandbox');
  }
  if (!existsSync(join(folder, 'dvc.yaml'))) throw new Error(`${folder}/dvc.yaml is missing: the E2E run opens the examples project`);
  mkdirSync(out, { recursive: true });
  rmSync(harnessFile, { force: true });
  clearPanelChecks(out);
  clearExperimentsChecks(out);
  clearQueueChecks(out);
  clearPipelineChecks(out);
  clearLaunchChecks(out);
  clearWalkthroughChecks(out);
  clearJobsChecks(out);
  clearModelsChecks(out);
  clearReproduceChecks(out);
  for (const f of Object.values(workspacesShot)) rmSync(f, { force: true });
  for (const f of Object.values(dataShot)) rmSync(f, { force: true });

  // MLOPS_E2E_PRODUCTION=1 (the activation bench): the minified bundles a user installs, so
  // the activation time recorded is theirs, not the development build's.
  const buildArgs = ['esbuild.mjs', '--tests', ...(process.env.MLOPS_E2E_PRODUCTION === '1' ? ['--production'] : [])];
  console.log(`=== build (node ${buildArgs.join(' ')})`);
  rmSync(join(root, 'dist-test'), { recursive: true, force: true });
  const build = spawnSync(process.execPath, buildArgs, { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`the build failed (exit ${build.status})`);
  phase('build');

  const vsix = process.env.MLOPS_E2E_VSIX;
  console.log(`=== code-server ${CODE_SERVER_VERSION}, our extension from ${vsix ?? 'dist/'}, plus the E2E harness`);
  workbench = await openInCodeServer({
    repoRoot: root,
    folder,
    vsix,
    harness: true,
    // Test-only ms-python.python with the environments API shape: the Python environment suite.
    pythonStub: existsSync(peersPython),
    keepProfile: true,
    // Reruns from the extension use the peers' dvc, as a user points at a venv's dvc.
    settings: sandbox ? { ...hostSettings, 'mlops.dvc.path': join(root, '.venv-peers', 'bin', 'dvc') } : hostSettings,
    env: {
      MLOPS_E2E_SHOT_READY: workspacesShot.ready,
      MLOPS_E2E_SHOT_DONE: workspacesShot.done,
      MLOPS_E2E_DATA_SHOT_READY: dataShot.ready,
      MLOPS_E2E_DATA_SHOT_DONE: dataShot.done,
      MLOPS_E2E_RESULTS: harnessFile,
      MLOPS_E2E_REPO: root,
      // Lets the suites probe what a panel's webview shows (PanelHost.probe): test-only messages.
      MLOPS_E2E: '1',
      MLOPS_E2E_WORKSPACE: folder,
      MLOPS_E2E_EXAMPLE_RAN: sandbox ? '1' : '',
      MLOPS_E2E_STUB_PYTHON: existsSync(peersPython) ? peersPython : '',
      // No extension gallery: nothing to fetch, and no failed lookups in the logs.
      EXTENSIONS_GALLERY: '{}',
    },
  });
  let serverExited = false;
  void workbench.exited.then(() => (serverExited = true));
  phase('codeServerUp');

  /** @type {string[]} */
  const consoleLog = [];
  const launched = await launchBrowser({ onConsole: (l) => consoleLog.push(l) });
  browser = launched.browser;
  const { page } = launched;
  // The manifest as installed (a .vsix may predate the working tree's package.json), with
  // its %keys% resolved from package.nls.json as the workbench shows them.
  const pkg = readLocalizedManifest(workbench.extension.dir);
  const views = ui.mlopsViews(pkg);
  const checks = new Checks();

  console.log(`\n=== workbench on ${folder}`);
  await openWorkbench(page, workbench.url);
  phase('workbenchOpen');
  await checks.run('the MLOps activity bar entry opens the MLOps container', () => ui.openMlopsContainer(page));
  for (const v of views) await checks.run(`the ${v.name} view header is shown`, () => ui.expectViewHeader(page, v.name));
  for (const v of views.filter((v) => v.name !== 'Pipelines' && !(v.name === 'Workspaces' && workspaceHosts.length) && v.name !== 'Runs' && !(v.name === 'Data' && sandbox))) {
    await checks.run(`the ${v.name} view shows its welcome text`, () => ui.expectWelcome(page, v));
  }
  // examples/ holds a dvc.yaml, so even before its pipeline ran the Runs view lists its DVC experiments (the workspace and HEAD).
  if (!sandbox) await checks.run('the Runs view lists examples/ as DVC experiments', () => ui.expectTreeLabels(page, 'Runs', ['DVC experiments']));
  if (sandbox) {
    await checks.run('the Runs view lists the MLflow store, the run of examples-classifier and the DVC experiments', () =>
      ui.expectTreeLabels(page, 'Runs', ['MLflow', 'examples-classifier', 'DVC experiments']),
    );
  }
  if (sandbox) {
    await checks.run('the Data view lists the pipeline outputs data/prepared and models/model.pkl', () => ui.expectTreeLabels(page, 'Data', ['prepared', 'model.pkl']));
  }
  if (workspaceHosts.length) {
    await checks.run(`the Workspaces view lists the hosts ${workspaceHosts.join(', ')}`, () => ui.expectTreeLabels(page, 'Workspaces', workspaceHosts));
  }
  await checks.run('the Pipelines view lists the stages prepare, train, evaluate', () =>
    ui.expectTreeLabels(page, 'Pipelines', ['prepare', 'train', 'evaluate']),
  );
  phase('uiChecks');

  console.log('\n=== suites in the extension host (harness)');
  let harnessDone = false;
  const shot = ui.screenshotWhenAsked(page, workspacesShot, () => harnessDone, { collapse: ['Runs', 'Data', 'Pipelines'], sideBarWidth: 560 });
  const dataViewShot = ui.screenshotWhenAsked(page, dataShot, () => harnessDone, { collapse: ['Workspaces', 'Runs', 'Pipelines'], sideBarWidth: 640 });
  const panelChecks = panelChecksWhenAsked(page, out, () => harnessDone, checks);
  const experimentsChecks = experimentsChecksWhenAsked(page, out, () => harnessDone, checks);
  const queueChecks = queueChecksWhenAsked(page, out, () => harnessDone, checks);
  const nestedChecks = nestedChecksWhenAsked(page, out, () => harnessDone, checks);
  const pipelineChecks = pipelineChecksWhenAsked(page, out, () => harnessDone, checks);
  const launchChecks = launchChecksWhenAsked(page, out, () => harnessDone, checks);
  const walkthroughChecks = walkthroughChecksWhenAsked(page, out, () => harnessDone, checks);
  const jobsChecks = jobsChecksWhenAsked(page, out, () => harnessDone, checks);
  const modelsChecks = modelsChecksWhenAsked(page, out, () => harnessDone, checks);
  const reproduceChecks = reproduceChecksWhenAsked(page, out, () => harnessDone, checks);
  const harness = await waitForHarness(harnessFile, HARNESS_TIMEOUT_MS, () => serverExited);
  harnessDone = true;
  await panelChecks;
  await experimentsChecks;
  await queueChecks;
  await nestedChecks;
  await pipelineChecks;
  await launchChecks;
  await walkthroughChecks;
  await jobsChecks;
  await modelsChecks;
  await reproduceChecks;
  if (await shot) console.log('  (screenshot of running workspaces: test-results/e2e-workspaces.png)');
  if (await dataViewShot) console.log('  (screenshot of the Data view with versions: test-results/e2e-data-view.png)');
  phase('harness');
  if (harness) printHarness(harness);
  else console.log(`  ✘ no results from the harness within ${HARNESS_TIMEOUT_MS / 1000} s${serverExited ? ' (code-server exited)' : ''}`);
  // Reloads the window: only once the suites (in the extension host it ends) are done.
  await metricsPanelAfterReload(page, out, checks);

  await checks.run('no error notification is on screen', async () => {
    const toasts = await ui.visibleNotifications(page);
    for (const t of toasts.filter((t) => t.severity !== 'error')) console.log(`    (notification, ${t.severity}: ${t.text})`);
    const errors = toasts.filter((t) => t.severity === 'error');
    if (errors.length) throw new Error(`error notifications: ${JSON.stringify(errors.map((t) => t.text))}`);
  });
  await ui.tidyForScreenshot(page);
  await page.screenshot({ path: join(out, 'e2e-mlops-views.png') });

  console.log(`\n=== workbench on an empty folder`);
  await openWorkbench(page, folderUrl(workbench.baseUrl, workbench.profile.emptyFolder));
  await checks.run('[empty folder] the MLOps activity bar entry opens the MLOps container', () => ui.openMlopsContainer(page));
  for (const v of views.filter((v) => !(v.name === 'Workspaces' && workspaceHosts.length))) {
    await checks.run(`[empty folder] the ${v.name} view shows its welcome text`, () => ui.expectWelcome(page, v));
  }
  await ui.tidyForScreenshot(page);
  await page.screenshot({ path: join(out, 'e2e-welcome-empty.png') });
  phase('emptyFolder');

  writeFileSync(join(out, 'e2e-console.log'), consoleLog.join('\n'));
  return { checks, harness };
}

let exitCode = 1;
try {
  const { checks, harness } = await main();
  await cleanup();
  const logEntries = notableLogEntries(join(out, 'e2e-logs'));
  if (logEntries.length) {
    console.log('\n=== warnings and errors in the extension host logs (test-results/e2e-logs/)');
    for (const e of logEntries) console.log(`  ${e}`);
  }

  const harnessFailures = harness ? harness.failures.length : 1;
  const passed = checks.results.length - checks.failures.length + (harness?.passes.length ?? 0);
  const failed = checks.failures.length + harnessFailures;
  const pending = harness?.pending.length ?? 0;
  if (harness?.activation) {
    writeFileSync(
      join(out, 'activation.json'),
      JSON.stringify({ ...harness.activation, host: `code-server ${CODE_SERVER_VERSION} (VS Code ${harness.vscodeVersion})`, at: new Date().toISOString() }, null, 2),
    );
  }
  writeFileSync(
    join(out, 'e2e-results.json'),
    JSON.stringify({ passed, failed, pending, durationMs: Date.now() - started, phasesMs: phases, ui: checks.results, harness: harness ?? null, logEntries }, null, 2),
  );
  console.log(`\n  ${passed} passing (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (pending) console.log(`  ${pending} pending`);
  if (failed) console.log(`  ${failed} failing`);
  for (const f of checks.failures) console.log(`\n  ✘ ${f.title}\n      ${f.error}`);
  console.log(`\nscreenshots: test-results/e2e-mlops-views.png, test-results/e2e-welcome-empty.png; phases (ms from start): ${JSON.stringify(phases)}`);
  console.log(`E2E: ${passed} passed, ${failed} failed`);
  exitCode = failed ? 1 : 0;
} catch (err) {
  console.error(`\nE2E run broke off: ${err?.stack ?? err}`);
  await cleanup();
  console.log('E2E: 0 passed, 1 failed');
} finally {
  process.exit(exitCode);
}
