// A Jobs view refresh of a Slurm cluster = partitions + my jobs + a history of 200 finished
// jobs, with a long queue (220 jobs of this user held in it). Ours: SlurmBackend.snapshot()
// on one reused ssh2 connection, one batched remote command, parsed once; after its first
// (cold) read the history's ended jobs are kept and sacct lists job rows only
// (core/jobs/slurm/historyCache.ts). The peer a user would script, unchanged each time:
// OpenSSH's ssh, one per command (sinfo; squeue; sacct in full — or, on a cluster without
// slurmdbd, the tail of its completion log). Reported: the cold refresh (a new connection
// and backend: handshake and full read) and the steady state (20 refreshes, one of them
// the periodic full read), each beside the peer. Needs the ssh and slurm components of
// scripts/components/up.sh; makes the 200 finished jobs once (a job array) when the history
// has fewer, and cancels the held jobs at the end.
import { existsSync, readFileSync } from 'node:fs';
import { core, load, openssh, requireComponents, sshConnection, state, timeRefreshes } from './lib/sshBench.mjs';
import { faster, result, sameAnswer } from './lib/verdict.mjs';

const STEADY = 20;
const COLD = 3;
const HISTORY = 200;
const QUEUED = Number(process.env.BENCH_QUEUED ?? 220);
const { ssh } = requireComponents('jobs-refresh', ['ssh', 'slurm']);
const { SlurmBackend } = core('src/core/jobs/slurm/slurmBackend.ts');
const remote = (/** @type {string} */ command) => openssh(ssh, command);

// Where the history comes from on this cluster: sacct where slurmdbd runs.
const accounting = (await remote('scontrol show config')).includes('accounting_storage/slurmdbd');
const SACCT = `sacct -u "$(id -un)" -S now-7days --parsable2 --noheader --format=JobID,JobName,User,State,ExitCode,Elapsed,Start,End,MaxRSS,Partition,AllocTRES,Comment`;

// 200 finished jobs of this user in the history: one job array of `true`, once.
const jobcomp = `${state}/slurm/jobcomp.txt`;
const finished = async () =>
  accounting
    ? // Counted here: sacct's -s with -S alone lists nothing on 22.05.
      (await remote(`sacct -u "$(id -un)" -S now-7days -X -n -P -o State`)).split('\n').filter((l) => /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE)\b/.test(l)).length
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

/** @param {any} backend */
async function ours(backend) {
  const s = await backend.snapshot({ historyLimit: HISTORY });
  if (s.warnings.length) throw new Error(JSON.stringify(s.warnings));
  if (s.historySource !== (accounting ? 'sacct' : 'jobcomp')) throw new Error(`history from ${s.historySource}`);
  return s;
}
const counts = (/** @type {any} */ s) => JSON.stringify({ partitions: s.partitions.length, jobs: s.jobs.length, history: s.history.length });

// A long queue: held jobs (they never run, so the cluster stays free for others) that the
// peer's squeue and sacct list as the view's do.
/** @type {string[]} */
let queued = [];
if (QUEUED > 0) {
  const out = await remote(`cd /tmp && for i in $(seq ${QUEUED}); do sbatch --hold --parsable -J bench-queued -o /dev/null --wrap true || exit 1; done`);
  queued = out.split('\n').filter((l) => /^\d+$/.test(l.trim()));
}
const loadAtStart = load();
const conn = sshConnection(ssh);
try {
  // Cold: what the first refresh after opening the view costs (connect, full history).
  let cold = 0;
  for (let i = 0; i < COLD; i++) {
    const c = sshConnection(ssh);
    try {
      cold += await timeRefreshes('ours, cold (new connection and backend, full read)', 1, () => ours(new SlurmBackend((/** @type {string[]} */ argv, /** @type {any} */ opts) => c.exec(argv, opts))), counts);
    } finally {
      c.dispose();
    }
  }
  cold /= COLD;

  // Steady: the view's refreshes on one backend, each beside one of the peer's, so both see the same load.
  const backend = new SlurmBackend((/** @type {string[]} */ argv, /** @type {any} */ opts) => conn.exec(argv, opts));
  await ours(backend);
  let steady = 0;
  let peer = 0;
  /** @type {any} */
  let last;
  for (let i = 0; i < STEADY; i++) {
    steady += await timeRefreshes(`ours, steady ${i + 1}`, 1, async () => (last = await ours(backend)), counts);
    peer += await timeRefreshes(`OpenSSH, one ssh per command ${i + 1}`, 1, peerRefresh);
  }
  steady /= STEADY;
  peer /= STEADY;

  // A faster wrong answer must not read PASS: the kept history equals a full read's (taken
  // where a full read just before and just after agree: other jobs of this user may end).
  const full = () => ours(new SlurmBackend((/** @type {string[]} */ argv, /** @type {any} */ opts) => conn.exec(argv, opts)));
  let same = false;
  for (let i = 0; i < 5 && !same; i++) {
    const before = JSON.stringify((await full()).history);
    const kept = JSON.stringify((await ours(backend)).history);
    const after = JSON.stringify((await full()).history);
    if (before === after) same = kept === after;
  }
  const source = accounting ? 'sacct' : 'the completion log';
  result(
    `jobs-refresh: Jobs refresh (partitions + my jobs + ${HISTORY} finished from ${source}; ${queued.length} jobs held in the queue, ${last.jobs.length} listed by squeue) over SSH`,
    `steady ${steady.toFixed(0)} ms (${STEADY} refreshes, one a full read) and cold ${cold.toFixed(0)} ms (${(peer / cold).toFixed(1)}×) vs one ssh per command (sinfo; squeue; ${accounting ? 'sacct' : 'tail of the log'}) ${peer.toFixed(0)} ms; load ${loadAtStart} → ${load()}`,
    [faster(peer / steady, 5, 'steady vs one ssh per command'), sameAnswer(same)],
  );
} finally {
  conn.dispose();
  if (queued.length) await remote(`scancel ${queued.join(' ')}`).catch((e) => console.log(`scancel: ${e.message}`));
}
