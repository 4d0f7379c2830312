// Submit → visible: from the start of a submit (our batch script through `sbatch` on the
// login node's connection) until the Jobs view's refresh (one snapshot) lists the job, as a
// user sees it after pressing Submit. Issue 16's goal: p95 ≤ 1 s. Each job sleeps and is
// cancelled at the end (they are ours). Needs the ssh and slurm components of
// scripts/components/up.sh.
import { core, load, requireComponents, sshConnection, state } from './lib/sshBench.mjs';
import { atMost, result } from './lib/verdict.mjs';

const SUBMITS = Number(process.env.BENCH_SUBMITS ?? 20);
const { ssh } = requireComponents('jobs-submit', ['ssh', 'slurm']);
const { SlurmBackend } = core('src/core/jobs/slurm/slurmBackend.ts');

const conn = sshConnection(ssh);
const backend = new SlurmBackend((/** @type {string[]} */ argv, /** @type {any} */ opts) => conn.exec(argv, opts));
const cwd = `${state}/slurm-jobs/bench-submit`;
/** @type {string[]} */
const submitted = [];
/** @type {number[]} */
const times = [];
try {
  await conn.exec(['mkdir', '-p', cwd]);
  await backend.snapshot(); // the connection's handshake is not part of a submit
  for (let i = 0; i < SUBMITS; i++) {
    const t0 = performance.now();
    const { jobId } = await backend.submit({ name: `bench-submit-${i}`, command: ['sleep', '300'], cwd, resources: {} });
    submitted.push(jobId);
    for (;;) {
      const s = await backend.snapshot();
      if (s.jobs.some((/** @type {{ jobId: string }} */ j) => j.jobId === jobId)) break;
      if (performance.now() - t0 > 30000) throw new Error(`job ${jobId} not listed within 30 s`);
    }
    times.push(performance.now() - t0);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const pct = (/** @type {number} */ p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  console.log(`submit → listed, ${SUBMITS} submits: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
  result(`jobs-submit: submit → job listed in the Jobs view's refresh (${SUBMITS} submits)`, `median ${pct(50).toFixed(0)} ms; load ${load()}`, [atMost('p95', pct(95), 1000, ' ms')]);
} finally {
  for (const id of submitted) await backend.cancel(id).catch((/** @type {Error} */ e) => console.log(`cancel ${id}: ${e.message}`));
  conn.dispose();
}
