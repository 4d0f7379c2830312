// *Open Shell on Job Node*: OpenSSH's client in a VS Code terminal, logged in to the
// cluster's login host as the host layer knows it (address, port, user, keys, ProxyJump,
// the known_hosts file of MLOps › SSH), running `srun --jobid ID --overlap --pty bash`, a
// step inside the job's own allocation on its node. No `vscode` here: the integration test
// runs exactly this argv against the test cluster.
import { shellJoin } from '../../core/hosts/shellQuote';
import type { SshHost } from '../../core/hosts/sshConfig';

/** The job's unique numeric id (an array task has its own): the only thing of the job in the remote command. */
const JOB_ID = /^\d+$/;

const target = (user: string | undefined, host: string, port: number) => `${user ? `${user}@` : ''}${host.includes(':') ? `[${host}]` : host}:${port}`;

/** `ssh` and its arguments; `-tt`: a terminal on the far side even where ours is not one. */
export function jobShellArgv(host: SshHost, jobId: string, knownHostsFile: string): string[] {
  if (!JOB_ID.test(jobId)) throw new Error(`"${jobId}" is not a Slurm job id`);
  const args = ['-tt', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHostsFile}`, '-o', 'StrictHostKeyChecking=yes', '-p', String(host.port)];
  for (const f of host.identityFiles) args.push('-i', f);
  if (host.identitiesOnly) args.push('-o', 'IdentitiesOnly=yes');
  if (host.proxyJump.length) args.push('-J', host.proxyJump.map((j) => target(j.user, j.hostName, j.port).replace(/:22$/, '')).join(','));
  if (host.user) args.push('-l', host.user);
  // One remote command line (ssh sends a string); its words are quoted all the same.
  args.push('--', host.hostName, shellJoin(['srun', '--jobid', jobId, '--overlap', '--pty', 'bash']));
  return ['ssh', ...args];
}
