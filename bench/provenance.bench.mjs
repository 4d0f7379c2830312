// Provenance capture's cost to a launch of the example's train stage: the same
// `dvc repro -f -s train` with and without capture (interleaved, same sandbox), and the
// delay capture puts before the process can start (what it waits for: the MLflow run made
// first by the warm helper, and the experiment refs). Goal: ≤ 150 ms p95 added.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { atMost, notMeasured, result } from './lib/verdict.mjs';

const venvBin = join(root, '.venv-peers', 'bin');
if (!existsSync(join(venvBin, 'dvc'))) {
  notMeasured('provenance capture', 'no .venv-peers/bin/dvc; run bash scripts/setup/peers.sh');
  process.exit(1);
}
if (!existsSync(join(root, 'dist', 'core.js'))) execFileSync('node', ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
const { beginLaunch, MlflowHelper, nodeRunner } = createRequire(import.meta.url)(join(root, 'dist', 'core.js'));

const env = { ...process.env, PATH: `${venvBin}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
const dvc = join(venvBin, 'dvc');
const python = join(venvBin, 'python');
const launches = Number(process.env.PROVENANCE_BENCH_LAUNCHES ?? 6);
const starts = Number(process.env.PROVENANCE_BENCH_STARTS ?? 40);
const parent = mkdtempSync(join(tmpdir(), 'mlops-bench-prov-'));
const helper = new MlflowHelper(python, 600_000, env);
try {
  const dir = execFileSync('bash', [join(root, 'scripts/example/make-sandbox.sh'), join(parent, 'p')], { env, encoding: 'utf8' }).trim();
  execFileSync(dvc, ['repro', '-q'], { cwd: dir, env, stdio: 'pipe' });
  const uri = `sqlite:///${dir}/mlflow.db`;
  const command = [dvc, 'repro', '-f', '-s', 'train'];
  /** @param {Record<string, string>} extra */
  const run = (extra) =>
    new Promise((resolve, reject) => {
      const child = spawn(command[0], command.slice(1), { cwd: dir, env: { ...env, ...extra }, stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(code) : reject(new Error(`dvc repro exited ${code}`))));
    });
  const input = () => ({
    launcher: 'dvc-repro',
    cwd: dir,
    command,
    stages: ['train'],
    local: nodeRunner,
    remote: nodeRunner,
    python,
    host: hostname(),
    env,
    readText: (/** @type {string} */ rel) => readFile(join(dir, rel), 'utf8').catch(() => undefined),
    mlflow: { writer: helper, uri, experiment: 'examples-classifier', sourceName: 'dvc repro -f -s train' },
  });
  const ms = (/** @type {bigint} */ t) => Number(process.hrtime.bigint() - t) / 1e6;
  const pct = (/** @type {number[]} */ a, /** @type {number} */ p) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)];

  const coldT = process.hrtime.bigint();
  await helper.warm();
  const coldMs = ms(coldT);

  // The delay before the process may start, many times (no process started).
  const delays = [];
  for (let i = 0; i < starts; i++) {
    const t = process.hrtime.bigint();
    const s = await beginLaunch(input());
    delays.push(ms(t));
    await s.finish(0);
  }

  // Whole launches, interleaved: without, with, without, with...
  const without = [];
  const withCapture = [];
  const finishing = [];
  for (let i = 0; i < launches; i++) {
    let t = process.hrtime.bigint();
    await run({});
    without.push(ms(t));
    t = process.hrtime.bigint();
    const s = await beginLaunch(input());
    await run(s.env);
    // The launch is over when the process exits; recording its end happens after, off the user's way.
    withCapture.push(ms(t));
    t = process.hrtime.bigint();
    const r = await s.finish(0);
    finishing.push(ms(t));
    if (r.problems.length) throw new Error(r.problems.join('; '));
  }
  const p95Delay = pct(delays, 95);
  const added = pct(withCapture, 50) - pct(without, 50);
  console.log(`pre-start delay (n=${starts}): median ${pct(delays, 50).toFixed(0)} ms, p95 ${p95Delay.toFixed(0)} ms; MLflow client start (once per session) ${coldMs.toFixed(0)} ms`);
  console.log(`launch of dvc repro -f -s train (n=${launches} each): without ${pct(without, 50).toFixed(0)} ms median / ${pct(without, 95).toFixed(0)} p95, with capture ${pct(withCapture, 50).toFixed(0)} median / ${pct(withCapture, 95).toFixed(0)} p95; recording the end after exit ${pct(finishing, 50).toFixed(0)} ms median`);
  result(
    'provenance capture on a launch of the example train stage',
    `+${pct(delays, 50).toFixed(0)} ms median before the process starts; whole launch median ${added >= 0 ? '+' : ''}${added.toFixed(0)} ms (${launches} launches each, noisy on a shared machine)`,
    [atMost('p95 added before the start', p95Delay, 150, ' ms')],
  );
} finally {
  helper.dispose();
  rmSync(parent, { recursive: true, force: true });
}
