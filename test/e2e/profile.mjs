// A throw-away code-server profile: user-data dir with quiet settings, and an extensions
// dir with our extension (copied from the build, or installed from a .vsix) and,
// for tests, the E2E harness extension.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeServerInstall } from './codeServer.mjs';

// Quiet and deterministic: nothing opens on start, nothing is sent or fetched.
export const USER_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  // The suites save and delete temp files; history copies would race the deletion.
  'workbench.localHistory.enabled': false,
  'security.workspace.trust.enabled': false,
};

// What a user's install holds (the .vsix carries the same, see .vscodeignore).
const EXTENSION_FILES = ['package.json', 'package.nls.json', 'dist', 'media', 'syntaxes', 'README.md', 'CHANGELOG.md', 'LICENSE'];

/** The SSH host the E2E settings add for the loopback sshd (the workspaces suite uses it). */
export const E2E_SSH_HOST = 'loopback-ssh';

/**
 * Workspaces settings pointing at the real components of scripts/components/up.sh
 * (components.json): the Docker engine as this machine's, the sshd as an SSH host, and its
 * known_hosts. The user's own ~/.ssh/config is never read by a test run.
 */
export function componentHostSettings(stateDir = process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test') {
  /** @type {Record<string, unknown>} */
  const settings = { 'mlops.ssh.configFile': '/dev/null' };
  let c;
  try {
    c = JSON.parse(readFileSync(join(stateDir, 'components.json'), 'utf8'));
  } catch {
    return settings;
  }
  if (c.docker?.socketPath) settings['mlops.docker.host'] = `unix://${c.docker.socketPath}`;
  if (c.ssh?.host && c.ssh?.port) {
    settings['mlops.hosts'] = [{ name: E2E_SSH_HOST, hostName: c.ssh.host, port: c.ssh.port, user: c.ssh.username, identityFile: c.ssh.privateKeyPath }];
    settings['mlops.ssh.knownHostsFile'] = c.ssh.knownHostsPath;
  }
  return settings;
}

/** @typedef {ReturnType<typeof createProfile>} Profile */

/** Makes `<tmp>/{user-data, extensions, empty}` and writes the user settings (plus `extraSettings`). */
export function createProfile(prefix = 'mlops-e2e-', extraSettings = {}) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const profile = {
    root,
    userDataDir: join(root, 'user-data'),
    extensionsDir: join(root, 'extensions'),
    emptyFolder: join(root, 'empty'),
  };
  for (const d of [profile.extensionsDir, profile.emptyFolder, join(profile.userDataDir, 'User')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(profile.userDataDir, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...extraSettings }, null, 2));
  // Machine-scoped settings (hosts, Docker socket, known_hosts) are read from the remote
  // side in code-server's remote window, which is this file, not the user settings.
  mkdirSync(join(profile.userDataDir, 'Machine'), { recursive: true });
  writeFileSync(join(profile.userDataDir, 'Machine', 'settings.json'), JSON.stringify(extraSettings, null, 2));
  return profile;
}

/**
 * Installs our extension into the profile: from `vsix` with code-server's own installer
 * when given (what CI ships), else by copying the built files into
 * `<extensions>/<publisher>.<name>-<version>/`. Returns the installed folder (`dir`).
 * @param {Profile} profile
 * @param {string} repoRoot
 * @param {string} [vsix]
 */
export function installExtension(profile, repoRoot, vsix) {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}`;
  if (vsix) {
    const cs = codeServerInstall();
    const r = spawnSync(
      cs.node,
      [cs.entry, '--user-data-dir', profile.userDataDir, '--extensions-dir', profile.extensionsDir, '--install-extension', vsix],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`installing ${vsix} into code-server failed (${r.status}):\n${r.stdout}${r.stderr}`);
    const installed = readdirSync(profile.extensionsDir).find((d) => d.toLowerCase().startsWith(`${id}-`));
    if (!installed) throw new Error(`code-server installed ${vsix} but no ${id}-* folder appeared in ${profile.extensionsDir}`);
    return { id, from: vsix, dir: join(profile.extensionsDir, installed) };
  }
  if (!existsSync(join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: the build did not produce it');
  const dir = join(profile.extensionsDir, `${id}-${pkg.version}`);
  for (const f of EXTENSION_FILES) {
    if (existsSync(join(repoRoot, f))) cpSync(join(repoRoot, f), join(dir, f), { recursive: true });
  }
  return { id, from: dir, dir };
}

/**
 * Installs the harness bundle and the suites it runs (from `node esbuild.mjs --tests`).
 * @param {Profile} profile
 * @param {string} repoRoot
 */
export function installHarness(profile, repoRoot) {
  const src = join(repoRoot, 'test', 'e2e', 'harness', 'package.json');
  const pkg = JSON.parse(readFileSync(src, 'utf8'));
  const dir = join(profile.extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  const built = join(repoRoot, 'dist-test');
  if (!existsSync(join(built, 'harness', 'extension.js'))) throw new Error('dist-test/harness/extension.js is missing: run node esbuild.mjs --tests');
  mkdirSync(dir, { recursive: true });
  cpSync(src, join(dir, 'package.json'));
  cpSync(join(built, 'harness', 'extension.js'), join(dir, 'extension.js'));
  // Inside the harness's own folder, so VS Code attributes their `require('vscode')` to it.
  cpSync(join(built, 'suites'), join(dir, 'suites'), { recursive: true });
  return { id: `${pkg.publisher}.${pkg.name}`, from: dir };
}

/**
 * Installs test/e2e/fixtures/python-api-stub as `ms-python.python`: a stand-in with the
 * Python extension's environments API shape (the real one cannot be downloaded here).
 * It reports MLOPS_E2E_STUB_PYTHON (set in code-server's env) as the selected interpreter.
 * @param {Profile} profile
 * @param {string} repoRoot
 */
export function installPythonStub(profile, repoRoot) {
  const src = join(repoRoot, 'test', 'e2e', 'fixtures', 'python-api-stub');
  const pkg = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8'));
  const dir = join(profile.extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  cpSync(src, dir, { recursive: true });
  return { id: `${pkg.publisher}.${pkg.name}`, from: dir };
}
