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
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';
import { root } from '../scripts/lib.mjs';
import { faster, notMeasured, result } from './lib/verdict.mjs';

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
  result(
    `hosts-refresh: ${REFRESHES} Workspaces refreshes over SSH (containers + GPUs)`,
    `ours ${(ours / REFRESHES).toFixed(0)} ms each vs docker CLI over ssh:// + ssh ${(cli / REFRESHES).toFixed(0)} ms each`,
    // Issue 21 raised the goal from 5× to 20×.
    [faster(cli / ours, 20, 'vs docker CLI + ssh')],
  );
} finally {
  rmSync(shim, { recursive: true, force: true });
}
