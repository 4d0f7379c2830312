// What each DVC experiment lifecycle command does: ask (the rows, the remote, a name),
// confirm what cannot be undone, run dvc (expCli.ts) with progress and cancel (cancel ends
// the dvc process), and refresh the Runs view after. A run now is a VS Code task instead:
// it trains for as long as the pipeline takes, its output streams to the terminal, and the
// pipelines' task listener refreshes the views when it ends. Failures are thrown as DVC's
// message with a next step; the command wrapper shows them.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DVC_TASK_TYPE } from '../../core/pipelines/rerunPlans';
import { runState } from '../../core/runs/dvc/dvcExpActive';
import { followQueueLog, queueLogs, remoteExperiments, runExpCommand } from '../../core/runs/dvc/expCli';
import {
  applyArgs,
  branchArgs,
  checkJobs,
  gridSize,
  pullArgs,
  pushArgs,
  queueExperimentArgs,
  queueKillArgs,
  queueStartArgs,
  queueStopArgs,
  refNameProblem,
  removeArgs,
  renameArgs,
  runExperimentArgs,
  setParamArgs,
  MAX_JOBS,
} from '../../core/runs/dvc/expLifecycle';
import { cliEnv, requireCli } from '../pipelines/cliTools';
import { showInfo, showWarning } from '../notify';
import type { RunsNode, RunsTreeProvider } from '../runs/runsTree';
import { loadLazy } from '../lazy/load';
import { askExperiment, type ExpForm } from './expQueueForm';
import { pickProject, pickRows, type ExpProject, type ExpRow } from './expTargets';

/** The git questions two commands ask, bundled apart with simple-git (dist/lazy/dataLib.js): activation does not parse them. */
const gitQueries = () => loadLazy<typeof import('../lazy/dataLib')>('dataLib');

export interface ExpCommandDeps {
  runs: RunsTreeProvider;
  log: vscode.LogOutputChannel;
}

type Node = RunsNode | undefined;
type Nodes = readonly RunsNode[] | undefined;

const START_WORKERS_COMMAND = 'mlops.dvcExp.startQueue';

export class ExpCommands {
  /** The output channel of each followed experiment log, by project and experiment. */
  private readonly logs = new Map<string, { channel: vscode.OutputChannel; following: boolean; abort: AbortController }>();

  constructor(private readonly deps: ExpCommandDeps) {}

  /** dvc in `root` with a cancellable notification; the Runs view is read again after, failed or not. */
  private async dvc(root: string, title: string, args: string[]): Promise<string> {
    const exe = await requireCli('dvc', title);
    if (!exe) throw cancelled();
    this.deps.log.info(`DVC experiments: dvc ${args.join(' ')} (in ${root})`);
    try {
      const { stdout } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MLOps: ${title}`, cancellable: true }, (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return runExpCommand(exe, root, args, { signal: abort.signal, onLine: (line) => progress.report({ message: line.length > 120 ? `${line.slice(0, 117)}…` : line }) });
      });
      return stdout;
    } finally {
      void this.deps.runs.refresh({ cause: 'command' });
    }
  }

  async queue(node?: Node, form?: ExpForm): Promise<void> {
    const project = await pickProject(this.deps.runs, node);
    if (!project) return;
    form ??= await askExperiment(project.root, 'queue');
    if (!form) return;
    const size = gridSize(form.overrides);
    const args = queueExperimentArgs(form);
    await this.dvc(project.root, size > 1 ? vscode.l10n.t('queueing {0} experiments', size) : vscode.l10n.t('queueing an experiment'), args);
    const start = vscode.l10n.t('Start Queue Workers…');
    const done = size > 1 ? vscode.l10n.t('queued {0} experiments. They run when queue workers start.', size) : vscode.l10n.t('queued the experiment. It runs when a queue worker starts.');
    if ((await showInfo(done, start)) === start) await vscode.commands.executeCommand(START_WORKERS_COMMAND, node);
  }

  async runNow(node?: Node, form?: ExpForm): Promise<void> {
    const project = await pickProject(this.deps.runs, node);
    if (!project) return;
    form ??= await askExperiment(project.root, 'run');
    if (!form) return;
    const args = runExperimentArgs(form);
    const exe = await requireCli('dvc', vscode.l10n.t('run an experiment'));
    if (!exe) return;
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(project.root));
    // The pipelines' rerun type, so its end refreshes the Pipelines, Runs and Data views (reruns.ts).
    const cwd = folder ? path.relative(folder.uri.fsPath, project.root).split(path.sep).join('/') || undefined : project.root;
    const definition = { type: DVC_TASK_TYPE, action: 'exp-run', set: form.overrides.flatMap(setParamArgs), cwd };
    const set = form.overrides.flatMap(setParamArgs).join(', ');
    const task = new vscode.Task(definition, folder ?? vscode.TaskScope.Workspace, set ? `Run experiment with ${set}` : 'Run experiment', 'MLOps', new vscode.ProcessExecution(exe, args, { cwd: project.root, env: cliEnv(exe) }), []);
    task.detail = `dvc ${args.join(' ')}`;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
    this.deps.log.info(`DVC experiments: ${task.detail} (in ${project.root}), as a task`);
    await vscode.tasks.executeTask(task);
  }

  async startWorkers(node?: Node, jobs?: number): Promise<void> {
    const project = await pickProject(this.deps.runs, node);
    if (!project) return;
    if (jobs === undefined) {
      const input = await vscode.window.showInputBox({
        title: vscode.l10n.t('Start Queue Workers'),
        prompt: vscode.l10n.t('How many experiments run at once (dvc queue start -j N)? Each worker runs one queued experiment at a time.'),
        value: '1',
        validateInput: (v) => (/^\d+$/.test(v.trim()) && +v >= 1 && +v <= MAX_JOBS ? undefined : vscode.l10n.t('A whole number from 1 to {0}.', MAX_JOBS)),
      });
      if (input === undefined) return;
      jobs = Number(input.trim());
    }
    await this.dvc(project.root, vscode.l10n.t('starting {0} queue worker(s)', checkJobs(jobs)), queueStartArgs(jobs));
    void showInfo(vscode.l10n.t('queue workers started: queued experiments run in the background and the Runs view follows them. A failed one shows its error with Show Experiment Log.'));
  }

  async stopWorkers(node?: Node, kill?: boolean): Promise<void> {
    const project = await pickProject(this.deps.runs, node);
    if (!project) return;
    if (kill === undefined) {
      const items = [
        { label: vscode.l10n.t('Stop after the running experiments finish'), description: 'dvc queue stop', kill: false },
        { label: vscode.l10n.t('Stop now, killing the running experiments'), description: 'dvc queue stop --kill', kill: true },
      ];
      const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Stop Queue Workers') });
      if (!pick) return;
      kill = pick.kill;
    }
    await this.dvc(project.root, vscode.l10n.t('stopping the queue workers'), queueStopArgs({ kill }));
  }

  async kill(node?: Node, nodes?: Nodes): Promise<void> {
    const rows = await pickRows(this.deps.runs, { states: ['running'], title: vscode.l10n.t('Kill Experiment'), many: true }, node, nodes);
    if (!rows.length || !(await confirm(vscode.l10n.t('Kill {0}?', names(rows)), vscode.l10n.t('The run stops now and is shown failed; its log stays readable.'), vscode.l10n.t('Kill')))) return;
    await this.dvc(rows[0].project.root, vscode.l10n.t('killing {0}', names(rows)), queueKillArgs(rows.map((r) => r.target)));
  }

  /**
   * Opens `dvc queue logs` in an editor, or for a running experiment follows it in an output
   * channel until the run ends; returns the text (for scripts and tests).
   */
  async showLog(node?: Node): Promise<string | undefined> {
    const [row] = await pickRows(this.deps.runs, { states: ['running', 'failed', 'done'], title: vscode.l10n.t('Show Experiment Log') }, node);
    if (!row) return undefined;
    const exe = await requireCli('dvc', vscode.l10n.t('show an experiment log'));
    if (!exe) return undefined;
    if (row.state === 'running') return this.follow(row, exe);
    const text = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: reading the log of {0}', row.run.name), cancellable: true }, (_p, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return queueLogs(exe, row.project.root, row.target, { signal: abort.signal });
    });
    const header = `# dvc queue logs ${row.target} (${row.state})\n`;
    const doc = await vscode.workspace.openTextDocument({ content: header + (text.trim() ? text : vscode.l10n.t('(no output yet)\n')), language: 'log' });
    await vscode.window.showTextDocument(doc, { preview: true });
    return text;
  }

  /**
   * The log of a running experiment as it is written, into an output channel of its own,
   * with a notification whose Cancel stops following (the run goes on). Following ends when
   * the run does (or its worker dies); a second Show Experiment Log of it only reveals it.
   */
  private async follow(row: ExpRow, exe: string): Promise<string | undefined> {
    const key = `${row.project.root}\n${row.target}`;
    const open = this.logs.get(key);
    if (open?.following) {
      open.channel.show(true);
      return undefined;
    }
    const channel = open?.channel ?? vscode.window.createOutputChannel(vscode.l10n.t('MLOps: Experiment Log {0}', row.run.name));
    const entry = { channel, following: true, abort: new AbortController() };
    this.logs.set(key, entry);
    channel.clear();
    channel.show(true);
    this.deps.log.info(`DVC experiments: dvc queue logs -f ${row.target} (in ${row.project.root})`);
    // After dispose() (the extension stops) the channel is gone: nothing more is written to it.
    const write = (text: string) => this.logs.get(key) === entry && channel.append(text);
    try {
      const { text, end } = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: following the log of {0} (Cancel stops following; the experiment goes on)', row.run.name), cancellable: true },
        (_p, token) => {
          token.onCancellationRequested(() => entry.abort.abort());
          return followQueueLog(exe, row.project.root, row.target, { signal: entry.abort.signal, onOutput: write, died: async () => (await runState(row.project.root, row.run)) === 'died' });
        },
      );
      write(`${end === 'ended' ? vscode.l10n.t('— {0} ended —', row.run.name) : vscode.l10n.t('— {0} stopped without an exit status (its queue worker died): it shows failed —', row.run.name)}\n`);
      return text;
    } catch (err) {
      if (err instanceof Error && err.name === 'Cancelled') {
        write(`${vscode.l10n.t('— stopped following; {0} goes on (Show Experiment Log follows it again) —', row.run.name)}\n`);
        return undefined;
      }
      throw err;
    } finally {
      entry.following = false;
      void this.deps.runs.refresh({ cause: 'command' });
    }
  }

  /** Stops following (the runs go on) and closes the log channels. */
  dispose(): void {
    for (const { channel, abort } of this.logs.values()) {
      abort.abort();
      channel.dispose();
    }
    this.logs.clear();
  }

  async apply(node?: Node): Promise<void> {
    const [row] = await pickRows(this.deps.runs, { states: ['done', 'failed'], title: vscode.l10n.t('Apply Experiment') }, node);
    if (!row) return;
    const changed = await gitQueries().changedTrackedFiles(row.project.root).catch(() => []);
    if (changed.length) {
      const list = changed.slice(0, 8).join(', ') + (changed.length > 8 ? vscode.l10n.t(' and {0} more', changed.length - 8) : '');
      const ok = await confirm(
        vscode.l10n.t('Apply {0} over your uncommitted changes?', row.run.name),
        vscode.l10n.t('DVC overwrites the workspace with the experiment, and these changed files lose their changes: {0}. Commit or stash them first to keep them.', list),
        vscode.l10n.t('Apply and Overwrite'),
      );
      if (!ok) return;
    }
    await this.dvc(row.project.root, vscode.l10n.t('applying {0}', row.run.name), applyArgs(row.target));
    void showInfo(vscode.l10n.t('applied {0} to the workspace: its params, code and outputs are in place; commit them to keep them.', row.run.name));
  }

  async branch(node?: Node, branchName?: string): Promise<void> {
    const [row] = await pickRows(this.deps.runs, { states: ['done'], title: vscode.l10n.t('Create Branch from Experiment') }, node);
    if (!row) return;
    branchName ??= await vscode.window.showInputBox({
      title: vscode.l10n.t('Create Branch from {0}', row.run.name),
      prompt: vscode.l10n.t('The new git branch (it points at the experiment commit).'),
      value: `${row.run.name}-branch`,
      validateInput: (v) => refNameProblem(v.trim(), vscode.l10n.t('the branch name')),
    });
    if (!branchName) return;
    await this.dvc(row.project.root, vscode.l10n.t('creating branch {0}', branchName.trim()), branchArgs(row.target, branchName.trim()));
    void showInfo(vscode.l10n.t('created branch {0} from {1}; "git checkout {0}" switches to it.', branchName.trim(), row.run.name));
  }

  async rename(node?: Node, newName?: string): Promise<void> {
    const [row] = await pickRows(this.deps.runs, { states: ['done'], title: vscode.l10n.t('Rename Experiment') }, node);
    if (!row) return;
    newName ??= await vscode.window.showInputBox({
      title: vscode.l10n.t('Rename {0}', row.run.name),
      value: row.run.name,
      validateInput: (v) => refNameProblem(v.trim(), vscode.l10n.t('the new name')),
    });
    if (!newName || newName.trim() === row.run.name) return;
    await this.dvc(row.project.root, vscode.l10n.t('renaming {0}', row.run.name), renameArgs(row.target, newName.trim()));
  }

  async remove(node?: Node, nodes?: Nodes): Promise<void> {
    const rows = await pickRows(this.deps.runs, { states: ['done', 'queued', 'failed'], title: vscode.l10n.t('Remove Experiment(s)'), many: true }, node, nodes);
    if (!rows.length) return;
    const project = rows[0].project;
    const mine = rows.filter((r) => r.project.state.id === project.state.id);
    const ok = await confirm(
      mine.length === 1 ? vscode.l10n.t('Remove experiment {0}?', mine[0].run.name) : vscode.l10n.t('Remove {0} experiments?', mine.length),
      vscode.l10n.t('{0}. DVC deletes their git refs (a queued one leaves the queue); experiments pushed to a git remote stay there.', names(mine)),
      vscode.l10n.t('Remove'),
    );
    if (!ok) return;
    await this.dvc(project.root, vscode.l10n.t('removing {0}', names(mine)), removeArgs({ names: mine.map((r) => r.target) }));
  }

  async push(node?: Node, nodes?: Nodes, remote?: string): Promise<void> {
    const rows = await pickRows(this.deps.runs, { states: ['done'], title: vscode.l10n.t('Push Experiment'), many: true }, node, nodes);
    if (!rows.length) return;
    remote ??= await pickRemote(rows[0].project, vscode.l10n.t('Push {0} to', names(rows)));
    if (!remote) return;
    await this.dvc(rows[0].project.root, vscode.l10n.t('pushing {0} to {1}', names(rows), remote), pushArgs(remote, rows.map((r) => r.target)));
    void showInfo(vscode.l10n.t('pushed {0} to {1}.', names(rows), remote));
  }

  async pull(node?: Node, remote?: string, experiments?: string[]): Promise<void> {
    const project = await pickProject(this.deps.runs, node);
    if (!project) return;
    remote ??= await pickRemote(project, vscode.l10n.t('Pull experiments from'));
    if (!remote) return;
    if (!experiments) {
      const exe = await requireCli('dvc', vscode.l10n.t('list the experiments of a git remote'));
      if (!exe) return;
      const from = remote;
      const found = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: listing the experiments on {0}', from), cancellable: true }, (_p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return remoteExperiments(exe, project.root, from, { signal: abort.signal });
      });
      const local = new Set((project.state.listing?.runs ?? []).map((r) => r.name));
      if (!found.length) {
        void showInfo(vscode.l10n.t('{0} holds no DVC experiments ("dvc exp push" puts them there).', remote));
        return;
      }
      const picked = await vscode.window.showQuickPick(
        found.map((name) => ({ label: name, description: local.has(name) ? vscode.l10n.t('also here') : undefined, picked: !local.has(name) })),
        { title: vscode.l10n.t('Experiments to pull from {0}', remote), canPickMany: true },
      );
      if (!picked?.length) return;
      experiments = picked.map((p) => p.label);
    }
    await this.dvc(project.root, vscode.l10n.t('pulling {0} from {1}', experiments.join(', '), remote), pullArgs(remote, experiments));
  }
}

async function pickRemote(project: ExpProject, title: string): Promise<string | undefined> {
  const remotes = await gitQueries().gitRemotes(project.root);
  if (!remotes.length) {
    void showInfo(vscode.l10n.t('this repository has no git remote. "git remote add origin <url>" adds one; DVC experiments are pushed to and pulled from git remotes.'));
    return undefined;
  }
  if (remotes.length === 1) return remotes[0].name;
  const pick = await vscode.window.showQuickPick(remotes.map((r) => ({ label: r.name, description: r.url })), { title });
  return pick?.label;
}

async function confirm(question: string, detail: string, yes: string): Promise<boolean> {
  return (await showWarning(question, { modal: true, detail }, yes)) === yes;
}

function names(rows: readonly ExpRow[]): string {
  const list = rows.map((r) => r.run.name);
  return list.length > 6 ? `${list.slice(0, 6).join(', ')} …` : list.join(', ');
}

function cancelled(): Error {
  const e = new Error('cancelled');
  e.name = 'Cancelled';
  return e;
}
