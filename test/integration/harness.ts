// Finds the real components that scripts/components/up.sh started (components.json).
// A suite whose component is missing prints why and skips; with
// MLOPS_REQUIRE_INTEGRATION=1 (CI) the missing component fails the suite instead.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';

export interface DockerComponent {
  socketPath: string;
  image: string;
}

export interface SshComponent {
  host: string;
  port: number;
  username: string;
  privateKeyPath: string;
  /** Lists the `ssh` server's key only; `sshAlt` is the same host with another key. */
  knownHostsPath: string;
  hostKeyFingerprint: string;
  /** The engine `docker system dial-stdio` reaches on the server; null when docker is not up. */
  dockerHost: string | null;
}

interface Components {
  stateDir?: string;
  docker?: DockerComponent;
  ssh?: SshComponent;
  sshAlt?: SshComponent;
  /** Why up.sh left a component out. */
  unavailable?: Partial<Record<ComponentName, string>>;
}

export type ComponentName = 'docker' | 'ssh' | 'sshAlt';

export const stateDir = process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test';
export const repoRoot = path.resolve(__dirname, '../..');
export const testLabels = { 'mlops.test': '1' };
const componentsFile = path.join(stateDir, 'components.json');

function readComponents(): Components | undefined {
  return existsSync(componentsFile) ? (JSON.parse(readFileSync(componentsFile, 'utf8')) as Components) : undefined;
}

/** Skips (or, in CI, fails) the current suite when `why` is set. */
export function requireOrSkip(ctx: Mocha.Context, why: string | undefined): void {
  if (!why) return;
  if (process.env.MLOPS_REQUIRE_INTEGRATION === '1') {
    throw new Error(`required integration component missing: ${why}`);
  }
  console.log(`      skipped: ${why}`);
  ctx.skip();
}

export function requireComponent<K extends ComponentName>(ctx: Mocha.Context, name: K): NonNullable<Components[K]> {
  const all = readComponents();
  const c = all?.[name];
  const why = !all
    ? `${name}: ${componentsFile} not found (start the components with bash scripts/components/up.sh)`
    : `${name}: ${all.unavailable?.[name] ?? 'not running (start it with bash scripts/components/up.sh)'}`;
  requireOrSkip(ctx, c ? undefined : why);
  return c as NonNullable<Components[K]>;
}

/** Tools of the peers' venv (.venv-peers, made by scripts/setup/peers.sh). */
export function requirePeer(ctx: Mocha.Context, tool: 'python' | 'mlflow' | 'dvc'): string {
  const bin = path.join(repoRoot, '.venv-peers', 'bin', tool);
  requireOrSkip(ctx, existsSync(bin) ? undefined : `${bin} is missing (run bash scripts/setup/peers.sh)`);
  return bin;
}

/** The key bytes a known_hosts file lists for host:port (plain entries only, not hashed ones). */
export function knownHostKey(file: string, host: string, port: number): Buffer | undefined {
  const name = port === 22 ? host : `[${host}]:${port}`;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [hosts, , key] = line.trim().split(/\s+/);
    if (hosts && key && !hosts.startsWith('#') && hosts.split(',').includes(name)) return Buffer.from(key, 'base64');
  }
  return undefined;
}

/**
 * An ssh2 hostVerifier accepting only the key known_hosts lists for `as` (by default the
 * server itself): a test can present one server under another's name.
 */
export function hostVerifier(ssh: SshComponent, as: { host: string; port: number } = ssh): (key: Buffer) => boolean {
  const expected = knownHostKey(ssh.knownHostsPath, as.host, as.port);
  return (key: Buffer) => expected !== undefined && key.equals(expected);
}

/** dockerode over SSH with the test key, the server's host key checked against known_hosts (as `knownAs`). */
export function dockerOverSsh(ssh: SshComponent, knownAs: { host: string; port: number } = ssh): Docker {
  return new Docker({
    protocol: 'ssh',
    host: ssh.host,
    port: ssh.port,
    username: ssh.username,
    sshOptions: { privateKey: readFileSync(ssh.privateKeyPath), hostVerifier: hostVerifier(ssh, knownAs), readyTimeout: 20000 },
  });
}

/** Splits the logs of a non-TTY container: frames of an 8-byte header (stream, 0, 0, 0, size32be) + payload. */
export function demuxDockerLogs(raw: Buffer): { stdout: string; stderr: string } {
  const out: Record<number, Buffer[]> = { 1: [], 2: [] };
  let i = 0;
  while (i + 8 <= raw.length) {
    const size = raw.readUInt32BE(i + 4);
    if (i + 8 + size > raw.length) throw new Error(`truncated docker log frame at byte ${i}`);
    out[raw[i]]?.push(raw.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  if (i !== raw.length) throw new Error(`docker logs are not multiplexed (${raw.length - i} stray bytes)`);
  return { stdout: Buffer.concat(out[1]).toString('utf8'), stderr: Buffer.concat(out[2]).toString('utf8') };
}

/** Removes every container labelled by the tests (a suite's `after`, so none outlive a failed test). */
export async function removeTestContainers(docker: Docker): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: ['mlops.test=1'] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
}

/** Resolves when `cond` holds; polls instead of sleeping a fixed time. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
