// A Jobs view refresh of a Ray cluster = its nodes (alive / dead, CPU / GPU / memory used of
// total) + its jobs. Ours: RayBackend.snapshot(), four dashboard requests side by side on one
// keep-alive agent. The peer a user would run: `ray job list` + `ray status` (Ray's CLI, each a
// Python process). Then the bytes a resubmit of the unchanged example project sends: the
// package is content-addressed, so only the job request goes out.
// Starts the 2-node cluster of scripts/components/ray.sh when it is not up, and stops it after.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register } from 'tsx/cjs/api';
import { root } from '../scripts/lib.mjs';
import { atMost, faster, notMeasured, result } from './lib/verdict.mjs';

const REFRESHES = 10;
const GOAL = 10;
const state = process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test';
const rayBin = join(root, '.venv-ray', 'bin', 'ray');
if (!existsSync(rayBin)) {
  notMeasured('ray-refresh', `${rayBin} is missing; run bash scripts/setup/ray.sh`);
  process.exit(1);
}
const up = spawnSync('bash', [join(root, 'scripts/components/ray.sh'), 'up'], { encoding: 'utf8' });
if (up.status !== 0) {
  notMeasured('ray-refresh', `the Ray cluster did not start: ${up.stderr.trim()}`);
  process.exit(1);
}
const startedHere = /^RAY_STARTED=1$/m.test(up.stdout);
const ray = JSON.parse(readFileSync(join(state, 'components.json'), 'utf8')).ray;

register();
const require = createRequire(import.meta.url);
const { RayBackend } = require(join(root, 'src/core/jobs/ray/rayBackend.ts'));

/** @param {string[]} args @returns {Promise<string>} */
const cli = (args) =>
  new Promise((resolve, reject) =>
    execFile(rayBin, args, { env: { ...process.env, RAY_USAGE_STATS_ENABLED: '0' }, maxBuffer: 64 * 1024 * 1024 }, (err, out, errText) => (err ? reject(new Error(`${errText}`)) : resolve(out))),
  );

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

const backend = new RayBackend({ address: ray.dashboard, user: 'bench' });
const project = mkdtempSync(join(tmpdir(), 'mlops-ray-bench-'));
try {
  const ours = await timeIt('ours (RayBackend.snapshot: 4 dashboard requests side by side)', async () => {
    const s = await backend.snapshot();
    if (s.warnings.length) throw new Error(JSON.stringify(s.warnings));
    return { nodes: s.partitions[0].nodes.length, jobs: s.jobs.length };
  });
  const peer = await timeIt('ray job list + ray status (the CLI)', async () => {
    const jobs = await cli(['job', 'list', '--address', ray.dashboard]);
    const status = await cli(['status', '--address', ray.gcsAddress]);
    return { jobsOutput: jobs.length, statusLines: status.split('\n').length };
  });
  result(
    `ray-refresh: ${REFRESHES} Jobs refreshes of a 2-node Ray cluster (nodes + jobs)`,
    `ours ${(ours / REFRESHES).toFixed(0)} ms each vs ray job list + ray status ${(peer / REFRESHES).toFixed(0)} ms each`,
    [faster(peer / ours, GOAL, 'vs the Ray CLI')],
  );

  // The example project in a git work tree of its own; the second submit of it unchanged.
  cpSync(join(root, 'examples'), project, { recursive: true, filter: (src) => !/\/(data|mlruns|models|\.dvc\/(cache|tmp))(\/|$)|mlflow\.db$/.test(src) });
  spawnSync('git', ['init', '-q', project]);
  spawnSync('git', ['-C', project, 'add', '.']);
  const plan = { name: 'bench', command: ['true'], cwd: '', resources: {}, localDir: project };
  const b0 = backend.http.bytesSent;
  await backend.submit(plan);
  const first = { sent: backend.http.bytesSent - b0, pkg: backend.lastUpload };
  const b1 = backend.http.bytesSent;
  await backend.submit(plan);
  const second = { sent: backend.http.bytesSent - b1, pkg: backend.lastUpload };
  result(
    `ray-resubmit: the example project (${second.pkg.files} files, ${second.pkg.bytes} bytes)`,
    `first submit sent ${first.sent} bytes (package ${first.pkg.uploadedBytes}${first.pkg.uploadedBytes ? '' : ', already on the cluster'}); unchanged resubmit sent ${second.sent} bytes`,
    [atMost('package bytes on an unchanged resubmit', second.pkg.uploadedBytes, 0, ' B')],
  );
} finally {
  backend.dispose();
  rmSync(project, { recursive: true, force: true });
  if (startedHere) spawnSync('bash', [join(root, 'scripts/components/ray.sh'), 'down'], { stdio: 'inherit' });
}
