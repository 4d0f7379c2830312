// A Workspaces refresh over SSH = our containers (by label) + the GPU inventory with who
// holds each GPU (one batched shell command). Ours: one
// reused ssh2 connection, Docker over `docker system dial-stdio` channels of it and
// nvidia-smi on the connection's long-lived shell (no new SSH session per probe). The peer
// a user would otherwise script: the docker CLI over ssh:// plus OpenSSH's ssh running
// nvidia-smi, each refresh starting both afresh (the two halves run concurrently on both
// sides). Needs the components of scripts/components/up.sh.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { core, load, opensshArgs, opensshTarget, requireComponents, run, sshConnection, timeRefreshes } from './lib/sshBench.mjs';
import { faster, result } from './lib/verdict.mjs';

const REFRESHES = 20;
const { ssh } = requireComponents('hosts-refresh', ['ssh'], (c) => (c.ssh.dockerHost ? undefined : 'the ssh component has no Docker (dockerHost); run bash scripts/components/up.sh'));

const { listWorkspaces, probeGpus } = core('src/core/hosts/workspaces.ts');
const { GPU_PROBE_ARGV } = core('src/core/hosts/gpuProbe.ts');
const { shellJoin } = core('src/core/hosts/shellQuote.ts');
const { WORKSPACE_LABEL } = core('src/core/hosts/workspaceSpec.ts');

const sshArgs = opensshArgs(ssh);

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
    run(['ssh', ...sshArgs, ...opensshTarget(ssh), shellJoin(GPU_PROBE_ARGV)]),
  ]);
  if (ps.code !== 0) throw new Error(`docker -H ssh:// failed: ${ps.err}`);
  if (gpu.code !== 0 || !gpu.out.includes('@@mlops-gpu gpus')) throw new Error(`ssh GPU probe failed (${gpu.code}): ${gpu.err}`);
  return ps.out.split('\n').filter(Boolean).length;
}

const workspacesListed = (/** @type {number} */ n) => `${n} workspaces listed`;
try {
  const conn = sshConnection(ssh);
  const docker = conn.docker();
  // Ours includes its first connect (handshake and the first dial-stdio) in the total.
  const ours = await timeRefreshes('ours (one reused ssh2 connection)', REFRESHES, async () => {
    const [ws, gpus] = await Promise.all([listWorkspaces(docker), probeGpus(conn)]);
    if (gpus.kind === 'error') throw new Error(gpus.message);
    return ws.length;
  }, workspacesListed);
  conn.dispose();
  const cli = await timeRefreshes('docker CLI over ssh:// + OpenSSH nvidia-smi', REFRESHES, cliRefresh, workspacesListed);
  result(
    `hosts-refresh: ${REFRESHES} Workspaces refreshes over SSH (containers + GPUs)`,
    `ours ${(ours / REFRESHES).toFixed(0)} ms each vs docker CLI over ssh:// + ssh ${(cli / REFRESHES).toFixed(0)} ms each; load ${load()}`,
    // Issue 21 raised the goal from 5× to 20×.
    [faster(cli / ours, 20, 'vs docker CLI + ssh')],
  );
} finally {
  rmSync(shim, { recursive: true, force: true });
}
