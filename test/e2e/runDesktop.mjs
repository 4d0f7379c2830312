// `npm run test:vscode`: the same E2E suites on a desktop VS Code through
// @vscode/test-electron, where one can be downloaded. The harness bundle doubles as the
// extensionTestsPath (its `run` export). Exits 0 without running only when the download
// is what failed: the suites still run in code-server via `npm run test:e2e`.
// (On Linux without a display, run it under xvfb-run.)
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentHostSettings, createProfile } from './profile.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const folder = process.env.MLOPS_E2E_FOLDER ?? join(root, 'examples');
const resultsFile = join(root, 'test-results', 'e2e-desktop-results.json');

const build = spawnSync(process.execPath, ['esbuild.mjs', '--tests'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error(`the build failed (exit ${build.status})`);
  process.exit(1);
}

let vscodeExecutablePath;
try {
  vscodeExecutablePath = await downloadAndUnzipVSCode({ version: process.env.MLOPS_VSCODE_VERSION ?? 'stable', timeout: 30000 });
} catch (err) {
  console.log(`desktop VS Code could not be downloaded: ${err?.message ?? err}; the same suites run in code-server via npm run test:e2e`);
  process.exit(0);
}

// Same quiet settings as the code-server run (telemetry off matters to the telemetry suite).
const profile = createProfile('mlops-e2e-desktop-', componentHostSettings());
rmSync(resultsFile, { force: true });
let code = 1;
try {
  await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'dist-test', 'harness', 'extension.js'),
    extensionTestsEnv: {
      MLOPS_E2E_REPO: root,
      // Lets the suites probe what a panel's webview shows (PanelHost.probe): test-only messages.
      MLOPS_E2E: '1',
      MLOPS_E2E_SUITES: join(root, 'dist-test', 'suites'),
      MLOPS_E2E_RESULTS: resultsFile,
    },
    launchArgs: [folder, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir],
  });
  code = 0;
} catch (err) {
  console.error(`desktop E2E failed: ${err?.message ?? err}`);
} finally {
  rmSync(profile.root, { recursive: true, force: true });
}
if (existsSync(resultsFile)) {
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  console.log(`E2E (desktop VS Code ${r.vscodeVersion}): ${r.passes.length} passed, ${r.failures.length} failed`);
}
process.exit(code);
