import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';
import type { JobNode, JobsNode, JobsTreeProvider, RecordNode } from '../../../src/extension/jobs/jobsTree';
import type { RunNode, RunsNode, RunsTreeProvider } from '../../../src/extension/runs/runsTree';
import { runnerAsker } from '../askRunner';
import { waitFor } from '../waitFor';

// Jobs submitted from the UI to real clusters, the way a user does it: the browser half
// (test/e2e/jobsChecks.mjs) runs the command from the palette, answers its QuickPicks and
// input boxes and clicks Submit under the shown batch script; this half checks what the
// extension host then sees. Slurm: the components of scripts/components/up.sh (slurmctld +
// slurmd reached through the loopback sshd, which the E2E settings name loopback-ssh); the
// example's stages prepare then train run with `dvc repro -s` in the synced copy; train's
// DVCLive output comes home and shows in the Runs view as the run of its job. Ray: the two
// nodes of scripts/components/ray.sh, started here and stopped after.

const STATE = process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test';
const REPO = process.env.MLOPS_E2E_REPO ?? '';
const SLURM = 'e2e-slurm';
const RAY = 'e2e-ray';
/** The SSH host of the E2E settings for the loopback sshd (test/e2e/profile.mjs E2E_SSH_HOST). */
const SSH_HOST = 'loopback-ssh';
// A stage's job: dvc and Python start on a loaded 2-core machine, then the stage itself.
const JOB_MS = 150000;

/** Skips with the reason locally; under CI a missing component fails the suite (as the integration tiers do). */
function requireOrSkip(ctx: Mocha.Context, why: string | undefined): void {
  if (!why) return;
  if (process.env.CI === 'true' || process.env.MLOPS_REQUIRE_INTEGRATION === '1') throw new Error(`required for CI: ${why}`);
  console.log(`      (skipped: ${why})`);
  ctx.skip();
}

function components(): { ssh?: { host: string }; slurm?: { partition: string; gres: string } } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(STATE, 'components.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

async function api(): Promise<MlopsApi> {
  const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  assert.ok(ext);
  return ext.activate();
}

function label(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

interface Row {
  /** The group node it is under: My jobs / Jobs (still active) or History / Ended jobs. */
  group: 'jobs' | 'history';
  label: string;
  description: string;
  icon: string;
  node: JobsNode;
}

/** Every job row of `cluster` in the Jobs view as the tree gives it: under My jobs and History. */
async function jobRows(t: JobsTreeProvider, cluster: string): Promise<Row[]> {
  const out: Row[] = [];
  const top = await t.getChildren({ kind: 'cluster', name: cluster });
  for (const g of top.filter((n) => n.kind === 'jobs' || n.kind === 'history')) {
    const group = g.kind as Row['group'];
    for (const n of await t.getChildren(g)) {
      if (n.kind !== 'job' && n.kind !== 'record') continue;
      const item = t.getTreeItem(n);
      out.push({ group, label: label(item), description: String(item.description ?? ''), icon: (item.iconPath as vscode.ThemeIcon).id, node: n });
    }
  }
  return out;
}

const jobIdOf = (r: Row): string => (r.node.kind === 'job' ? (r.node as JobNode).job.id : (r.node as RecordNode).record.jobId);

/** Reads the cluster again (as Refresh Jobs does) until `pick` finds what it waits for in the rows. */
async function pollJobs<T>(t: JobsTreeProvider, cluster: string, what: string, pick: (rows: Row[]) => T | undefined, ms = JOB_MS): Promise<T> {
  let last: Row[] = [];
  try {
    return await waitFor(async () => {
      await vscode.commands.executeCommand('mlops.refreshJobs');
      last = await jobRows(t, cluster);
      return pick(last);
    }, what, ms);
  } catch (e) {
    throw new Error(`${(e as Error).message}; rows: ${JSON.stringify(last.map((r) => `${r.group}: ${r.label} — ${r.description}`))}`);
  }
}

/** Every run of the Runs view, walking sources → groups → runs, with the labels of the rows above it. */
async function allRuns(t: RunsTreeProvider): Promise<Array<{ node: RunNode; path: string[] }>> {
  const out: Array<{ node: RunNode; path: string[] }> = [];
  let level: Array<{ node: RunsNode | undefined; path: string[] }> = [{ node: undefined, path: [] }];
  for (let depth = 0; depth < 4 && level.length; depth++) {
    const next: typeof level = [];
    for (const { node, path: above } of level) {
      for (const c of await t.getChildren(node)) {
        if ((c as RunNode).run) out.push({ node: c as RunNode, path: above });
        else next.push({ node: c, path: [...above, label(t.getTreeItem(c))] });
      }
    }
    level = next;
  }
  return out;
}

/** Hides the views `ids` for a screenshot (as a user closes them); the returned function shows them again. */
async function hideViews(ids: string[]): Promise<() => Promise<void>> {
  const hidden: string[] = [];
  for (const id of ids) {
    const r = await vscode.commands.executeCommand(`${id}.removeView`).then(() => 'hidden', (e: Error) => e.message);
    if (r === 'hidden') hidden.push(id);
    else console.log(`      (could not hide ${id} for the screenshot: ${r})`);
  }
  return async () => {
    for (const id of hidden) await vscode.commands.executeCommand(`${id}.focus`).then(undefined, () => undefined);
    await vscode.commands.executeCommand('mlops.jobs.focus').then(undefined, () => undefined);
  };
}

/**
 * Closes the editors, the untitled ones (the batch script, the Ray request) reverted first:
 * closing a dirty untitled editor asks to save it, and that modal would hold the suite.
 */
async function closeEditors(): Promise<void> {
  for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
    if (!(tab.input instanceof vscode.TabInputText) || tab.input.uri.scheme !== 'untitled') continue;
    await vscode.window.showTextDocument(tab.input.uri, { preview: false });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

// One asker for both suites: the runner answers the requests in one numbered sequence.
const ask = runnerAsker('jobs', JOB_MS);

function rayScript(verb: 'up' | 'down'): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [path.join(REPO, 'scripts/components/ray.sh'), verb], { timeout: 180000, env: { ...process.env, MLOPS_TEST_STATE: STATE } }, (err, stdout, stderr) =>
      err ? reject(new Error(`ray.sh ${verb}: ${stderr.trim() || err.message}`)) : resolve(stdout),
    );
  });
}

describe('Jobs: submit from the UI to a real cluster and see the result', function () {
  this.timeout(JOB_MS * 2 + 120000);
  const cfg = () => vscode.workspace.getConfiguration('mlops');
  let jobs: JobsTreeProvider;
  let remoteRoot = '';
  let prepared = false;
  const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;

  before(async function () {
    // A browser to answer the questions: the code-server runner (desktop VS Code has none).
    if (!process.env.MLOPS_E2E_SHOT_READY) return this.skip();
    const c = components();
    requireOrSkip(this, !c?.ssh ? `no sshd in ${STATE}/components.json (bash scripts/components/up.sh starts it)` : !c.slurm ? `no Slurm in ${STATE}/components.json (bash scripts/components/up.sh starts it as root)` : undefined);
    requireOrSkip(this, cfg().get<Array<{ name: string }>>('hosts', []).some((h) => h.name === SSH_HOST) ? undefined : `the E2E settings have no SSH host ${SSH_HOST}`);
    // The stage runs dvc, python and DVCLive from the peers' venv, on the same machine as the login node.
    requireOrSkip(this, process.env.MLOPS_E2E_EXAMPLE_RAN === '1' ? undefined : 'the example sandbox did not run (no peers venv: bash scripts/setup/peers.sh)');
    // The venv's own bin (its python is a link to the system one: not resolved past the venv).
    const venvBin = path.join(fs.realpathSync(path.join(REPO, '.venv-peers')), 'bin');
    jobs = (await api()).views.jobs as unknown as JobsTreeProvider;
    // Absent on purpose: the first submit asks to create it (a modal the browser answers).
    remoteRoot = `${STATE}/slurm-jobs/e2e-${process.pid}-${randomBytes(3).toString('hex')}`;
    // Machine scope: only the user's own settings can name a cluster (code-server keeps them on the remote side).
    await cfg().update('clusters', [{ name: SLURM, host: SSH_HOST, remoteRoot, partition: c!.slurm!.partition, setup: [`export PATH=${venvBin}:$PATH`] }], vscode.ConfigurationTarget.Global);
    await waitFor(() => jobs.clusters().some((x) => x.name === SLURM), 'the cluster setting to be read');
  });

  after(async () => {
    if (!jobs) return;
    await cfg().update('clusters', undefined, vscode.ConfigurationTarget.Global);
    // The synced copy and the jobs' output on the "cluster" (this machine, through the sshd).
    if (remoteRoot) fs.rmSync(remoteRoot, { recursive: true, force: true });
    fs.rmSync(path.join(folder(), '.mlops'), { recursive: true, force: true });
    await closeEditors();
  });

  const stageAsk = (stage: string, first: boolean) => ({
    command: 'MLOps: Run Stage on Cluster',
    stageHint: 'Stage to run on the cluster',
    stage,
    partitionHint: 'Partition',
    partition: components()!.slurm!.partition,
    // GPUs as users write them: A100:1 becomes --gres=gpu:a100:1 (the test node has two stand-ins).
    inputs: [
      { prompt: 'GPUs', value: 'A100:1' },
      { prompt: 'CPUs', value: '1' },
      { prompt: 'Memory', value: '' },
      { prompt: 'Time limit', value: '10' },
    ],
    ...(first ? { modal: 'does not exist on', modalButton: 'Create Folder' } : {}),
    question: 'submit this batch script to',
    button: 'Submit',
  });

  /** Submits `stage` through the UI; the id of the new job the Jobs view then lists. */
  async function submitStage(stage: string, first: boolean): Promise<string> {
    const before = new Set((await jobRows(jobs, SLURM)).map(jobIdOf));
    await ask(`Run Stage on Cluster: ${stage} with A100:1, 1 CPU, 10 minutes; Submit on the shown script`, 'run-stage', stageAsk(stage, first));
    // The script shown before the question is what went to sbatch.
    const doc = vscode.workspace.textDocuments.find((d) => d.isUntitled && d.languageId === 'shellscript' && d.getText().includes(`dvc repro -s ${stage}`));
    assert.ok(doc, 'no batch script was shown in an editor');
    assert.match(doc.getText(), /^#SBATCH --gres=gpu:a100:1$/m);
    assert.match(doc.getText(), /^#SBATCH --time=10$/m);
    const row = await pollJobs(jobs, SLURM, `a new ${stage} job in the Jobs view`, (rows) => rows.find((r) => !before.has(jobIdOf(r)) && r.label.endsWith(` ${stage}`)));
    return jobIdOf(row);
  }

  /** Polls the view until job `id` is under History; fails with its output if it did not complete. */
  async function finished(id: string, stage: string): Promise<Row> {
    const row = await pollJobs(jobs, SLURM, `job ${id} (${stage}) under History`, (rows) => rows.find((r) => jobIdOf(r) === id && r.group === 'history'));
    if (row.icon !== 'pass') {
      // The job's stderr (#SBATCH --error=<cwd>/.mlops/jobs/%x-%j.err); the "cluster" is this machine.
      const file = path.join(remoteRoot, '.mlops', 'jobs', `${stage}-${id}.err`);
      const err = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(-2000) : `(no ${file})`;
      assert.fail(`job ${id} (${stage}) ended: ${row.description}\n${err}`);
    }
    assert.match(row.description, /^completed/);
    return row;
  }

  it('runs the example stage prepare on Slurm from the palette: the job is listed, then completed under History', async () => {
    const id = await submitStage('prepare', true);
    await finished(id, 'prepare');
    prepared = true;
    // Where the job ran: the synced copy on the cluster, with what the stage wrote.
    assert.ok(fs.existsSync(path.join(remoteRoot, 'data', 'prepared', 'train.csv')), 'prepare wrote no data/prepared/train.csv in the remote root');
    // prepare writes no DVCLive: the dvclive/ synced from this project's own run is not its
    // result (the record comes last, once results home is done with the job).
    const home = path.join(folder(), '.mlops', 'jobs', SLURM, id);
    await waitFor(() => fs.existsSync(path.join(home, 'mlops-job.json')), `results home to be done with job ${id}`, 60000);
    assert.ok(!fs.existsSync(path.join(home, 'dvclive')), `prepare's job ${id} brought a dvclive/ home that it did not write`);
  });

  it('runs train the same way; its DVCLive run comes home and shows in the Runs view tagged with the job id', async () => {
    // train reads what prepare wrote on the cluster (data/prepared is DVC's, never synced).
    assert.ok(prepared, 'prepare did not complete on the cluster, so train cannot run there');
    const id = await submitStage('train', false);
    await finished(id, 'train');
    const runs = (await api()).views.runs as unknown as RunsTreeProvider;
    let seen: string[] = [];
    const found = await waitFor(async () => {
      const all = await allRuns(runs);
      seen = all.map((r) => `${r.node.run.name} ${JSON.stringify(r.node.run.tags['mlops.job.id'] ?? '')}`);
      return all.find((r) => r.node.run.tags['mlops.job.id'] === id);
    }, `the run of job ${id} in the Runs view`, 60000).catch((e: Error) => assert.fail(`${e.message}; runs: ${JSON.stringify(seen)}`));
    const run = found.node;
    assert.equal(found.path[0], 'DVCLive');
    assert.equal(run.run.name, `job ${id} (${SLURM})`);
    assert.equal(run.run.tags['mlops.job.cluster'], SLURM);
    // train logs these per epoch with DVCLive; what came home is what the job wrote.
    for (const k of ['train_loss', 'test_accuracy']) assert.equal(typeof run.run.metrics[k]?.value, 'number', `${k} in ${JSON.stringify(Object.keys(run.run.metrics))}`);
    const local = path.join(folder(), '.mlops', 'jobs', SLURM, id, 'dvclive', 'metrics.json');
    assert.deepEqual(JSON.parse(fs.readFileSync(local, 'utf8')), JSON.parse(fs.readFileSync(path.join(remoteRoot, 'dvclive', 'metrics.json'), 'utf8')));

    // The Jobs view as the user sees it (docs/screenshots/jobs-submit.png comes from this shot).
    await closeEditors();
    await vscode.commands.executeCommand('notifications.clearAll');
    const showAgain = await hideViews(['mlops.workspaces', 'mlops.data', 'mlops.pipelines']);
    try {
      await ask('the Jobs view shows the finished train job under History, the Runs view its run (screenshot e2e-jobs-submit.png)', 'jobs-shot', {
        panes: [
          { name: 'Runs', collapse: ['MLflow', 'DVC experiments'], expand: found.path, rows: [run.run.name] },
          { name: 'Jobs', collapse: ['Partitions'], expand: ['History'], rows: ['My jobs', 'History', `${id} train`] },
        ],
        sideBarWidth: 640,
        shot: 'e2e-jobs-submit.png',
      });
    } finally {
      await showAgain();
    }
  });
});

describe('Jobs: submit a command from the UI to a real Ray cluster and see it succeed', function () {
  this.timeout(JOB_MS + 240000);
  const cfg = () => vscode.workspace.getConfiguration('mlops');
  let jobs: JobsTreeProvider;
  let startedHere = false;

  before(async function () {
    this.timeout(240000);
    if (!process.env.MLOPS_E2E_SHOT_READY) return this.skip();
    requireOrSkip(this, fs.existsSync(path.join(REPO, '.venv-ray', 'bin', 'ray')) ? undefined : `${path.join(REPO, '.venv-ray')} is missing (bash scripts/setup/ray.sh builds it)`);
    let out = '';
    try {
      out = await rayScript('up');
    } catch (e) {
      requireOrSkip(this, (e as Error).message);
    }
    startedHere = /^RAY_STARTED=1$/m.test(out);
    const dashboard = /^RAY_DASHBOARD=(\S+)$/m.exec(out)?.[1];
    requireOrSkip(this, dashboard ? undefined : `ray.sh up printed no RAY_DASHBOARD: ${out.slice(-500)}`);
    jobs = (await api()).views.jobs as unknown as JobsTreeProvider;
    await cfg().update('clusters', [{ name: RAY, type: 'ray', address: dashboard }], vscode.ConfigurationTarget.Global);
    await waitFor(() => jobs.clusters().some((x) => x.name === RAY), 'the Ray cluster setting to be read');
  });

  after(async function () {
    this.timeout(120000);
    if (jobs) await cfg().update('clusters', undefined, vscode.ConfigurationTarget.Global);
    await closeEditors();
    if (startedHere) await rayScript('down').catch((e: Error) => console.log(`      (${e.message})`));
  });

  it('Submit Command to Cluster… runs a python command as a Ray job; the Jobs view shows it SUCCEEDED', async () => {
    const before = new Set((await jobRows(jobs, RAY)).map(jobIdOf));
    const command = `python -c "print('hello from the e2e ray job')"`;
    await ask('Submit Command to Cluster… on the Ray cluster: a python command, no GPU; Submit on the shown request', 'submit-command', {
      command: 'MLOps: Submit Command to Cluster…',
      inputs: [
        { prompt: 'Command to run as a Ray job', value: command },
        { prompt: 'GPUs for the entrypoint', value: '' },
        { prompt: 'CPUs for the entrypoint', value: '' },
        { prompt: 'Memory for the entrypoint', value: '' },
        { prompt: 'pip packages', value: '' },
        { prompt: 'Environment variables', value: '' },
      ],
      question: 'submit this Ray job to',
      button: 'Submit',
    });
    const request = vscode.workspace.textDocuments.find((d) => d.isUntitled && d.getText().includes('hello from the e2e ray job'));
    assert.ok(request, 'no Ray job request was shown in an editor');
    const row = await pollJobs(jobs, RAY, 'the new Ray job SUCCEEDED under History', (rows) => {
      const mine = rows.find((r) => !before.has(jobIdOf(r)));
      if (mine && mine.group === 'history' && mine.icon !== 'pass') throw new Error(`the Ray job ended: ${mine.description}`);
      return mine?.group === 'history' ? mine : undefined;
    });
    assert.match(row.description, /· succeeded/);
    await closeEditors();
    await vscode.commands.executeCommand('notifications.clearAll');
    const showAgain = await hideViews(['mlops.workspaces', 'mlops.runs', 'mlops.data', 'mlops.pipelines']);
    try {
      await ask('the Jobs view shows the succeeded Ray job under Ended jobs (screenshot e2e-jobs-ray.png)', 'jobs-shot', {
        panes: [{ name: 'Jobs', expand: ['Nodes', 'Ended jobs'], rows: ['Nodes', 'Ended jobs', row.label] }],
        sideBarWidth: 640,
        shot: 'e2e-jobs-ray.png',
      });
    } finally {
      await showAgain();
    }
  });
});
