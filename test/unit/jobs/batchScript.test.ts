import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gresOption, isOurComment, jobName, renderBatchScript } from '../../../src/core/jobs/slurm/batchScript';
import { parseGpuRequest, parseSlurmDuration, PlanError } from '../../../src/core/jobs/resources';
import type { RunPlan } from '../../../src/core/jobs/types';

const base: RunPlan = { name: 'train model', command: ['python', 'train.py'], cwd: '/home/ann/proj', resources: {} };

/** Runs a rendered script with the real bash (as slurmstepd would, minus Slurm) and returns what the command got. */
function runScript(script: string, env: Record<string, string> = {}): { argv: string[]; env: Record<string, string>; cwd: string } {
  const out = execFileSync('bash', ['-c', script], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
  return JSON.parse(out) as { argv: string[]; env: Record<string, string>; cwd: string };
}
const probe = [process.execPath, '-e', 'console.log(JSON.stringify({argv: process.argv.slice(1), env: {A: process.env.A, B: process.env.B}, cwd: process.cwd()}))', '--'];

describe('Slurm batch script', () => {
  it('writes #SBATCH lines for every resource, our comment label and the log files', () => {
    const script = renderBatchScript({
      ...base,
      resources: { gpus: 'A100:2', cpus: 8, memory: '32g', timeLimit: '1-00:00:00', partition: 'gpu', account: 'proj1', qos: 'normal' },
      extraOptions: ['--constraint=ib', '--exclusive'],
    });
    assert.equal(
      script,
      [
        '#!/bin/bash',
        '#SBATCH --job-name=train-model',
        '#SBATCH --comment=mlops-workbench',
        '#SBATCH --chdir=/home/ann/proj',
        '#SBATCH --output=/home/ann/proj/.mlops/jobs/%x-%j.out',
        '#SBATCH --error=/home/ann/proj/.mlops/jobs/%x-%j.err',
        '#SBATCH --partition=gpu',
        '#SBATCH --account=proj1',
        '#SBATCH --qos=normal',
        '#SBATCH --time=1-00:00:00',
        '#SBATCH --cpus-per-task=8',
        '#SBATCH --mem=32G',
        '#SBATCH --gres=gpu:a100:2',
        '#SBATCH --constraint=ib',
        '#SBATCH --exclusive',
        '',
        "cd -- /home/ann/proj || exit 1",
        'exec python train.py',
        '',
      ].join('\n'),
    );
    assert.ok(isOurComment('mlops-workbench') && isOurComment('mlops-workbench:x') && !isOurComment('mlops-workbenchy') && !isOurComment(undefined));
  });

  it('maps GPU requests as users type them, in the cluster\'s spelling when known', () => {
    assert.equal(gresOption('A100:2'), '--gres=gpu:a100:2');
    assert.equal(gresOption('a100'), '--gres=gpu:a100:1');
    assert.equal(gresOption('2'), '--gres=gpu:2');
    assert.equal(gresOption('gpu:H100:4'), '--gres=gpu:h100:4');
    assert.equal(gresOption('A100:2', ['A100', 'v100']), '--gres=gpu:A100:2');
    assert.deepEqual(parseGpuRequest('V100:1', ['v100']), { type: 'v100', count: 1 });
    for (const bad of ['A100:0', 'A100:x', 'a:b:c', 'a100;rm', '']) assert.throws(() => parseGpuRequest(bad), PlanError, bad);
  });

  it('reads Slurm durations', () => {
    assert.deepEqual(['5', '5:30', '1:00:00', '2-3', '2-03:04', '2-03:04:05', 'UNLIMITED', 'soon'].map(parseSlurmDuration), [300, 330, 3600, 183600, 183840, 183845, null, undefined]);
  });

  it('refuses values that would add a line or a word to the script', () => {
    const bad: Array<Partial<RunPlan>> = [
      { resources: { partition: 'gpu\n#SBATCH --uid=0' } },
      { resources: { account: 'a b' } },
      { resources: { timeLimit: '1h' } },
      { resources: { memory: 'lots' } },
      { resources: { cpus: 0 } },
      { cwd: 'relative/dir' },
      { cwd: '/a"b' },
      { logDir: '/logs\nx' },
      { env: { 'A-B': '1' } },
      { setup: ['module load x\nrm -rf /'] },
      { extraOptions: ['--comment=x y'] },
      { extraOptions: ['-o /tmp/x'] },
      { array: { combinations: [] } },
      { command: [] },
    ];
    for (const b of bad) assert.throws(() => renderBatchScript({ ...base, ...b, resources: { ...b.resources } }), PlanError, JSON.stringify(b));
  });

  it('quotes the command, env and folders so bash hands the command exactly what was planned', () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mlops job $HOME `x` '"));
    try {
      const script = renderBatchScript({
        ...base,
        name: "it's; rm -rf /",
        cwd: dir,
        command: [...probe, "it's", '$(echo no)', 'a b', ''],
        env: { A: "x'y $HOME", B: '`whoami`' },
        setup: ['export SETUP_RAN=1'],
      });
      assert.match(script, /^#SBATCH --job-name=it-s-rm--rf$/m);
      assert.match(script, /^#SBATCH --chdir=".*"$/m);
      const got = runScript(script);
      assert.deepEqual(got.argv, ["it's", '$(echo no)', 'a b', '']);
      assert.deepEqual(got.env, { A: "x'y $HOME", B: '`whoami`' });
      assert.equal(got.cwd, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a parameter grid: one array task per combination, each passed as flag name=value', () => {
    const plan: RunPlan = { ...base, cwd: tmpdir(), command: probe, array: { combinations: [{ lr: '0.1', 'model.depth': '2' }, { lr: "0'01" }], flag: '-S', maxParallel: 1 } };
    const script = renderBatchScript(plan);
    assert.match(script, /^#SBATCH --array=0-1%1$/m);
    assert.match(script, /^#SBATCH --output=.*%x-%A_%a\.out$/m);
    assert.deepEqual(runScript(script, { SLURM_ARRAY_TASK_ID: '0' }).argv, ['-S', 'lr=0.1', '-S', 'model.depth=2']);
    assert.deepEqual(runScript(script, { SLURM_ARRAY_TASK_ID: '1' }).argv, ['-S', "lr=0'01"]);
    assert.throws(() => runScript(script, { SLURM_ARRAY_TASK_ID: '2' }));
    // Without a flag: Hydra-style overrides.
    const hydra = renderBatchScript({ ...plan, array: { combinations: [{ lr: '0.1' }] } });
    assert.deepEqual(runScript(hydra, { SLURM_ARRAY_TASK_ID: '0' }).argv, ['lr=0.1']);
  });

  it('a failing setup line stops the job before the command', () => {
    const script = renderBatchScript({ ...base, cwd: tmpdir(), command: probe, setup: ['false'] });
    assert.throws(() => runScript(script));
  });

  it('job names keep what Slurm shows as-is', () => {
    assert.equal(jobName('dvc repro -s train'), 'dvc-repro--s-train');
    assert.equal(jobName('***'), 'job');
    assert.equal(jobName('x'.repeat(300)).length, 100);
  });
});
