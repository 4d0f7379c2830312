// A Jobs view refresh of a Slurm cluster = partitions + my jobs + a history of 200 finished
// jobs. Ours: SlurmBackend.snapshot() on one reused ssh2 connection, one batched remote
// command, parsed once. The peer a user would script: OpenSSH's ssh, one per command
// (sinfo; squeue; sacct — or, on a cluster without slurmdbd, the tail of its completion
// log). Needs the ssh and slurm components of scripts/components/up.sh; makes the 200
// finished jobs once (a job array) when the history has fewer.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';
import { root } from '../scripts/lib.mjs';
import { faster, notMeasured, result } from './lib/verdict.mjs';

const REFRESHES = 10;
const HISTORY = 200;
const state = process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test';
const componentsFile = join(state, 'components.json');
const components = existsSync(componentsFile) ? JSON.parse(readFileSync(componentsFile, 'utf8')) : {};
const { ssh, slurm } = components;
if (!ssh || !slurm) {
  notMeasured('jobs-refresh', `no ssh and slurm components in ${componentsFile}; run bash scripts/components/up.sh as root`);
  process.exit(1);
}

register();
const require = createRequire(import.meta.url);
const { SshHostConnection, knownHostsFile } = require(join(root, 'src/core/hosts/hostConnection.ts'));
const { SlurmBackend } = require(join(root, 'src/core/jobs/slurm/slurmBackend.ts'));

const sshArgs = ['-i', ssh.privateKeyPath, '-o', `UserKnownHostsFile=${ssh.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-F', '/dev/null', '-p', String(ssh.port), `${ssh.username}@${ssh.host}`];

/**
 * @param {string[]} argv
 * @returns {Promise<{ code: number | null, out: string, err: string }>}
 */
function run(argv) {
  return new Promise((resolve, reject) => {
    const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out, err }));
  });
}
const remote = async (/** @type {string} */ command) => {
  const r = await run(['ssh', ...sshArgs, command]);
  if (r.code !== 0) throw new Error(`ssh ${command} failed (${r.code}): ${r.err}`);
  return r.out;
};

// Where the history comes from on this cluster: sacct where slurmdbd runs.
const accounting = (await remote('scontrol show config')).includes('accounting_storage/slurmdbd');
const SACCT = `sacct -u "$(id -un)" -S now-7days --parsable2 --noheader --format=JobID,JobName,User,State,ExitCode,Elapsed,Start,End,MaxRSS,Partition,AllocTRES,Comment`;

// 200 finished jobs of this user in the history: one job array of `true`, once.
const jobcomp = `${state}/slurm/jobcomp.txt`;
const finished = async () =>
  accounting
    ? (await remote(`sacct -u "$(id -un)" -S now-7days -X -n -P -o State -s CD,F,CA,TO,OOM,NF,PR`)).split('\n').filter(Boolean).length
    : existsSync(jobcomp)
      ? readFileSync(jobcomp, 'utf8').split('\n').filter((l) => l.includes(`UserId=${ssh.username}(`)).length
      : 0;
if ((await finished()) < HISTORY) {
  console.log(`making ${HISTORY} finished jobs (a job array; about a minute and a half on 2 CPUs)`);
  const id = (await remote(`cd /tmp && sbatch --parsable -J bench-history --array=0-${HISTORY - 1} -o /dev/null --wrap true`)).trim();
  while ((await remote(`squeue -h -j ${id}`)).trim()) await new Promise((r) => setTimeout(r, 1000));
}

async function peerRefresh() {
  const parts = await remote('sinfo -h -N -o "%N|%P|%a|%l|%T|%G|%C|%m"');
  const jobs = await remote('squeue -h -u "$(id -un)" --states=all -o "%i|%j|%u|%T|%r|%P|%D|%N|%M|%l|%b|%k"');
  const hist = accounting ? await remote(SACCT) : await remote(`tail -n ${HISTORY} "$(scontrol show config | sed -n 's/^JobCompLoc *= *//p')"`);
  // sacct: a row per job and per step; the jobs are the rows without a step suffix.
  const rows = hist.split('\n').filter(Boolean);
  return { partitions: parts.split('\n').filter(Boolean).length, jobs: jobs.split('\n').filter(Boolean).length, history: accounting ? rows.filter((r) => !r.split('|')[0].includes('.')).length : rows.length };
}

/**
 * @param {string} label
 * @param {() => Promise<unknown>} refresh
 */
async function timeIt(label, refresh) {
  const t0 = performance.now();
  let n;
  for (let i = 0; i < REFRESHES; i++) n = await refresh();
  const ms = performance.now() - t0;
  console.log(`${label}: ${REFRESHES} refreshes in ${ms.toFixed(0)} ms (${(ms / REFRESHES).toFixed(0)} ms each; ${JSON.stringify(n)})`);
  return ms;
}

const conn = new SshHostConnection({
  host: ssh.host,
  port: ssh.port,
  username: ssh.username,
  privateKey: readFileSync(ssh.privateKeyPath),
  hostKeys: knownHostsFile(ssh.knownHostsPath, async () => false),
});
const backend = new SlurmBackend((/** @type {string[]} */ argv, /** @type {any} */ opts) => conn.exec(argv, opts));
try {
  // Ours includes its first connect (the handshake) in the total.
  const ours = await timeIt('ours (one ssh2 connection, one batched command)', async () => {
    const s = await backend.snapshot({ historyLimit: HISTORY });
    if (s.warnings.length) throw new Error(JSON.stringify(s.warnings));
    if (s.historySource !== (accounting ? 'sacct' : 'jobcomp')) throw new Error(`history from ${s.historySource}`);
    return { partitions: s.partitions.length, jobs: s.jobs.length, history: s.history.length };
  });
  const peer = await timeIt('OpenSSH, one ssh per command', peerRefresh);
  const source = accounting ? 'sacct' : 'the completion log';
  result(
    `jobs-refresh: ${REFRESHES} Jobs refreshes (partitions + my jobs + ${HISTORY} finished from ${source}) over SSH`,
    `ours ${(ours / REFRESHES).toFixed(0)} ms each vs one ssh per command (sinfo; squeue; ${accounting ? 'sacct' : 'tail of the log'}) ${(peer / REFRESHES).toFixed(0)} ms each`,
    [faster(peer / ours, 5, 'vs one ssh per command')],
  );
} finally {
  conn.dispose();
}
