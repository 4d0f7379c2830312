// One call from a built repo to a running code-server with our extension installed:
// used by the E2E runner (with the harness) and by scripts/demo.mjs (for a human).
import { rmSync } from 'node:fs';
import { folderUrl, startCodeServer } from './codeServer.mjs';
import { createProfile, installExtension, installHarness, installPythonStub } from './profile.mjs';

/**
 * Installs our extension (from dist/, or `vsix`) into a fresh profile and starts
 * code-server on a free loopback port.
 * @param {{ repoRoot: string, folder: string, vsix?: string, harness?: boolean,
 *           pythonStub?: boolean, env?: Record<string, string>, settings?: object, keepProfile?: boolean }} opts
 *   `pythonStub`: also install the test-only ms-python.python stand-in (fixtures/python-api-stub).
 * @returns {Promise<{ url: string, baseUrl: string, profile: import('./profile.mjs').Profile, logFile: string,
 *           extension: { id: string, from: string, dir: string }, exited: Promise<unknown>,
 *           stop: (opts?: { keepProfile?: boolean }) => Promise<void> }>}
 *   `url` opens `folder`; `stop()` ends code-server and removes the profile unless kept.
 */
export async function openInCodeServer(opts) {
  const profile = createProfile(undefined, opts.settings);
  // The harness first: installing a .vsix writes extensions.json, and VS Code then loads
  // only what that lists, which includes folders already there when it is first written.
  if (opts.harness) installHarness(profile, opts.repoRoot);
  if (opts.pythonStub) installPythonStub(profile, opts.repoRoot);
  const extension = installExtension(profile, opts.repoRoot, opts.vsix);
  let server;
  try {
    server = await startCodeServer({
      repoRoot: opts.repoRoot,
      userDataDir: profile.userDataDir,
      extensionsDir: profile.extensionsDir,
      env: opts.env,
    });
  } catch (err) {
    if (!opts.keepProfile) rmSync(profile.root, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    url: folderUrl(server.url, opts.folder),
    baseUrl: server.url,
    profile,
    extension,
    logFile: server.logFile,
    exited: server.exited,
    async stop({ keepProfile = opts.keepProfile } = {}) {
      if (stopped) return;
      stopped = true;
      await server.stop();
      if (!keepProfile) rmSync(profile.root, { recursive: true, force: true });
    },
  };
}
