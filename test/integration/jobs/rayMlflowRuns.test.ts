// MLflow entry points as Ray jobs (real 2-node Ray of scripts/components/ray.sh, real
// `mlflow run` from the peers' venv on the nodes, a real `mlflow server`): the runs stay where
// the job's MLFLOW_TRACKING_URI points; the ids `mlflow run` names in the job's log are the
// runs the server holds for that entry point (read with our REST reader, field by field), a
// failed entry point's run included; tagged with the job, MLflow's own client reads the tags back.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { JOB_CLUSTER_TAG, JOB_ID_TAG, jobTags, mlflowRunIdsInLog } from '../../../src/core/jobs/mlflowJobRuns';
import { RayBackend } from '../../../src/core/jobs/ray/rayBackend';
import { entryPointArgv } from '../../../src/core/jobs/runCommands';
import { entryPointRunTags, saveSubmitPart } from '../../../src/core/provenance/jobProvenance';
import { JOB_ENV_DIR, jobEnvFile } from '../../../src/core/provenance/jobScript';
import { captureSubmitPart } from '../../../src/core/provenance/jobSubmitCapture';
import { nodeRunner } from '../../../src/core/provenance/runner';
import { parseResultsLog } from '../../../src/core/jobs/ray/resultsInLog';
import { MlflowRestClient } from '../../../src/core/runs/mlflow/mlflowRestClient';
import { MlflowRestSource } from '../../../src/core/runs/mlflow/mlflowRestSource';
import { setRunTagRest } from '../../../src/core/runs/runMarks';
import { clusterSettings } from '../../../src/extension/jobs/clusterSettings';
import { rayRunPlan } from '../../../src/extension/jobs/rayClusterSettings';
import { examplesGitTree, rayJobEnded, rayScript, repoRoot, requirePeer, requireRay, type RayComponent } from '../harness';
import { startMlflowServer, type MlflowServer } from '../runs/mlflowServer';

describe('MLflow entry points as Ray jobs: runs on the tracking server, linked to the job', function () {
  this.timeout(400000);
  let ray: RayComponent;
  let backend: RayBackend;
  let server: MlflowServer | undefined;
  let project = '';
  let dir = '';
  const user = `tester-${process.pid}`;
  const peersBin = path.join(repoRoot, '.venv-peers', 'bin');

  const ended = (id: string) => rayJobEnded(backend, id);

  before(async function () {
    this.timeout(300000);
    const mlflow = requirePeer(this, 'mlflow');
    ray = await requireRay(this);
    backend = new RayBackend({ address: ray.dashboard, user, name: 'local' });
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-raymlflow-'));
    server = await startMlflowServer(mlflow, path.join(dir, 'server'));
    project = examplesGitTree(path.join(dir, 'project'));
  });

  after(async function () {
    this.timeout(120000);
    backend?.dispose();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (ray?.startedHere) await rayScript('down');
  });

  // The nodes' Python is the peers' venv (mlflow, sklearn); the tracking server is an env var of the questions.
  const submit = (entry: string, params: Record<string, string> = {}, provenanceDir?: string) => {
    const cluster = clusterSettings([{ name: 'local', type: 'ray', address: ray.dashboard, setup: [`export PATH=${peersBin}:$PATH`] }])[0];
    // `--env-manager local`: the nodes have no virtualenv tooling for MLproject's python_env.
    const run = { name: entry, argv: [...entryPointArgv(entry, params), '--env-manager', 'local'], ...(provenanceDir ? { provenanceDir } : {}) };
    return backend.submit(rayRunPlan(cluster, { env: `MLFLOW_TRACKING_URI=${server!.url}` }, { run, localDir: project, cwd: '' }));
  };
  const serverRuns = async () => (await new MlflowRestSource(server!.url).list()).runs;

  it('a succeeding and a failing entry point: the run ids in their logs are the server\'s runs; tagged with the job, MLflow reads the tags', async () => {
    const ok = await submit('prepare');
    // `train` reads the prepared data, which its own fresh copy of the project lacks: its Python fails.
    const bad = await submit('train');
    const okJob = await ended(ok.jobId);
    const okLog = await backend.logs(ok.jobId);
    assert.equal(okJob.raw, 'SUCCEEDED', `${okJob.reason}\n${okLog.slice(-3000)}`);
    const badJob = await ended(bad.jobId);
    const badLog = await backend.logs(bad.jobId);
    assert.equal(badJob.raw, 'FAILED', badLog.slice(-3000));

    const okIds = mlflowRunIdsInLog(okLog);
    const badIds = mlflowRunIdsInLog(badLog);
    assert.equal(okIds.length, 1, okLog.slice(-3000));
    assert.equal(badIds.length, 1, badLog.slice(-3000));
    const runs = await serverRuns();
    // The server holds exactly these two runs, each as `mlflow run` made it.
    assert.deepEqual(runs.map((r) => r.id).sort(), [...okIds, ...badIds].sort());
    const okRun = runs.find((r) => r.id === okIds[0])!;
    const badRun = runs.find((r) => r.id === badIds[0])!;
    assert.equal(okRun.tags['mlflow.project.entryPoint'], 'prepare');
    assert.equal(okRun.status, 'FINISHED');
    assert.equal(badRun.tags['mlflow.project.entryPoint'], 'train');
    assert.equal(badRun.status, 'FAILED');

    // Linked as ResultsHome links them (the Runs view's writer for a tracking server is set-tag).
    const client = new MlflowRestClient(server!.url);
    for (const [jobId, runId] of [[ok.jobId, okIds[0]], [bad.jobId, badIds[0]]]) {
      for (const change of jobTags({ cluster: 'local', jobId })) await setRunTagRest(client, runId, change);
    }
    const python = path.join(peersBin, 'python');
    const read = (runId: string) => JSON.parse(execFileSync(python, ['-c', 'import json, sys, mlflow; print(json.dumps(mlflow.MlflowClient(sys.argv[1]).get_run(sys.argv[2]).data.tags))', server!.url, runId], { encoding: 'utf8' })) as Record<string, string>;
    assert.equal(read(okIds[0])[JOB_ID_TAG], ok.jobId);
    assert.equal(read(okIds[0])[JOB_CLUSTER_TAG], 'local');
    assert.equal(read(badIds[0])[JOB_ID_TAG], bad.jobId);
    // And our reader, as the Runs view lists them after its refresh.
    assert.equal((await serverRuns()).find((r) => r.id === okIds[0])?.tags[JOB_ID_TAG], ok.jobId);
  });

  it('with provenance: a failing entry point\'s run gets the local launch\'s tags (commit, changed file) and the node\'s (host, Python, exit status); MLflow reads them', async () => {
    execFileSync('git', ['-C', project, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'example']);
    const commit = execFileSync('git', ['-C', project, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    writeFileSync(path.join(project, 'notes.txt'), 'an untracked change\n');
    const run = [...entryPointArgv('train', {}), '--env-manager', 'local'];
    const part = await captureSubmitPart({ cwd: project, command: run, local: nodeRunner, env: process.env });
    const bad = await submit('train', {}, JOB_ENV_DIR);
    const job = await ended(bad.jobId);
    const log = await backend.logs(bad.jobId);
    assert.equal(job.raw, 'FAILED', log.slice(-3000));
    const [runId] = mlflowRunIdsInLog(log);
    assert.ok(runId, log.slice(-3000));
    // As ResultsHome does: the measurements from the log, joined with the half kept at submit.
    const localDir = path.join(dir, 'home', bad.jobId);
    await saveSubmitPart(localDir, part);
    const envText = parseResultsLog(log)?.files.get(jobEnvFile())?.toString('utf8');
    assert.ok(envText, 'the failed job printed its measurements');
    const tags = await entryPointRunTags(localDir, envText, { cluster: 'local', jobId: bad.jobId });
    const client = new MlflowRestClient(server!.url);
    for (const [key, value] of Object.entries(tags)) await setRunTagRest(client, runId, { key, value });
    const python = path.join(peersBin, 'python');
    const read = JSON.parse(execFileSync(python, ['-c', 'import json, sys, mlflow; print(json.dumps(mlflow.MlflowClient(sys.argv[1]).get_run(sys.argv[2]).data.tags))', server!.url, runId], { encoding: 'utf8' })) as Record<string, string>;
    assert.equal(read['mlflow.source.git.commit'], commit);
    assert.equal(read['mlops.launcher'], 'mlflow-run');
    assert.deepEqual(Object.keys(JSON.parse(read['mlops.code.files']) as object), ['notes.txt']);
    assert.equal(read['mlops.host'], hostname());
    assert.equal(read['mlops.python'], execFileSync(python, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).trim());
    assert.equal(read['mlops.exitCode'], '1');
  });
});
