// *MLOps: Submit Command to Cluster…*: asks cluster, command, partition, GPUs, CPUs, memory
// and time limit, shows the batch script the backend will submit (its own render of the
// plan) in an untitled editor, and submits only when the user says Submit.
import * as vscode from 'vscode';
import type { RayBackend } from '../../core/jobs/ray/rayBackend';
import type { RunPlan, SubmitResult } from '../../core/jobs/types';
import { showInfo, showWarning } from '../notify';
import { requireTrust } from '../trust';
import { checkAnswer, planFromAnswers, type ClusterSetting, type PlannedRun, type SubmitAnswers } from './clusterSettings';
import type { JobsTreeProvider } from './jobsTree';
import { checkRayAnswer, rayPlanFromAnswers, type RaySubmitAnswers } from './rayClusterSettings';

type Field = 'gpus' | 'cpus' | 'memory' | 'timeLimit' | 'cwd';

/** An input box whose answer is checked as it is typed; undefined when dismissed. */
async function ask(title: string, prompt: string, what: Field | 'command', value = '', placeHolder?: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt,
    value,
    placeHolder,
    ignoreFocusOut: true,
    validateInput: (v) => (what === 'command' ? (v.trim() ? undefined : vscode.l10n.t('Type the command to run.')) : checkAnswer(what, v)),
  });
}

export class JobSubmitter {
  /** The answers of the last submit, offered again (a user submits the same shape often). */
  private last: Partial<SubmitAnswers> = {};
  private lastRay: Partial<RaySubmitAnswers> = {};

  constructor(
    private readonly tree: JobsTreeProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private async cluster(name?: string): Promise<ClusterSetting | undefined> {
    const all = this.tree.clusters();
    if (name) return all.find((c) => c.name === name);
    if (all.length === 0) {
      const open = vscode.l10n.t('Open Settings');
      if ((await showWarning(vscode.l10n.t('no cluster is configured: add one to the MLOps › Clusters setting (a name and its login host).'), open)) === open) {
        await vscode.commands.executeCommand('workbench.action.openSettings', 'mlops.clusters');
      }
      return undefined;
    }
    if (all.length === 1) return all[0];
    const chosen = await vscode.window.showQuickPick(all.map((c) => ({ label: c.name, description: c.host, c })), { placeHolder: vscode.l10n.t('Cluster to submit to') });
    return chosen?.c;
  }

  /** Returns the job id, or undefined when the user stopped at any question. */
  async command(arg?: { name?: string } | string): Promise<string | undefined> {
    const cluster = await this.cluster(typeof arg === 'string' ? arg : arg?.name);
    if (!cluster) return undefined;
    requireTrust(vscode.l10n.t('Submitting a job to {0}', cluster.name));
    const title = vscode.l10n.t('Submit to {0}', cluster.name);
    if (cluster.ray) return this.commandRay(cluster, title);
    const command = await ask(title, vscode.l10n.t('Command to run on the cluster (a shell command line, run from the job folder)'), 'command', this.last.command, 'python train.py --epochs 10');
    if (command === undefined) return undefined;
    const resources = await this.askResources(cluster, title);
    if (!resources) return undefined;
    const cwd = await this.remoteRoot(cluster, title);
    if (cwd === undefined) return undefined;
    const answers: SubmitAnswers = { ...resources, command, cwd };
    this.last = answers;
    return this.submit(cluster, answers);
  }

  /** The cluster to submit to: the one named, the only one, or the user's choice. */
  pickCluster(name?: string): Promise<ClusterSetting | undefined> {
    return this.cluster(name);
  }

  /** Partition, GPUs, CPUs, memory and time limit; undefined when the user stopped. */
  async askResources(cluster: ClusterSetting, title: string): Promise<Omit<SubmitAnswers, 'command' | 'cwd'> | undefined> {
    // The partitions the cluster has, from the view's snapshot (read now if there is none).
    let st = this.tree.state(cluster.name);
    if (!st?.snapshot) {
      await this.tree.read(cluster);
      st = this.tree.state(cluster.name);
    }
    const parts = st?.snapshot?.partitions ?? [];
    let partition: string | undefined = cluster.partition;
    if (parts.length) {
      const items = [
        { label: vscode.l10n.t('(the cluster\'s default)'), description: parts.find((p) => p.isDefault)?.name ?? '', name: '' },
        ...parts.map((p) => ({ label: p.name, description: p.gpus.map((g) => `${g.type || 'gpu'} ${g.total - g.used}/${g.total}`).join(' · '), name: p.name })),
      ];
      const preferred = this.last.partition ?? cluster.partition ?? '';
      items.sort((a, b) => Number(b.name === preferred) - Number(a.name === preferred));
      const chosen = await vscode.window.showQuickPick(items, { title, placeHolder: vscode.l10n.t('Partition') });
      if (!chosen) return undefined;
      partition = chosen.name || undefined;
    }
    const gpus = await ask(title, vscode.l10n.t('GPUs: TYPE:COUNT (A100:2), a type, a count, or empty for none'), 'gpus', this.last.gpus, 'A100:2');
    if (gpus === undefined) return undefined;
    const cpus = await ask(title, vscode.l10n.t('CPUs per task (empty: the partition\'s default)'), 'cpus', this.last.cpus, '4');
    if (cpus === undefined) return undefined;
    const memory = await ask(title, vscode.l10n.t('Memory (16G, 4000M; empty: the partition\'s default)'), 'memory', this.last.memory, '16G');
    if (memory === undefined) return undefined;
    const timeLimit = await ask(title, vscode.l10n.t('Time limit (MM, HH:MM:SS or D-HH:MM:SS; empty: the partition\'s default)'), 'timeLimit', this.last.timeLimit, '02:00:00');
    if (timeLimit === undefined) return undefined;
    const out = { partition, gpus, cpus, memory, timeLimit };
    this.last = { ...this.last, ...out };
    return out;
  }

  /** The cluster's folder for jobs: remoteRoot, else the host's project path, else asked. */
  async remoteRoot(cluster: ClusterSetting, title: string): Promise<string | undefined> {
    const known = cluster.remoteRoot ?? (await this.tree.registry.find(cluster.host))?.projectPath;
    if (known) return known;
    const cwd = await ask(title, vscode.l10n.t('Folder on the cluster to run in (set remoteRoot in MLOps › Clusters to skip this question)'), 'cwd', this.last.cwd, '/home/me/project');
    if (cwd !== undefined) this.last.cwd = cwd;
    return cwd;
  }

  /** A Ray cluster's questions: no partition or time limit (Ray has neither); pip and env vars instead. */
  private async commandRay(cluster: ClusterSetting, title: string): Promise<string | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const folder = folders.length > 1 ? (await vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('Project folder to upload as the job\'s working_dir') }))?.uri : folders[0]?.uri;
    if (!folder || folder.scheme !== 'file') {
      void showWarning(vscode.l10n.t('open the project folder first: a Ray job runs in an upload of it (its working_dir).'));
      return undefined;
    }
    const command = await vscode.window.showInputBox({
      title,
      prompt: vscode.l10n.t('Command to run as a Ray job (a shell command line, run in the uploaded project)'),
      value: this.lastRay.command ?? '',
      placeHolder: 'python train.py --epochs 10',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Type the command to run.')),
    });
    if (command === undefined) return undefined;
    const rest = await this.askRayResources(title);
    if (!rest) return undefined;
    const { gpus, cpus, memory, pip, env } = rest;
    const answers: RaySubmitAnswers = { command, localDir: folder.fsPath, gpus, cpus, memory, pip, env };
    this.lastRay = answers;
    return this.submitRay(cluster, answers);
  }

  /** A Ray job's resources and runtime_env questions (GPUs, CPUs, memory, pip, env vars); undefined when the user stopped. */
  async askRayResources(title: string): Promise<Omit<RaySubmitAnswers, 'command' | 'localDir'> | undefined> {
    const last = this.lastRay;
    const askRay = (prompt: string, what: 'gpus' | 'cpus' | 'memory' | 'pip' | 'env', value = '', placeHolder?: string) =>
      vscode.window.showInputBox({ title, prompt, value, placeHolder, ignoreFocusOut: true, validateInput: (v) => checkRayAnswer(what, v) });
    const gpus = await askRay(vscode.l10n.t('GPUs for the entrypoint: a count, TYPE:COUNT (A100:2), or empty for none'), 'gpus', last.gpus, '1');
    if (gpus === undefined) return undefined;
    const cpus = await askRay(vscode.l10n.t('CPUs for the entrypoint (empty: none reserved)'), 'cpus', last.cpus, '1');
    if (cpus === undefined) return undefined;
    const memory = await askRay(vscode.l10n.t('Memory for the entrypoint (16G, 4000M; empty: none reserved)'), 'memory', last.memory, '16G');
    if (memory === undefined) return undefined;
    const pip = await askRay(vscode.l10n.t('pip packages to install for the job (runtime_env.pip; empty: none)'), 'pip', last.pip, 'torch==2.5.1 pandas');
    if (pip === undefined) return undefined;
    const env = await askRay(vscode.l10n.t('Environment variables (KEY=value, separated by blanks; empty: none)'), 'env', last.env, 'WANDB_MODE=offline');
    if (env === undefined) return undefined;
    const out = { gpus, cpus, memory, pip, env };
    this.lastRay = { ...this.lastRay, ...out };
    return out;
  }

  /** Shows the request, then uploads the project (unless the cluster has it) and submits on Submit. */
  async submitRay(cluster: ClusterSetting, answers: RaySubmitAnswers, opts: { confirmed?: boolean } = {}): Promise<string | undefined> {
    return (await this.submitRayPlan(cluster, rayPlanFromAnswers(answers), opts))?.jobId;
  }

  /** Shows the request(s) of a plan (a grid: one job per combination), then uploads and submits on Submit. */
  async submitRayPlan(cluster: ClusterSetting, plan: RunPlan, opts: { confirmed?: boolean } = {}): Promise<(SubmitResult & { packageName?: string }) | undefined> {
    const { backend } = await this.tree.backend(cluster.name);
    const doc = await vscode.workspace.openTextDocument({ language: 'jsonc', content: backend.render(plan) });
    await vscode.window.showTextDocument(doc, { preview: false });
    const yes = vscode.l10n.t('Submit');
    if (!opts.confirmed) {
      const choice = await showInfo(vscode.l10n.t('submit this Ray job to {0}? The project folder is uploaded as its working_dir unless the cluster already has this version of it.', cluster.name), yes, vscode.l10n.t('Cancel'));
      if (choice !== yes) return undefined;
    }
    const ray = backend as RayBackend;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Submitting to {0} (packing and uploading the project)…', cluster.name), cancellable: true },
      (_p, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return ray.submit(plan, abort.signal);
      },
    );
    const up = ray.lastUpload;
    const { jobId } = result;
    const ids = result.jobIds ?? [jobId];
    this.log.info(`Jobs: ${cluster.name}: submitted Ray job${ids.length > 1 ? `s ${ids.join(', ')} (grid ${result.grid})` : ` ${jobId}`} (${plan.name}); working_dir ${up ? `${up.name}: ${up.files} files, ${up.uploadedBytes ? `${up.uploadedBytes} bytes uploaded` : 'already on the cluster, nothing uploaded'}` : 'none'}`);
    if (ids.length > 1) void showInfo(vscode.l10n.t('submitted {0} jobs of grid {1} ({2}) to {3}.', ids.length, result.grid ?? '', plan.name, cluster.name));
    else void showInfo(vscode.l10n.t('submitted job {0} ({1}) to {2}.', jobId, plan.name, cluster.name));
    await this.tree.read(cluster, true);
    return { ...result, ...(up ? { packageName: up.name } : {}) };
  }

  /** Shows the script, then submits on Submit; the script stays open (it can be saved). */
  async submit(cluster: ClusterSetting, answers: SubmitAnswers, opts: { confirmed?: boolean; run?: PlannedRun } = {}): Promise<string | undefined> {
    const plan = planFromAnswers(cluster, answers, opts.run);
    const { backend } = await this.tree.backend(cluster.name);
    const script = backend.render(plan);
    const doc = await vscode.workspace.openTextDocument({ language: 'shellscript', content: script });
    await vscode.window.showTextDocument(doc, { preview: false });
    const yes = vscode.l10n.t('Submit');
    const save = vscode.l10n.t('Save Script…');
    for (let choice: string | undefined = undefined; !opts.confirmed && choice !== yes; ) {
      choice = await showInfo(vscode.l10n.t('submit this batch script to {0}? (The script shown is what is submitted; edits to it are not.)', cluster.name), yes, save, vscode.l10n.t('Cancel'));
      if (choice === save) {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const target = await vscode.window.showSaveDialog({ filters: { [vscode.l10n.t('Batch script')]: ['sh', 'sbatch'] }, ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${plan.name}.sbatch`) } : {}) });
        if (target) await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(script));
      } else if (choice !== yes) return undefined;
    }
    const { jobId } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Submitting to {0}…', cluster.name) }, () => backend.submit(plan));
    this.log.info(`Jobs: ${cluster.name}: submitted job ${jobId} (${plan.name}) in ${plan.cwd}`);
    void showInfo(vscode.l10n.t('submitted job {0} ({1}) to {2}.', jobId, plan.name, cluster.name));
    await this.tree.read(cluster, true);
    return jobId;
  }
}
