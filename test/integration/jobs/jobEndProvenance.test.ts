// Jobs that do not complete, and MLflow entry points, on the real local Slurm over SSH: what
// ResultsHome does when it sees such a job end, step by step with the same functions (the
// node's measurements read over SFTP, joined with the half kept at submit, Slurm's word for a
// kill; the entry point's run ids read from the tail of its output file, its runs tagged
// through MLflow's REST API on a real `mlflow server`), checked against the real tools.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JOB_CLUSTER_TAG, JOB_ID_TAG, jobTags, mlflowRunIdsInLog } from '../../../src/core/jobs/mlflowJobRuns';
import { entryPointArgv } from '../../../src/core/jobs/runCommands';
import { syncProject } from '../../../src/core/jobs/sync/codeSync';
import { untranslated as l10n } from '../../../src/core/common/l10n';
import { endStep, type ExpectedResult } from '../../../src/core/jobs/sync/jobEndPlan';
import { readSlurmJobEnv } from '../../../src/core/provenance/jobEnd';
import { entryPointRunTags, JOB_PROVENANCE_FILE, jobProvenanceTags, readJobProvenance, saveSubmitPart, writeJobProvenance } from '../../../src/core/provenance/jobProvenance';
import { JOB_ENV_DIR } from '../../../src/core/provenance/jobScript';
import { captureSubmitPart } from '../../../src/core/provenance/jobSubmitCapture';
import { nodeRunner } from '../../../src/core/provenance/runner';
import { MlflowRestClient } from '../../../src/core/runs/mlflow/mlflowRestClient';
import { setRunTagRest } from '../../../src/core/runs/runMarks';
import { clusterSettings, planFromAnswers } from '../../../src/extension/jobs/clusterSettings';
import { readJobStreams } from '../../../src/extension/jobs/jobOutput';
import { runTooltipMarkdown } from '../../../src/extension/runs/runsModel';
import { examplesGitTree, requirePeer, slurmSuite } from '../harness';
import { startMlflowServer, type MlflowServer } from '../runs/mlflowServer';

describe('Jobs that do not complete, and MLflow entry points, record provenance (real Slurm over SSH)', function () {
  this.timeout(420000);
  const slurm = slurmSuite('job-end');
  let dir = '';
  let project = '';
  let peersBin = '';
  let server: MlflowServer | undefined;

  before(async function () {
    peersBin = path.dirname(realpathSync(requirePeer(this, 'mlflow')));
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-job-end-'));
    project = examplesGitTree(path.join(dir, 'project'));
    execFileSync('git', ['-C', project, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'example']);
    await syncProject({ localRoot: project, remoteRoot: slurm.remote, fs: slurm.fs, createRoot: true });
  });

  after(async function () {
    this.timeout(60000);
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Submits as RunOnCluster does (provenance on): the local half kept in the results folder; the job's end as the Jobs view sees it. */
  const run = async (argv: string[], opts: { timeLimit?: string; setup?: string[] } = {}) => {
    const part = await captureSubmitPart({ cwd: project, command: argv, local: nodeRunner, env: process.env });
    const [cluster] = clusterSettings([{ name: 'test', host: 'login', setup: [`export PATH=${peersBin}:$PATH`, ...(opts.setup ?? [])] }]);
    const plan = planFromAnswers(cluster, { command: '', cwd: slurm.remote, cpus: '1', timeLimit: opts.timeLimit ?? '10' }, { name: 'end', argv, provenanceDir: `${slurm.remote}/${JOB_ENV_DIR}` });
    const jobId = await slurm.submit(plan);
    const localDir = path.join(dir, 'home', jobId);
    await saveSubmitPart(localDir, part);
    const end = await slurm.jobEnded(jobId, 360000);
    return { jobId, localDir, end, commit: part.provenance.code.commit };
  };
  /** What ResultsHome decides for this job's end (provenance on, as RunOnCluster expects it). */
  const step = (jobId: string, end: Parameters<typeof endStep>[1], over: Partial<ExpectedResult> = {}) =>
    endStep({ cluster: 'test', jobId, remoteDir: slurm.remote, paths: ['dvclive'], localRoot: dir, what: 'test', array: false, provenance: true, ...over }, end);
  /** The end a job that did not complete records, as ResultsHome records it. */
  const endedOf = (jobId: string, end: Parameters<typeof endStep>[1]) => {
    const s = step(jobId, end);
    assert.equal(s.kind, 'provenance', end.raw);
    return s.kind === 'provenance' ? s.ended : undefined;
  };
  /** The hover of a run carrying the record's tags, as the Runs view shows a job's run. */
  const tooltip = (jobId: string, p: Parameters<typeof jobProvenanceTags>[0]) =>
    runTooltipMarkdown(l10n, { id: 'dvclive', experimentId: '0', name: `job ${jobId} (test)`, status: 'FINISHED', params: {}, metrics: {}, tags: { ...jobProvenanceTags(p), 'mlops.job.id': jobId } });
  const node = async () => {
    const res = await slurm.conn.exec(['sh', '-c', 'hostname; "$1"/python -c "import sys; print(sys.version.split()[0])"', 'sh', peersBin]);
    const [host, python] = res.stdout.trim().split('\n');
    return { host, python };
  };

  it('a job whose command exits 3: provenance.json holds exit 3 and the node\'s host and Python', async () => {
    const { jobId, localDir, end } = await run(['bash', '-c', 'exit 3']);
    assert.equal(end.state, 'failed', end.raw);
    const envText = await readSlurmJobEnv(slurm.fs, slurm.remote, jobId);
    assert.ok(envText, 'the node wrote its measurements');
    const p = await writeJobProvenance(localDir, envText, { cluster: 'test', jobId }, endedOf(jobId, end));
    assert.ok(p);
    const back = await readJobProvenance(localDir, localDir);
    assert.deepEqual(back, p, `${JOB_PROVENANCE_FILE} read back`);
    const { host, python } = await node();
    assert.equal(back.timing.exitCode, 3);
    assert.equal(back.timing.endReason, undefined, 'the command\'s own status, not a kill');
    assert.equal(back.environment.host, host);
    assert.equal(back.environment.python, python);
    assert.match(readFileSync(path.join(localDir, 'pip-freeze.txt'), 'utf8'), /^mlflow==/m);
    assert.doesNotMatch(tooltip(jobId, back), /ended early/, 'the command\'s own failure is no early end');
  });

  it('a job killed at its time limit: provenance.json says "killed by Slurm: TIMEOUT" beside the node\'s host', async () => {
    const { jobId, localDir, end } = await run(['sleep', '600'], { timeLimit: '1' });
    assert.equal(end.raw.split(/\s/)[0], 'TIMEOUT', end.raw);
    const envText = await readSlurmJobEnv(slurm.fs, slurm.remote, jobId);
    const p = await writeJobProvenance(localDir, envText, { cluster: 'test', jobId }, endedOf(jobId, end));
    const back = await readJobProvenance(localDir, localDir);
    assert.ok(p && back);
    assert.match(back.timing.endReason ?? '', /^killed by Slurm: TIMEOUT/);
    assert.equal(back.environment.host, (await node()).host);
    assert.match(tooltip(jobId, back), /\*\*Provenance\*\*[\s\S]*\n\njob ended early: killed by Slurm: TIMEOUT/);
  });

  it('an MLflow entry point: the run its output files name, on a real mlflow server, gets the job tags and mlflow.source.git.commit (read by MLflow\'s client)', async () => {
    server = await startMlflowServer(path.join(peersBin, 'mlflow'), path.join(dir, 'server'));
    // `--env-manager local`: the node has no virtualenv tooling for MLproject's python_env.
    const argv = [...entryPointArgv('prepare', {}), '--env-manager', 'local'];
    const { jobId, localDir, end, commit } = await run(argv, { setup: [`export MLFLOW_TRACKING_URI=${server.url}`] });
    const paths = end.stdoutPath ? { stdout: end.stdoutPath, stderr: end.stderrPath } : await slurm.backend.logPaths(jobId);
    assert.ok(paths.stdout && paths.stderr, 'Slurm names the output files');
    // As ResultsHome reads them: `mlflow run` writes its run id to stderr, the entry point to stdout.
    const log = await readJobStreams(l10n, (a, o) => slurm.conn.exec(a, o), paths);
    assert.equal(end.state, 'completed', `${end.raw}\n${log.slice(-3000)}`);
    const ids = mlflowRunIdsInLog(log);
    assert.equal(ids.length, 1, log.slice(-3000));
    const linked = step(jobId, end, { paths: [], mlflowRuns: true });
    assert.deepEqual(linked, { kind: 'linkRuns', provenance: {} }, 'a completed entry point: its runs tagged, no end reason');
    const tags = await entryPointRunTags(localDir, await readSlurmJobEnv(slurm.fs, slurm.remote, jobId), { cluster: 'test', jobId }, linked.kind === 'linkRuns' ? linked.provenance?.ended : undefined);
    const client = new MlflowRestClient(server.url);
    for (const change of [...Object.entries(tags).map(([key, value]) => ({ key, value })), ...jobTags({ cluster: 'test', jobId })]) await setRunTagRest(client, ids[0], change);
    const script = 'import json, sys, mlflow; r = mlflow.MlflowClient(sys.argv[1]).get_run(sys.argv[2]); print(json.dumps({"tags": r.data.tags, "entry": r.data.tags.get("mlflow.project.entryPoint"), "status": r.info.status}))';
    const read = JSON.parse(execFileSync(path.join(peersBin, 'python'), ['-c', script, server.url, ids[0]], { encoding: 'utf8' })) as { tags: Record<string, string>; entry: string; status: string };
    assert.equal(read.entry, 'prepare');
    assert.equal(read.status, 'FINISHED');
    assert.equal(read.tags[JOB_ID_TAG], jobId);
    assert.equal(read.tags[JOB_CLUSTER_TAG], 'test');
    assert.equal(read.tags['mlflow.source.git.commit'], commit);
    assert.equal(commit, execFileSync('git', ['-C', project, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim());
    const { host, python } = await node();
    assert.equal(read.tags['mlops.host'], host);
    assert.equal(read.tags['mlops.python'], python);
    assert.equal(read.tags['mlops.exitCode'], '0');
  });
});
