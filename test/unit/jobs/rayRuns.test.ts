// Runs of the views as Ray jobs, without a cluster: a grid as one request per combination
// sharing a label, the plan a stage / experiment / entry point makes (setup lines, cwd), the
// Jobs view keeping a grid together, and results home through the job's log — the printing
// step run for real (sh + python3 on a folder), its block read back, and damaged blocks.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RayBackend } from '../../../src/core/jobs/ray/rayBackend';
import { GRID_LABEL, GRID_TASK_LABEL, parseRayJobs } from '../../../src/core/jobs/ray/rayJobs';
import { logResultsFs, MAX_RESULT_BYTES, parseResultsLog, RESULTS_MARK, resultsStep } from '../../../src/core/jobs/ray/resultsInLog';
import { DVC_NO_SCM_SETUP, entryPointArgv, experimentArgv, GIT_SCRATCH_SETUP, gridOf, parseParams, stageArgv } from '../../../src/core/jobs/runCommands';
import { DEFAULT_FETCH_LIMITS, fetchResults, MAX_LISTED_FOR_EVENTS } from '../../../src/core/jobs/sync/fetchResults';
import { clusterSettings } from '../../../src/extension/jobs/clusterSettings';
import { rayRunPlan } from '../../../src/extension/jobs/rayClusterSettings';
import { groupGrids, shownEntrypoint } from '../../../src/extension/jobs/rayModel';

const cluster = clusterSettings([{ name: 'r', type: 'ray', address: 'head:8265', setup: ['source /opt/venv/bin/activate'] }])[0];

describe('Ray runs from the views', () => {
  const backend = new RayBackend({ address: 'http://head:8265', user: 'me' });
  after(() => backend.dispose());

  it('a stage, an experiment, an entry point: the argv in the dvc.yaml folder of the upload, the cluster\'s setup, then DVC\'s', () => {
    const stage = rayRunPlan(cluster, { gpus: '1', cpus: '2' }, { run: { name: 'prepare', argv: stageArgv('prepare') }, localDir: '/w', cwd: 'ml/project', results: ['dvc.lock'] });
    assert.deepEqual(stage.setup, ['source /opt/venv/bin/activate', DVC_NO_SCM_SETUP]);
    assert.deepEqual(stage.resources, { gpus: '1', cpus: 2 });
    const req = backend.request(stage, 'gcs://_ray_pkg_x.zip');
    const lines = req.entrypoint.split('\n');
    // private copy (2 lines), cd, setup lines, then the command with the results step.
    assert.equal(lines[2], "cd ml/project || exit 1");
    assert.equal(lines[3], 'source /opt/venv/bin/activate');
    assert.equal(lines[4], DVC_NO_SCM_SETUP);
    assert.ok(lines.slice(5).join('\n').startsWith('dvc repro -s prepare && { '));
    // The view shows the entrypoint without our own lines.
    assert.equal(shownEntrypoint(req.entrypoint), `cd ml/project || exit 1\nsource /opt/venv/bin/activate\n${DVC_NO_SCM_SETUP}\ndvc repro -s prepare`);
    assert.equal(req.entrypoint_num_gpus, 1);
    const exp = rayRunPlan(cluster, {}, { run: { name: 'exp', argv: experimentArgv({ 'train.epochs': '3' }) }, localDir: '/w', cwd: '' });
    assert.deepEqual(exp.setup, ['source /opt/venv/bin/activate', GIT_SCRATCH_SETUP]);
    const ep = rayRunPlan(cluster, { env: 'MLFLOW_TRACKING_URI=http://mlflow:5000' }, { run: { name: 'train', argv: entryPointArgv('train') }, localDir: '/w', cwd: '' });
    assert.deepEqual(ep.setup, ['source /opt/venv/bin/activate']);
    assert.deepEqual(ep.env, { MLFLOW_TRACKING_URI: 'http://mlflow:5000' });
    assert.throws(() => rayRunPlan(cluster, {}, { run: exp as never, localDir: '/w', cwd: '../x' }), /not a folder inside the project/);
    assert.throws(() => rayRunPlan(cluster, { memory: 'lots' }, { run: { name: 'e', argv: ['x'] }, localDir: '/w', cwd: '' }));
  });

  it('a grid is one request per combination: its values after the flag, a shared label, i/n, the combination in the name', () => {
    const parsed = parseParams('train.alpha=0.1,0.01 train.epochs=5,10 seed=1');
    const plan = rayRunPlan(cluster, {}, { run: { name: 'exp', argv: experimentArgv(parsed.fixed), array: gridOf(parsed, '-S', 2) }, localDir: '/w', cwd: '' });
    const reqs = backend.requests(plan, 'gcs://_ray_pkg_x.zip', 'grid-abc');
    assert.equal(reqs.length, 4);
    assert.deepEqual(reqs.map((r) => r.metadata[GRID_TASK_LABEL]), ['1/4', '2/4', '3/4', '4/4']);
    assert.ok(reqs.every((r) => r.metadata[GRID_LABEL] === 'grid-abc'));
    assert.equal(reqs[1].metadata['mlops-workbench-name'], 'exp train.alpha=0.1 train.epochs=10');
    assert.match(reqs[1].entrypoint, /\ndvc exp run -S seed=1 -S train\.alpha=0\.1 -S train\.epochs=10$/);
    const render = backend.render(plan);
    assert.match(render, /A grid of 4: one Ray job per combination/);
    assert.match(render, /Ray has no limit on jobs at once: 2 is not sent/);
    // Hydra-style (no flag): the words bare.
    const bare = backend.requests({ ...plan, setup: [], array: { combinations: [{ lr: '1' }] } }, undefined, 'g');
    assert.match(bare[0].entrypoint, / lr=1$/);
  });

  it('the view reads the grid label back and lists a grid\'s jobs together, in task order', () => {
    const rec = (id: string, task?: string) => ({ submission_id: id, status: 'RUNNING', entrypoint: 'x', metadata: { 'mlops-workbench': '1', ...(task ? { [GRID_LABEL]: 'grid-1', [GRID_TASK_LABEL]: task } : {}) } });
    const { jobs } = parseRayJobs([rec('a', '2/3'), rec('b'), rec('c', '1/3'), rec('d'), rec('e', '3/3')]);
    assert.equal(jobs[0].arrayJobId, 'grid-1');
    assert.deepEqual(groupGrids(jobs).map((j) => j.id), ['c', 'a', 'e', 'b', 'd']);
  });
});

describe('Ray results home through the job log', () => {
  let dir = '';
  let out = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-reslog-'));
    out = mkdtempSync(path.join(tmpdir(), 'mlops-reshome-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });
  const record = { cluster: 'r', jobId: 'raysubmit_1', remoteDir: 'gcs://x', fetchedAt: 'now' };
  /** The step as the job runs it: /bin/sh, the node's python3, in the job's folder; the log is its stdout. */
  const runStep = (paths: string[], before = 'true', eventPaths: string[] = []) => execFileSync('/bin/sh', ['-c', `${before} && ${resultsStep(paths, eventPaths)}`], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });

  it('prints files and folders (binary too) that come back byte for byte; missing paths and symlinks are said', async () => {
    mkdirSync(path.join(dir, 'dvclive', 'plots', 'metrics'), { recursive: true });
    writeFileSync(path.join(dir, 'dvclive', 'metrics.json'), '{"acc": 0.9}');
    const big = Buffer.alloc(100000, 7);
    big[5] = 0;
    writeFileSync(path.join(dir, 'dvclive', 'plots', 'metrics', 'acc.tsv'), big);
    writeFileSync(path.join(dir, 'params.yaml'), 'a: 1\n');
    symlinkSync('/etc/passwd', path.join(dir, 'dvclive', 'link'));
    const log = `training...\nepoch 1\n${runStep(['dvclive/', 'params.yaml', 'metrics.json'])}`;
    const printed = parseResultsLog(log)!;
    assert.ok(printed.complete);
    assert.deepEqual([...printed.files.keys()].sort(), ['dvclive/metrics.json', 'dvclive/plots/metrics/acc.tsv', 'params.yaml']);
    assert.deepEqual(printed.missing, ['metrics.json']);
    assert.deepEqual(printed.skipped, ['dvclive/link']);
    const report = await fetchResults({ fs: logResultsFs(printed), remoteDir: '', paths: ['dvclive', 'params.yaml', 'metrics.json'], localDir: out, record });
    assert.deepEqual(report.missing, ['metrics.json']);
    assert.deepEqual(readFileSync(path.join(out, 'dvclive', 'plots', 'metrics', 'acc.tsv')), big);
    assert.equal(readFileSync(path.join(out, 'params.yaml'), 'utf8'), 'a: 1\n');
  });

  it('of a cached output only its TensorBoard event files are printed and fetched, under the same caps; a symlink named like one is said', async () => {
    mkdirSync(path.join(dir, 'models', 'tb', 'train'), { recursive: true });
    const event = Buffer.from([0, 1, 2, 255]);
    writeFileSync(path.join(dir, 'models', 'model.pkl'), Buffer.alloc(1000, 1));
    writeFileSync(path.join(dir, 'models', 'tb', 'train', 'events.out.tfevents.1.host'), event);
    writeFileSync(path.join(dir, 'models', 'tb', 'weights.bin'), 'w');
    symlinkSync('/etc/passwd', path.join(dir, 'models', 'tb', 'events.out.tfevents.2.link'));
    writeFileSync(path.join(dir, 'weights.tfevents.pt'), 'a file output whose own name matches');
    writeFileSync(path.join(dir, 'model.pt'), 'a file output that does not');
    writeFileSync(path.join(dir, 'params.yaml'), 'a: 1\n');
    const printed = parseResultsLog(runStep(['params.yaml'], 'true', ['./models/', 'weights.tfevents.pt', 'model.pt', 'gone']))!;
    assert.ok(printed.complete);
    assert.deepEqual([...printed.files.keys()].sort(), ['models/tb/train/events.out.tfevents.1.host', 'params.yaml', 'weights.tfevents.pt']);
    assert.deepEqual(printed.skipped, ['models/tb/events.out.tfevents.2.link']);
    assert.deepEqual(printed.missing, ['gone']);
    // fetchResults filters again (the log is untrusted): a weights file printed anyway stays out.
    printed.files.set('models/model.pkl', Buffer.from('smuggled'));
    const report = await fetchResults({ fs: logResultsFs(printed), remoteDir: '', paths: ['params.yaml'], eventPaths: ['models', 'weights.tfevents.pt', 'model.pt'], localDir: out, record });
    assert.deepEqual(report.files.sort(), ['models/tb/train/events.out.tfevents.1.host', 'params.yaml', 'weights.tfevents.pt']);
    assert.deepEqual(report.missing, [], 'an absent cached output is not reported missing');
    assert.deepEqual(readFileSync(path.join(out, 'models', 'tb', 'train', 'events.out.tfevents.1.host')), event);
    assert.ok(!existsSync(path.join(out, 'models', 'model.pkl')));
  });

  it('event files count against the printing caps like any result', () => {
    mkdirSync(path.join(dir, 'models'), { recursive: true });
    writeFileSync(path.join(dir, 'models', 'events.out.tfevents.1.big'), Buffer.alloc(MAX_RESULT_BYTES + 1));
    writeFileSync(path.join(dir, 'models', 'events.out.tfevents.2.small'), 'x');
    const printed = parseResultsLog(runStep([], 'true', ['models']))!;
    assert.deepEqual([...printed.files.keys()], ['models/events.out.tfevents.2.small']);
    assert.deepEqual(printed.skipped, ['models/events.out.tfevents.1.big']);
  });

  it('fetchResults keeps its caps for event files: past maxFiles they are left out and said', async () => {
    const files = new Map([['models/a/events.out.tfevents.1', Buffer.from('1')], ['models/b/events.out.tfevents.2', Buffer.from('2')], ['models/w.bin', Buffer.from('w')]]);
    const report = await fetchResults({ fs: logResultsFs({ files, missing: [], skipped: [], complete: true }), remoteDir: '', paths: [], eventPaths: ['models'], localDir: out, record, limits: { maxFiles: 1, maxBytes: 100, maxDepth: 4 } });
    assert.equal(report.files.length, 1);
    assert.equal(report.skipped.length, 1);
    assert.ok(report.skipped[0].includes('tfevents'), 'the weights file is not even a candidate');
    // Nested event paths (`models` and `models/a`, a trailing slash) walk each file once.
    const again = await fetchResults({ fs: logResultsFs({ files, missing: [], skipped: [], complete: true }), remoteDir: '', paths: [], eventPaths: ['models', 'models/', 'models/a', './models/a/events.out.tfevents.1'], localDir: out, record });
    assert.deepEqual(again.files.sort(), ['models/a/events.out.tfevents.1', 'models/b/events.out.tfevents.2']);
  });

  it('a huge cached output is looked through only so far, on both sides, and said', async function () {
    this.timeout(60000);
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    for (let i = 0; i < 10; i++) writeFileSync(path.join(dir, 'data', `part-${i}`), '');
    const files = new Map(Array.from({ length: 10 }, (_, i) => [`data/d${i}/events.out.tfevents.${i}`, Buffer.from('e')] as [string, Buffer]));
    const report = await fetchResults({ fs: logResultsFs({ files, missing: [], skipped: [], complete: true }), remoteDir: '', paths: [], eventPaths: ['data'], localDir: out, record, limits: { ...DEFAULT_FETCH_LIMITS, maxListed: 5 } });
    assert.deepEqual(report.files, []);
    assert.deepEqual(report.skipped, ['data/...']);
    // The emitter's bound (MAX_LISTED_FOR_EVENTS entries, too many to make here): under it, a folder is looked through whole.
    const printed = parseResultsLog(runStep([], 'true', ['data']))!;
    assert.deepEqual(printed.skipped, []);
    // Past it, the cached output is said as left out and not printed from.
    execFileSync('python3', ['-c', `import os\nos.makedirs('big')\nfor i in range(${MAX_LISTED_FOR_EVENTS}): open('big/%d' % i, 'w').close()\nopen('big/events.out.tfevents.1', 'w').write('e')`], { cwd: dir });
    const capped = parseResultsLog(runStep([], 'true', ['big']))!;
    assert.deepEqual([...capped.files.keys()], []);
    assert.deepEqual(capped.skipped, ['big/...']);
  });

  it('not printed when the command failed, and the job keeps the command\'s status', () => {
    writeFileSync(path.join(dir, 'params.yaml'), 'a: 1\n');
    let status = 0;
    let stdout = '';
    try {
      execFileSync('/bin/sh', ['-c', `sh -c 'exit 3' && ${resultsStep(['params.yaml'])}`], { cwd: dir, encoding: 'utf8' });
    } catch (e) {
      status = (e as { status: number }).status;
      stdout = (e as { stdout: string }).stdout;
    }
    assert.equal(status, 3);
    assert.equal(parseResultsLog(stdout), undefined);
  });

  it('damaged blocks: cut short, bad base64, a size that lies, names leaving the folder — kept out, never thrown', async () => {
    const b = (s: string) => Buffer.from(s).toString('base64');
    const M = RESULTS_MARK;
    const cut = `${M} BEGIN 1\n${M} F ${b('a.txt')} 5\n${M} D ${b('hello')}\n${M} F ${b('b.txt')} 10\n${M} D ${b('short')}`;
    const p1 = parseResultsLog(cut)!;
    assert.equal(p1.complete, false);
    assert.deepEqual([...p1.files.keys()], ['a.txt']);
    assert.deepEqual(p1.skipped, ['b.txt']);
    const bad = `${M} BEGIN 1\n${M} F ${b('c.txt')} 3\n${M} D !!!\n${M} F ${b('d.txt')} 2\n${M} D ${b('toolong')}\n${M} F ${b('../escape')} 1\n${M} D ${b('x')}\n${M} F ${b('e')} -1\n${M} END 1\n`;
    const p2 = parseResultsLog(bad)!;
    assert.deepEqual([...p2.files.keys()], ['../escape']);
    assert.deepEqual(p2.skipped.sort(), ['c.txt', 'd.txt', 'e']);
    // fetchResults refuses the name that would leave the results folder.
    const report = await fetchResults({ fs: logResultsFs(p2), remoteDir: '', paths: ['../escape'], localDir: out, record });
    assert.deepEqual(report.files, []);
    assert.deepEqual(report.skipped, ['../escape']);
    assert.equal(parseResultsLog('no block here\n'), undefined);
    assert.equal(parseResultsLog(`echo ${M} BEGIN 1`), undefined, 'a marker inside a line is not a block');
    // The last block wins (a job run twice in one log).
    const two = parseResultsLog(`${M} BEGIN 1\n${M} F ${b('x')} 1\n${M} D ${b('1')}\n${M} END 1\n${M} BEGIN 1\n${M} F ${b('x')} 1\n${M} D ${b('2')}\n${M} END 1\n`)!;
    assert.equal(two.files.get('x')?.toString(), '2');
  });
});
