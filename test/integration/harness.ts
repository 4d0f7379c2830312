// Finds the real components that scripts/components/up.sh started (components.json).
// A suite whose component is missing prints why and skips; with
// MLOPS_REQUIRE_INTEGRATION=1 (CI) the missing component fails the suite instead.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { knownHostsFile, LocalHostConnection, SshHostConnection, type HostConnection } from '../../src/core/hosts/hostConnection';
import { containerCreateOptions, type LaunchProfile } from '../../src/core/hosts/workspaceSpec';
import type { RayJob } from '../../src/core/jobs/ray/rayJobs';
import { SlurmBackend } from '../../src/core/jobs/slurm/slurmBackend';
import { sftpRemoteFs, type RemoteFs } from '../../src/core/jobs/sync/remoteFs';
import type { ClusterJob, RunPlan } from '../../src/core/jobs/types';

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

/** The one-node Slurm cluster of scripts/components/slurm.sh; the test sshd's SLURM_CONF names it. */
export interface SlurmComponent {
  conf: string;
  node: string;
  /** The default partition. */
  partition: string;
  gres: string;
  cpus: number;
  /** `slurmdbd` when job accounting runs (sacct answers); absent from an older up.sh. */
  accounting?: 'slurmdbd' | 'none';
}

/** An OS user of the test sshd's machine with a key of its own (scripts/components/up.sh). */
export interface SshUser {
  username: string;
  privateKeyPath: string;
}

interface Components {
  stateDir?: string;
  docker?: DockerComponent;
  ssh?: SshComponent;
  sshAlt?: SshComponent;
  slurm?: SlurmComponent;
  /** Teammates on the `ssh` server: OS users alice and bob in the engine's docker group. */
  sshUsers?: Record<'alice' | 'bob', SshUser>;
  /** Written by scripts/components/ray.sh up (not up.sh). */
  ray?: Omit<RayComponent, 'rayBin' | 'startedHere'>;
  /** Why up.sh left a component out (`slurmdbd`: the cluster runs without accounting). */
  unavailable?: Partial<Record<ComponentName | 'slurmdbd', string>>;
}

export type ComponentName = 'docker' | 'ssh' | 'sshAlt' | 'slurm' | 'sshUsers';

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

/** Why the test Slurm has no job accounting, as up.sh recorded it; undefined when it has or may have. */
export function accountingMissing(slurm: SlurmComponent): string | undefined {
  // Absent: an up.sh of another checkout wrote components.json; the suite asks the cluster itself.
  if (slurm.accounting !== 'none') return undefined;
  return `slurmdbd: ${readComponents()?.unavailable?.slurmdbd ?? 'the test Slurm runs without accounting (run bash scripts/components/up.sh as root, with slurmdbd and mariadb-server installed)'}`;
}

/**
 * Runs `body` with the test Slurm's slurmctld stopped (by its pid file, SIGTERM, waited
 * for), then starts it again with scripts/components/slurm.sh, whatever `body` did: other
 * suites share the cluster.
 */
export async function withSlurmctldDown<T>(slurm: SlurmComponent, body: () => Promise<T>): Promise<T> {
  const pid = Number(readFileSync(path.join(path.dirname(slurm.conf), 'slurmctld.pid'), 'utf8'));
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  process.kill(pid, 'SIGTERM');
  try {
    await waitFor(() => !alive(), 20000, 'slurmctld to stop');
    return await body();
  } finally {
    execFileSync('bash', [path.join(repoRoot, 'scripts/components/slurm.sh'), 'up'], { stdio: 'ignore', timeout: 120000 });
  }
}

/** A suite on the real Slurm over the test sshd: what its tests share, filled in by `slurmSuite`'s `before`. */
export interface SlurmSuite {
  ssh: SshComponent;
  slurm: SlurmComponent;
  conn: SshHostConnection;
  backend: SlurmBackend;
  /** SFTP over `conn`, as the code sync and the results fetch use it. */
  fs: RemoteFs;
  /** The suite's own folder on the cluster (a sync with `createRoot` makes it); removed after the suite. */
  remote: string;
  /** Job ids cancelled after the suite, so a failed test leaves none running. */
  submitted: string[];
  /** Submits `plan` as the views do and remembers the job for the `after`. */
  submit(plan: RunPlan): Promise<string>;
  /** Polls the job list until `pred` holds for job `id`; the timeout message names the state last seen. */
  jobUntil(id: string, pred: (j: ClusterJob) => boolean, what: string, ms?: number): Promise<ClusterJob>;
  /** Polls until job `id` ended (neither pending, running nor completing). */
  jobEnded(id: string, ms?: number): Promise<ClusterJob>;
}

const SLURM_ACTIVE = new Set(['pending', 'running', 'completing']);

/**
 * Declares the `before` and `after` every real-Slurm suite needs, in its describe, before
 * its own hooks (mocha runs them in order, so the suite's `before` finds the connection up):
 * skips (fails in CI) without the test sshd or Slurm; connects with the test key, opens
 * SFTP, and names a remote folder `/tmp/mlops-test/slurm-jobs/<prefix>-<pid>-<random>`.
 * Afterwards it cancels the jobs submitted through it (or pushed onto `submitted`) and
 * removes that folder, whatever the tests did.
 */
export function slurmSuite(prefix: string): SlurmSuite {
  const submitted: string[] = [];
  const s = { submitted, remote: '' } as Partial<SlurmSuite> & Pick<SlurmSuite, 'submitted' | 'remote'>;
  const jobUntil = async (id: string, pred: (j: ClusterJob) => boolean, what: string, ms = 240000): Promise<ClusterJob> => {
    let last: ClusterJob | undefined;
    await waitFor(async () => ((last = (await s.backend!.listJobs()).find((j) => j.id === id)), last !== undefined && pred(last)), ms, `job ${id} ${what} (last seen: ${last?.raw ?? 'absent'})`);
    return last!;
  };
  Object.assign(s, {
    jobUntil,
    jobEnded: (id: string, ms?: number) => jobUntil(id, (j) => !SLURM_ACTIVE.has(j.state), 'to end', ms),
    submit: async (plan: RunPlan) => {
      const { jobId } = await s.backend!.submit(plan);
      submitted.push(jobId);
      return jobId;
    },
  });
  before(async function () {
    s.ssh = requireComponent(this, 'ssh');
    s.slurm = requireComponent(this, 'slurm');
    const conn = sshTestHost(s.ssh);
    s.conn = conn;
    s.backend = new SlurmBackend((argv, opts) => conn.exec(argv, opts));
    s.fs = sftpRemoteFs(await conn.sftp());
    s.remote = `/tmp/mlops-test/slurm-jobs/${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
  });
  after(async function () {
    this.timeout(60000);
    const conn = s.conn;
    if (submitted.length && conn) await conn.exec(['scancel', ...submitted]).catch(() => undefined);
    if (s.remote && conn) await conn.exec(['rm', '-rf', '--', s.remote]).catch(() => undefined);
    s.fs?.close();
    conn?.dispose();
  });
  return s as SlurmSuite;
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

/** The label a suite gives its own containers, so its cleanup removes only those. */
export const OWNER_LABEL = 'mlops.test.owner';

/** The test label plus an owner unique to this run of one suite (`prefix`). */
export function ownerLabels(prefix: string): Record<string, string> {
  return { ...testLabels, [OWNER_LABEL]: `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}` };
}

/** Keeps a workspace running until it is removed; SIGTERM ends it at once. */
export const IDLE_COMMAND = ['sh', '-c', 'trap "exit 0" TERM; sleep 300 & wait'];

/** The test engine through its local socket. */
export function localTestHost(docker: DockerComponent): LocalHostConnection {
  return new LocalHostConnection({ endpoint: { socketPath: docker.socketPath } });
}

/** The test sshd with the test key; a host key that known_hosts does not list is refused. */
export function sshTestHost(ssh: SshComponent): SshHostConnection {
  return new SshHostConnection({
    host: ssh.host,
    port: ssh.port,
    username: ssh.username,
    privateKey: readFileSync(ssh.privateKeyPath),
    hostKeys: knownHostsFile(ssh.knownHostsPath, async () => false),
  });
}

/** The test sshd as another OS user of its machine, with that user's own key. */
export function sshTestHostAs(ssh: SshComponent, user: SshUser): SshHostConnection {
  return sshTestHost({ ...ssh, username: user.username, privateKeyPath: user.privateKeyPath });
}

/**
 * Creates and starts a workspace container through `conn`, labelled `labels`; it publishes
 * no ports and idles unless `profile` says otherwise. `hostNetwork`: the test engine has
 * no bridge network, so a port is reachable only on the host's network.
 */
export async function startTestWorkspace(
  conn: HostConnection,
  labels: Record<string, string>,
  profile: Partial<LaunchProfile> & { image: string },
  opts: { hostNetwork?: boolean } = {},
): Promise<Docker.Container> {
  const create = containerCreateOptions({ ports: [], command: IDLE_COMMAND, ...profile }, labels);
  if (opts.hostNetwork) create.HostConfig!.NetworkMode = 'host';
  const container = await conn.docker().createContainer(create);
  await container.start();
  return container;
}

/**
 * Declares `contract` twice: on the test engine's local socket, and on the same engine
 * over the test sshd (`docker system dial-stdio`). Each half skips when its component is missing.
 */
export function onLocalAndSsh(contract: (label: 'local' | 'ssh', connect: () => HostConnection, image: () => string) => void): void {
  let dockerC: DockerComponent;
  let local: LocalHostConnection | undefined;
  before(function () {
    dockerC = requireComponent(this, 'docker');
    local = localTestHost(dockerC);
  });

  describe('local socket', () => contract('local', () => local!, () => dockerC.image));

  describe('over SSH', function () {
    let conn: SshHostConnection | undefined;
    before(async function () {
      conn = sshTestHost(requireComponent(this, 'ssh'));
      await conn.connect();
    });
    contract('ssh', () => conn!, () => dockerC.image);
    // After the contract's own `after` hooks (mocha runs them in order): they remove over this connection.
    after(() => conn?.dispose());
  });
}

/** Resolves when `cond` holds; polls instead of sleeping a fixed time. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The 2-node Ray cluster of scripts/components/ray.sh (started on demand by the Ray suites). */
export interface RayComponent {
  /** `http://127.0.0.1:8266` */
  dashboard: string;
  gcsAddress: string;
  nodes: number;
  /** The custom resource only the second node has. */
  gpuNode: string;
  /** The CLI of the venv the nodes run from (`ray job list`, `ray status`). */
  rayBin: string;
  /** This call started a node: the suite stops the cluster in its `after`. */
  startedHere: boolean;
}

/** Runs scripts/components/ray.sh with `verb`; resolves with its stdout, rejects with its stderr. */
export function rayScript(verb: 'up' | 'down' | 'head-down' | 'head-up', timeoutMs = 180000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [path.join(repoRoot, 'scripts/components/ray.sh'), verb], { timeout: timeoutMs, env: { ...process.env, MLOPS_TEST_STATE: stateDir } }, (err, stdout, stderr) =>
      err ? reject(new Error(`ray.sh ${verb}: ${stderr.trim() || err.message}`)) : resolve(stdout),
    );
  });
}

/**
 * Starts (or reuses) the Ray cluster: it is not part of up.sh (~1.5 GB), so a Ray suite's
 * `before` calls this and its `after` calls `rayScript('down')` when `startedHere`.
 * Skips (fails in CI) without the venv of scripts/setup/ray.sh or when the nodes do not start.
 */
export async function requireRay(ctx: Mocha.Context): Promise<RayComponent> {
  const rayBin = path.join(repoRoot, '.venv-ray', 'bin', 'ray');
  requireOrSkip(ctx, existsSync(rayBin) ? undefined : `ray: ${rayBin} is missing (run bash scripts/setup/ray.sh)`);
  let out = '';
  try {
    out = await rayScript('up');
  } catch (e) {
    requireOrSkip(ctx, e instanceof Error ? e.message : String(e));
  }
  const ray = readComponents()?.ray;
  requireOrSkip(ctx, ray ? undefined : `ray: ray.sh up did not write ${componentsFile}`);
  return { ...ray!, rayBin, startedHere: /^RAY_STARTED=1$/m.test(out) };
}

/**
 * The image with Ray of scripts/setup/ray-image.sh (`local/ray:<the Ray of ray-requirements.txt>`),
 * in the test engine. Skips (fails in CI) when it is not there.
 */
export async function requireRayImage(ctx: Mocha.Context, docker: Docker): Promise<string> {
  const req = readFileSync(path.join(repoRoot, 'scripts/setup/ray-requirements.txt'), 'utf8');
  const version = /^ray\[default\]==([0-9][0-9.]*)/m.exec(req)?.[1];
  const image = `local/ray:${version}`;
  const has = version ? await docker.getImage(image).inspect().then(() => true, () => false) : false;
  requireOrSkip(ctx, has ? undefined : `ray image: ${image} is not in the test engine (run bash scripts/setup/ray-image.sh after scripts/components/up.sh)`);
  return image;
}

/** What a Ray job wait needs of the backend (a type only: suites without Ray load no Ray code). */
interface RayJobReader {
  job(id: string): Promise<RayJob>;
}

/** Polls the job until `pred` holds; the timeout message names the state last seen. */
export async function rayJobUntil(backend: RayJobReader, id: string, pred: (j: RayJob) => boolean, what: string, ms = 120000): Promise<RayJob> {
  let last: RayJob | undefined;
  await waitFor(async () => ((last = await backend.job(id)), pred(last)), ms, `job ${id} ${what} (last seen: ${last?.raw ?? 'absent'})`);
  return last!;
}

/** Ray's terminal job states (SUCCEEDED, FAILED, STOPPED). */
const RAY_ENDED = new Set(['SUCCEEDED', 'FAILED', 'STOPPED']);

/** Polls the job until Ray says it ended (succeeded, failed or stopped). */
export function rayJobEnded(backend: RayJobReader, id: string, ms = 300000): Promise<RayJob> {
  return rayJobUntil(backend, id, (j) => RAY_ENDED.has(j.raw), 'ended', ms);
}

/**
 * The examples project copied to `dest` as a git work tree of its own (files added, not
 * committed) with a nonce file, so its first upload is new to the cluster. What a run makes
 * (data, models, stores, caches) is left out; `keepOutputs` keeps dvclive/ and dvc.lock.
 */
export function examplesGitTree(dest: string, opts: { keepOutputs?: boolean } = {}): string {
  const left = opts.keepOutputs ? /\/(data|mlruns|models|\.dvc\/(cache|tmp))(\/|$)|mlflow\.db$/ : /\/(data|mlruns|models|dvclive|\.dvc\/(cache|tmp))(\/|$)|mlflow\.db$|dvc\.lock$/;
  cpSync(path.join(repoRoot, 'examples'), dest, { recursive: true, filter: (src) => !left.test(src) });
  writeFileSync(path.join(dest, 'nonce.txt'), randomBytes(8).toString('hex'));
  execFileSync('git', ['init', '-q', dest]);
  execFileSync('git', ['-C', dest, 'add', '.']);
  return dest;
}
