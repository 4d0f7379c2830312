import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RayBackend } from '../../../src/core/jobs/ray/rayBackend';
import { parseResultsLog } from '../../../src/core/jobs/ray/resultsInLog';
import { renderBatchScript } from '../../../src/core/jobs/slurm/batchScript';
import type { RunPlan } from '../../../src/core/jobs/types';
import { jobProvenanceTags, joinJobProvenance, parseJobEnv, readJobProvenance, saveSubmitPart, writeJobProvenance } from '../../../src/core/provenance/jobProvenance';
import { engineEnd } from '../../../src/core/provenance/jobEnd';
import { jobEnvFile } from '../../../src/core/provenance/jobScript';
import { launcherOf } from '../../../src/core/provenance/jobSubmitCapture';
import type { Captured } from '../../../src/core/provenance/types';
import { viewFromTags } from '../../../src/core/provenance/view';

const local: Captured = {
  provenance: {
    version: 1,
    launcher: 'dvc-repro',
    stages: ['train'],
    code: { commit: 'a'.repeat(40), branch: 'main', changedFiles: ['src/train.py'], patchBytes: 10, patchCapped: false, fileHashes: { 'src/train.py': 'abc' } },
    params: { 'train.seed': '7' },
    data: { deps: { 'src/train.py': 'd41d8cd98f00b204e9800998ecf8427e' }, dvcFiles: {} },
    environment: { host: 'unknown', gpu: { model: 'unknown', driver: 'unknown', cuda: 'unknown' }, python: 'unknown', packages: 0, command: ['dvc', 'repro', '-s', 'train'], env: {} },
    timing: { start: 1000 },
  },
  patch: 'diff --git a/src/train.py b/src/train.py\n',
  pipFreeze: '',
};

describe('Cluster job provenance', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'mlops-jobprov-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the batch script, run by real bash, measures this machine into the file and records a failing exit status (no nvidia-smi → unknown)', () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    // A python that answers -V and pip freeze as the real one does; no nvidia-smi on PATH.
    writeFileSync(path.join(bin, 'python'), '#!/bin/sh\nif [ "$1" = -V ]; then echo "Python 3.11.9"; else printf "numpy==2.1.0\\nscipy==1.14.1\\n"; fi\n', { mode: 0o755 });
    const jobDir = path.join(dir, "it's a job");
    const plan: RunPlan = { name: 't', command: ['sh', '-c', 'exit 3'], cwd: dir, resources: {}, provenanceDir: `${jobDir}/.mlops/jobs` };
    const script = renderBatchScript(plan);
    assert.doesNotMatch(script, /^exec /m);
    let code = 0;
    try {
      execFileSync('bash', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin`, SLURM_JOB_ID: '42' }, stdio: 'pipe' });
    } catch (err) {
      code = (err as { status: number }).status;
    }
    assert.equal(code, 3, 'the job still ends with its command\'s status');
    const m = parseJobEnv(readFileSync(path.join(jobDir, ...jobEnvFile('42').split('/')), 'utf8'));
    assert.ok(m);
    assert.equal(m.host, execFileSync('hostname', { encoding: 'utf8' }).trim());
    assert.equal(m.python, '3.11.9');
    assert.equal(m.pipFreeze, 'numpy==2.1.0\nscipy==1.14.1\n');
    assert.deepEqual(m.gpu, { model: 'unknown', driver: 'unknown', cuda: 'unknown' });
    assert.equal(m.exitCode, 3);
    assert.ok(m.start !== undefined && m.end !== undefined && m.end >= m.start);
  });

  it('a Ray entrypoint, run by real sh, prints the measurements into its log with the results, and only them after a failure', () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'python'), '#!/bin/sh\nif [ "$1" = -V ]; then echo "Python 3.12.1"; else exec python3 "$@"; fi\n', { mode: 0o755 });
    const project = path.join(dir, 'proj');
    mkdirSync(project);
    const backend = new RayBackend({ address: 'http://head:8265', user: 'me' });
    try {
      const entry = (argv: string[]) => backend.request({ name: 't', command: argv, cwd: '', localDir: project, resources: {}, results: ['out.txt'], provenanceDir: '.mlops/jobs' }).entrypoint;
      const run = (script: string) => {
        try {
          return { code: 0, out: execFileSync('sh', ['-c', script], { cwd: project, env: { PATH: `${bin}:/usr/bin:/bin`, TMPDIR: dir }, encoding: 'utf8' }) };
        } catch (err) {
          return { code: (err as { status: number }).status, out: String((err as { stdout: string }).stdout) };
        }
      };
      const ok = run(entry(['sh', '-c', 'echo hi > out.txt']));
      assert.equal(ok.code, 0);
      const printed = parseResultsLog(ok.out)!;
      assert.equal(printed.files.get('out.txt')?.toString(), 'hi\n');
      const m = parseJobEnv(printed.files.get(jobEnvFile())?.toString('utf8'))!;
      assert.equal(m.python, '3.12.1');
      assert.equal(m.exitCode, 0);
      const bad = run(entry(['sh', '-c', 'exit 5']));
      assert.equal(bad.code, 5);
      const after = parseResultsLog(bad.out)!;
      assert.deepEqual([...after.files.keys()], [jobEnvFile()]);
      assert.equal(parseJobEnv(after.files.get(jobEnvFile())?.toString('utf8'))?.exitCode, 5);
    } finally {
      backend.dispose();
    }
  });

  it('reads the GPU sections as capture.ts does, and refuses a file that is not ours', () => {
    const text = ['mlops-env 1', 'start=100', 'host=node7', 'python=Python 3.10.4', '--- gpu', 'NVIDIA H100 80GB HBM3, 550.54.15', 'NVIDIA H100 80GB HBM3, 550.54.15', '--- nvidia-smi', '| NVIDIA-SMI 550.54.15   Driver Version: 550.54.15   CUDA Version: 12.4 |', '--- pip', 'torch==2.4.0', ''].join('\n');
    const m = parseJobEnv(text)!;
    assert.deepEqual(m.gpu, { model: '2× NVIDIA H100 80GB HBM3', driver: '550.54.15', cuda: '12.4' });
    assert.equal(m.exitCode, undefined, 'no epilogue: the job was killed before it');
    assert.equal(parseJobEnv('host=evil\n'), undefined);
    assert.equal(parseJobEnv(undefined), undefined);
  });

  it('joins the local half with the measurements into provenance.json, read back as a local launch\'s tags', async () => {
    await saveSubmitPart(dir, local);
    const env = ['mlops-env 1', 'start=100', 'host=node7', 'python=Python 3.10.4', '--- gpu', '--- pip', 'dvc==3.0', '--- end', 'exit=0', 'end=160', ''].join('\n');
    const p = await writeJobProvenance(dir, env, { cluster: 'c', jobId: '9' });
    assert.ok(p);
    assert.equal(readFileSync(path.join(dir, 'changes.patch'), 'utf8'), local.patch);
    assert.equal(readFileSync(path.join(dir, 'pip-freeze.txt'), 'utf8'), 'dvc==3.0\n');
    const back = await readJobProvenance(dir, dir);
    assert.deepEqual(back, p);
    assert.deepEqual(back?.timing, { start: 100_000, end: 160_000, exitCode: 0 });
    const v = viewFromTags(jobProvenanceTags(back!));
    assert.equal(v.commit, 'a'.repeat(40));
    assert.equal(v.host, 'node7');
    assert.equal(v.python, '3.10.4');
    assert.equal(v.exitCode, '0');
    assert.deepEqual(v.data, local.provenance.data.deps);
    // No measurements came home: the environment reads unknown, the code half stays.
    const none = joinJobProvenance(local, undefined, { cluster: 'c', jobId: '9' });
    assert.equal(none.provenance.environment.host, 'unknown');
    assert.equal(none.provenance.code.commit, 'a'.repeat(40));
  });

  it('a job that did not complete: the epilogue\'s status wins over FAILED; a kill is said as Slurm says it, with or without an epilogue', () => {
    const started = parseJobEnv(['mlops-env 1', 'start=100', 'host=node7', 'python=Python 3.10.4', ''].join('\n'));
    const failedEpilogue = parseJobEnv(['mlops-env 1', 'start=100', 'host=node7', '--- end', 'exit=3', 'end=160', ''].join('\n'));
    const job = { cluster: 'c', jobId: '9' };
    assert.deepEqual(engineEnd('Slurm', { raw: 'TIMEOUT', exitCode: 0, signal: 15 }), { exitCode: 0, reason: 'killed by Slurm: TIMEOUT (signal 15)', killed: true });
    assert.deepEqual(engineEnd('Slurm', { raw: 'CANCELLED by 0' }), { reason: 'killed by Slurm: CANCELLED', killed: true });
    // FAILED with the epilogue's exit 3: that is the record, no reason beside it.
    const failed = joinJobProvenance(local, failedEpilogue, job, engineEnd('Slurm', { raw: 'FAILED', exitCode: 3 })).provenance.timing;
    assert.deepEqual(failed, { start: 100_000, end: 160_000, exitCode: 3 });
    // TIMEOUT: the prologue ran, the epilogue never did.
    const timeout = joinJobProvenance(local, started, job, engineEnd('Slurm', { raw: 'TIMEOUT', exitCode: 0, signal: 15 })).provenance;
    assert.equal(timeout.environment.host, 'node7');
    assert.deepEqual(timeout.timing, { start: 100_000, exitCode: 0, endReason: 'killed by Slurm: TIMEOUT (signal 15)' });
    assert.equal(jobProvenanceTags(timeout)['mlops.job.endReason'], 'killed by Slurm: TIMEOUT (signal 15)');
    // FAILED before the command ran (no epilogue): the engine's status and word.
    assert.deepEqual(joinJobProvenance(local, started, job, engineEnd('Slurm', { raw: 'FAILED', exitCode: 1 })).provenance.timing, { start: 100_000, exitCode: 1, endReason: 'failed (Slurm: FAILED)' });
  });

  it('names the launcher from the argv', () => {
    assert.equal(launcherOf(['dvc', 'repro', '-s', 'x']), 'dvc-repro');
    assert.equal(launcherOf(['dvc', 'exp', 'run']), 'dvc-exp');
    assert.equal(launcherOf(['/v/bin/mlflow', 'run', '.']), 'mlflow-run');
  });
});
