// What the benchmarks over the test sshd share: the components scripts/components/up.sh
// wrote (components.json), the core's TypeScript loaded through tsx's require hook, our
// ssh2 connection to the test sshd, OpenSSH's command line for the peer side, a child
// process's output, and timing a series of refreshes.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/cjs/api';
import { root } from '../../scripts/lib.mjs';
import { notMeasured } from './verdict.mjs';

/** Where the test components keep their state. */
export const state = process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test';

/**
 * @typedef {object} SshComponent
 * @property {string} host
 * @property {number} port
 * @property {string} username
 * @property {string} privateKeyPath
 * @property {string} knownHostsPath
 * @property {string} [dockerHost]
 */

/**
 * The components a bench needs, from components.json; when one is missing the bench says
 * NOT MEASURED with the reason and exits.
 * @param {string} bench   the bench's name in its RESULT line
 * @param {string[]} needs component names (`ssh`, `slurm`, ...)
 * @param {(c: Record<string, any>) => string | undefined} [check] a further reason it cannot measure
 * @returns {Record<string, any> & { ssh: SshComponent }}
 */
export function requireComponents(bench, needs, check) {
  const file = join(state, 'components.json');
  const components = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const missing = needs.filter((n) => !components[n]);
  const why = missing.length ? `no ${missing.join(' and ')} component in ${file}; run bash scripts/components/up.sh as root` : check?.(components);
  if (why) {
    notMeasured(bench, why);
    process.exit(1);
  }
  return components;
}

register();
const require = createRequire(import.meta.url);

/**
 * A module of the core (TypeScript, CommonJS) by its path from the repository root.
 * @param {string} path  e.g. `src/core/jobs/slurm/slurmBackend.ts`
 * @returns {any}
 */
export function core(path) {
  return require(join(root, path));
}

/**
 * Our connection to the test sshd, as the extension makes it (host key checked against the
 * test known_hosts): the integration harness's own, so the benches and tests connect alike.
 * @param {SshComponent} ssh
 * @returns {any} an SshHostConnection
 */
export function sshConnection(ssh) {
  return core('test/integration/harness.ts').sshTestHost(ssh);
}

/**
 * OpenSSH's options for the test sshd (key, known_hosts, no config file), without the port
 * and destination: `opensshArgs(ssh)` for a wrapper, `[...opensshArgs(ssh), ...opensshTarget(ssh)]` to run a command.
 * @param {SshComponent} ssh
 */
export function opensshArgs(ssh) {
  return ['-i', ssh.privateKeyPath, '-o', `UserKnownHostsFile=${ssh.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-F', '/dev/null'];
}

/** @param {SshComponent} ssh */
export function opensshTarget(ssh) {
  return ['-p', String(ssh.port), `${ssh.username}@${ssh.host}`];
}

/**
 * A child process's exit status and output.
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Promise<{ code: number | null, out: string, err: string }>}
 */
export function run(argv, env = process.env) {
  return new Promise((resolve, reject) => {
    const p = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

/**
 * A command on the test sshd through OpenSSH, one ssh each (as a user's script runs it); its stdout.
 * @param {SshComponent} ssh
 * @param {string} command
 */
export async function openssh(ssh, command) {
  const r = await run(['ssh', ...opensshArgs(ssh), ...opensshTarget(ssh), command]);
  if (r.code !== 0) throw new Error(`ssh ${command} failed (${r.code}): ${r.err}`);
  return r.out;
}

/**
 * Runs `refresh` `count` times one after another and prints the time; returns the total in ms.
 * @template T
 * @param {string} label
 * @param {number} count
 * @param {() => Promise<T>} refresh
 * @param {(last: T) => string} [describe] what the last refresh read, for the log line
 */
export async function timeRefreshes(label, count, refresh, describe = (last) => JSON.stringify(last)) {
  const t0 = performance.now();
  /** @type {T | undefined} */
  let last;
  for (let i = 0; i < count; i++) last = await refresh();
  const ms = performance.now() - t0;
  console.log(`${label}: ${count} refreshes in ${ms.toFixed(0)} ms (${(ms / count).toFixed(0)} ms each; ${describe(/** @type {T} */ (last))})`);
  return ms;
}

/** The load average now, as the README's figures quote it: `1.2 / 0.9 / 0.7`. */
export function load() {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
}
