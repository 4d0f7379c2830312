// A Workspaces refresh over SSH = our containers (by label) + the GPU inventory with who
// holds each GPU (one batched shell command). Ours: one
// reused ssh2 connection, Docker over `docker system dial-stdio` channels of it and
// nvidia-smi on the connection's long-lived shell (no new SSH session per probe). The peer
// a user would otherwise script: the docker CLI over ssh:// plus OpenSSH's ssh running
// nvidia-smi, each refresh starting both afresh (the two halves run concurrently on both
// sides). Needs the components of scripts/components/up.sh.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';
import { root } from '../scripts/lib.mjs';
import { atMost, faster, notMeasured, result } from './lib/verdict.mjs';

const REFRESHES = 20;
const state = process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test';
const componentsFile = join(state, 'components.json');
const ssh = existsSync(componentsFile) ? JSON.parse(readFileSync(componentsFile, 'utf8')).ssh : undefined;
if (!ssh?.dockerHost) {
  notMeasured('hosts-refresh', `no ssh+docker component in ${componentsFile}; run bash scripts/components/up.sh`);
  process.exit(1);
}

// The core is CommonJS TypeScript: load it through tsx's require hook.
register();
const require = createRequire(import.meta.url);
const { SshHostConnection, knownHostsFile } = require(join(root, 'src/core/hosts/hostConnection.ts'));
const { listWorkspaces, probeGpus } = require(join(root, 'src/core/hosts/workspaces.ts'));
const { GPU_PROBE_ARGV } = require(join(root, 'src/core/hosts/gpuProbe.ts'));
const { shellJoin } = require(join(root, 'src/core/hosts/shellQuote.ts'));
const { WORKSPACE_LABEL } = require(join(root, 'src/core/hosts/workspaceSpec.ts'));

const sshArgs = ['-i', ssh.privateKeyPath, '-o', `UserKnownHostsFile=${ssh.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-F', '/dev/null'];

function run(/** @type {string[]} */ argv, env = process.env) {
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

// The docker CLI runs plain `ssh`: a wrapper first on its PATH adds our key and known_hosts.
const shim = mkdtempSync(join(tmpdir(), 'mlops-bench-ssh-'));
writeFileSync(join(shim, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh ${sshArgs.map((a) => `'${a}'`).join(' ')} "$@"\n`);
chmodSync(join(shim, 'ssh'), 0o755);
/** @type {NodeJS.ProcessEnv} */
const cliEnv = { ...process.env, PATH: `${shim}:${process.env.PATH}` };
delete cliEnv.DOCKER_HOST;

async function cliRefresh() {
  const [ps, gpu] = await Promise.all([
    run(['docker', '-H', `ssh://${ssh.username}@${ssh.host}:${ssh.port}`, 'ps', '-a', '--filter', `label=${WORKSPACE_LABEL}=1`, '--format', '{{json .}}'], cliEnv),
    // The same GPU probe as ours (GPUs, their processes, each process's cgroup): one ssh command.
    run(['ssh', ...sshArgs, '-p', String(ssh.port), `${ssh.username}@${ssh.host}`, shellJoin(GPU_PROBE_ARGV)]),
  ]);
  if (ps.code !== 0) throw new Error(`docker -H ssh:// failed: ${ps.err}`);
  if (gpu.code !== 0 || !gpu.out.includes('@@mlops-gpu gpus')) throw new Error(`ssh GPU probe failed (${gpu.code}): ${gpu.err}`);
  return ps.out.split('\n').filter(Boolean).length;
}

async function timeIt(/** @type {string} */ label, /** @type {() => Promise<number>} */ refresh) {
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < REFRESHES; i++) n = await refresh();
  const ms = performance.now() - t0;
  console.log(`${label}: ${REFRESHES} refreshes in ${ms.toFixed(0)} ms (${(ms / REFRESHES).toFixed(0)} ms each, ${n} workspaces listed)`);
  return ms;
}

/**
 * Round trips a refresh waits for, counted by latency: the same refresh through a local
 * TCP relay that holds every chunk `delayMs` in each direction costs one extra
 * 2 × `delayMs` per round trip on its critical path (what a distant host makes the user
 * wait for); the extra time over direct refreshes, divided by that, is the count.
 * Both sides use one connection, made before the timed refreshes.
 * @param {number} delayMs
 */
async function countRoundTrips(delayMs) {
  const relay = createServer((client) => {
    const server = connect(ssh.port, ssh.host);
    const pipe = (/** @type {import('node:net').Socket} */ from, /** @type {import('node:net').Socket} */ to) => {
      from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
      from.on('end', () => setTimeout(() => to.end(), delayMs));
      from.on('error', () => to.destroy());
    };
    pipe(client, server);
    pipe(server, client);
  });
  await new Promise((resolve) => relay.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = relay.address();
  const relayPort = typeof address === 'object' && address ? address.port : 0;
  const knownHosts = readFileSync(ssh.knownHostsPath, 'utf8');
  /** @param {number} port */
  const connection = (port) =>
    new SshHostConnection({
      host: ssh.host,
      port,
      username: ssh.username,
      privateKey: readFileSync(ssh.privateKeyPath),
      // The relay's port names the same host: its known_hosts line, under that port.
      hostKeys: { label: 'bench', read: async () => knownHosts.split(`[${ssh.host}]:${ssh.port}`).join(`[${ssh.host}]:${port}`), confirmUnknown: async () => false, remember: async () => undefined },
    });
  const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  /** @param {any} conn */
  const refreshTimes = async (conn) => {
    const docker = conn.docker();
    const once = async () => {
      const t = performance.now();
      const [, gpus] = await Promise.all([listWorkspaces(docker), probeGpus(conn)]);
      if (gpus.kind === 'error') throw new Error(gpus.message);
      return performance.now() - t;
    };
    await once(); // the connection, its first channel and shell
    const times = [];
    for (let i = 0; i < 7; i++) times.push(await once());
    conn.dispose();
    return median(times);
  };
  try {
    const direct = await refreshTimes(connection(ssh.port));
    const delayed = await refreshTimes(connection(relayPort));
    return { direct, delayed, roundTrips: (delayed - direct) / (2 * delayMs) };
  } finally {
    relay.close();
  }
}

try {
  const conn = new SshHostConnection({
    host: ssh.host,
    port: ssh.port,
    username: ssh.username,
    privateKey: readFileSync(ssh.privateKeyPath),
    hostKeys: knownHostsFile(ssh.knownHostsPath, async () => false),
  });
  const docker = conn.docker();
  // Ours includes its first connect (handshake and the first dial-stdio) in the total.
  const ours = await timeIt('ours (one reused ssh2 connection)', async () => {
    const [ws, gpus] = await Promise.all([listWorkspaces(docker), probeGpus(conn)]);
    if (gpus.kind === 'error') throw new Error(gpus.message);
    return ws.length;
  });
  conn.dispose();
  const cli = await timeIt('docker CLI over ssh:// + OpenSSH nvidia-smi', cliRefresh);
  const DELAY_MS = 40;
  const trips = await countRoundTrips(DELAY_MS);
  console.log(`round trips: a refresh on the open connection takes ${trips.direct.toFixed(0)} ms direct, ${trips.delayed.toFixed(0)} ms through a relay adding ${2 * DELAY_MS} ms per round trip (medians of 7): ${trips.roundTrips.toFixed(2)} round trips`);
  result(
    `hosts-refresh: SSH round trips per Workspaces refresh (on the open connection)`,
    `${trips.roundTrips.toFixed(1)} round trips: ${trips.direct.toFixed(0)} ms direct vs ${trips.delayed.toFixed(0)} ms with ${2 * DELAY_MS} ms added per round trip`,
    [atMost('round trips per refresh', trips.roundTrips, 2, '')],
  );
  result(
    `hosts-refresh: ${REFRESHES} Workspaces refreshes over SSH (containers + GPUs)`,
    `ours ${(ours / REFRESHES).toFixed(0)} ms each vs docker CLI over ssh:// + ssh ${(cli / REFRESHES).toFixed(0)} ms each`,
    // Issue 21 raised the goal from 5× to 20×.
    [faster(cli / ours, 20, 'vs docker CLI + ssh')],
  );
} finally {
  rmSync(shim, { recursive: true, force: true });
}
