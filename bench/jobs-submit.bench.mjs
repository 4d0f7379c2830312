// Submit → visible: from the start of a submit (our batch script through `sbatch` on the
// login node's connection) until the Jobs view's refresh (one snapshot) lists the job, as a
// user sees it after pressing Submit. Issue 16's goal: p95 ≤ 1 s. Each job sleeps and is
// cancelled at the end (they are ours). Needs the ssh and slurm components of
// scripts/components/up.sh.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';
import { root } from '../scripts/lib.mjs';
import { atMost, notMeasured, result } from './lib/verdict.mjs';

const SUBMITS = Number(process.env.BENCH_SUBMITS ?? 20);
const state = process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test';
const componentsFile = join(state, 'components.json');
const components = existsSync(componentsFile) ? JSON.parse(readFileSync(componentsFile, 'utf8')) : {};
const { ssh, slurm } = components;
if (!ssh || !slurm) {
  notMeasured('jobs-submit', `no ssh and slurm components in ${componentsFile}; run bash scripts/components/up.sh as root`);
  process.exit(1);
}

register();
const require = createRequire(import.meta.url);
const { SshHostConnection, knownHostsFile } = require(join(root, 'src/core/hosts/hostConnection.ts'));
const { SlurmBackend } = require(join(root, 'src/core/jobs/slurm/slurmBackend.ts'));

const conn = new SshHostConnection({
  host: ssh.host,
  port: ssh.port,
  username: ssh.username,
  privateKey: readFileSync(ssh.privateKeyPath),
  hostKeys: knownHostsFile(ssh.knownHostsPath, async () => false),
});
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
  result(`jobs-submit: submit → job listed in the Jobs view's refresh (${SUBMITS} submits)`, `median ${pct(50).toFixed(0)} ms`, [atMost('p95', pct(95), 1000, ' ms')]);
} finally {
  for (const id of submitted) await backend.cancel(id).catch((/** @type {Error} */ e) => console.log(`cancel ${id}: ${e.message}`));
  conn.dispose();
}
