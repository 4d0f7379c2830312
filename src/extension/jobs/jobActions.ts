// What the job commands do to one job: cancel (asks first, naming the job; a job not ours
// asks naming its owner), requeue (ours only; asks), open a shell on its node, copy its
// id, open its output read-only or follow it. A command run from the palette has no tree
// item: it asks which job from the view's last snapshot.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { isCancellation } from '../../core/common/errors';
import { DEFAULT_LOG_DIR } from '../../core/jobs/slurm/batchScript';
import type { LogPaths } from '../../core/jobs/types';
import { showInfo, showWarning } from '../notify';
import { requireTrust } from '../trust';
import type { RayBackend } from '../../core/jobs/ray/rayBackend';
import { followArgv, OUTPUT_MAX_BYTES, parseFollow, readJobOutput, stillRunning } from './jobOutput';
import { knownHostsPath } from '../workspaces/hosts';
import { jobShellArgv } from './jobShell';
import { isActive, jobOwnership } from './jobsModel';
import type { JobNode, JobsTreeProvider, RecordNode } from './jobsTree';

export const OUTPUT_SCHEME = 'mlops-job-output';

async function pick(tree: JobsTreeProvider, filter: (j: JobNode) => boolean, placeHolder: string): Promise<JobNode | undefined> {
  const jobs = tree.knownJobs(filter);
  if (!jobs.length) {
    void showInfo(vscode.l10n.t('no job to choose: refresh the Jobs view, or choose a job there.'));
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    jobs.map((j) => ({ label: `${j.job.id} ${j.job.name}`, description: `${j.cluster} · ${j.job.state}`, node: j })),
    { placeHolder },
  );
  return chosen?.node;
}

export class JobActions implements vscode.Disposable {
  /** The text of each opened output document, by URI. */
  private readonly outputs = new Map<string, string>();
  private readonly registration: vscode.Disposable;
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();

  constructor(
    private readonly tree: JobsTreeProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // A content provider's documents are read-only: the output is looked at, not edited.
    this.registration = vscode.workspace.registerTextDocumentContentProvider(OUTPUT_SCHEME, {
      onDidChange: this.changed.event,
      provideTextDocumentContent: (uri) => this.outputs.get(uri.toString()) ?? '',
    });
  }

  async cancel(node?: JobNode): Promise<boolean> {
    node ??= await pick(this.tree, (j) => isActive(j.job.state), vscode.l10n.t('Job to cancel'));
    if (!node) return false;
    requireTrust(vscode.l10n.t('Cancelling a job'));
    if (this.tree.isRay(node.cluster)) return this.stopRay(node);
    const { job, cluster, me } = node;
    const foreign = !job.ours || job.user !== me;
    const yes = foreign ? vscode.l10n.t("Cancel {0}'s Job", job.user) : vscode.l10n.t('Cancel Job');
    // The pending rest of an array (`12_[1-9%2]`) has no id of its own: scancel takes the array's.
    const rest = !/^\d+(_\d+)?$/.test(job.id);
    const target = rest ? (job.arrayJobId ?? job.jobId) : job.id;
    const question = rest
      ? vscode.l10n.t('Cancel the whole job array {0} ({1}) on {2}: its pending tasks {3} and any task of it still running?', target, job.name, cluster, job.arrayTaskId ?? '')
      : foreign
      ? job.user !== me
        ? vscode.l10n.t('Job {0} ({1}) on {2} belongs to {3}. Cancel {3}\'s job?', job.id, job.name, cluster, job.user)
        : vscode.l10n.t('Job {0} ({1}) on {2} was not submitted from MLOps Workbench (owner: {3}). Cancel it?', job.id, job.name, cluster, job.user)
      : vscode.l10n.t('Cancel job {0} ({1}) on {2}?', job.id, job.name, cluster);
    const choice = await showWarning(question, { modal: true }, yes);
    if (choice !== yes) return false;
    const { backend } = await this.tree.backend(cluster);
    await backend.cancel(target, foreign ? { confirmOwner: job.user } : {});
    this.log.info(`Jobs: ${cluster}: cancelled job ${target} (${job.name}, owner ${job.user})`);
    void showInfo(vscode.l10n.t('cancelled job {0} on {1}.', target, cluster));
    const st = this.tree.state(cluster);
    if (st) await this.tree.read(st.setting, true);
    return true;
  }

  /** `scontrol requeue` of a job of ours, after asking; another's is refused here and by the backend. */
  async requeue(node?: JobNode): Promise<boolean> {
    node ??= await pick(this.tree, (j) => jobOwnership(j.job, j.me) === 'ours', vscode.l10n.t('Job to requeue'));
    if (!node) return false;
    requireTrust(vscode.l10n.t('Requeueing a job'));
    const { job, cluster, me } = node;
    if (jobOwnership(job, me) !== 'ours') {
      void showWarning(vscode.l10n.t('job {0} is {1}\'s and was not submitted from MLOps Workbench by you: it is shown read-only.', job.id, job.user));
      return false;
    }
    const yes = vscode.l10n.t('Requeue Job');
    const question = isActive(job.state)
      ? vscode.l10n.t('Requeue job {0} ({1}) on {2}? It stops now and starts again from the beginning when resources allow.', job.id, job.name, cluster)
      : vscode.l10n.t('Requeue job {0} ({1}) on {2}? It runs again from the beginning when resources allow.', job.id, job.name, cluster);
    if ((await showWarning(question, { modal: true }, yes)) !== yes) return false;
    const { backend } = await this.tree.backend(cluster);
    if (!backend.requeue) throw new Error(vscode.l10n.t('Cluster {0} cannot requeue jobs.', cluster));
    await backend.requeue(job.jobId);
    this.log.info(`Jobs: ${cluster}: requeued job ${job.id} (${job.name})`);
    void showInfo(vscode.l10n.t('requeued job {0} on {1}.', job.id, cluster));
    const st = this.tree.state(cluster);
    if (st) await this.tree.read(st.setting, true);
    return true;
  }

  /** The Ray backend of a node's cluster (the Ray-only commands check they got one). */
  private async ray(cluster: string): Promise<RayBackend> {
    const { backend } = await this.tree.backend(cluster);
    if (backend.kind !== 'ray') throw new Error(vscode.l10n.t('{0} is not a Ray cluster.', cluster));
    return backend as RayBackend;
  }

  /** Stops a Ray job; one without our label asks first, saying so (Ray has no owners to name). */
  private async stopRay(node: JobNode): Promise<boolean> {
    const { job, cluster, me } = node;
    const foreign = !job.ours || job.user !== me;
    const yes = vscode.l10n.t('Stop Job');
    const question = !job.ours
      ? vscode.l10n.t('Ray job {0} ({1}) on {2} was not submitted from MLOps Workbench. Stop it anyway?', job.id, job.name, cluster)
      : foreign
      ? vscode.l10n.t("Ray job {0} ({1}) on {2} was submitted by {3}. Stop {3}'s job?", job.id, job.name, cluster, job.user)
      : vscode.l10n.t('Stop Ray job {0} ({1}) on {2}?', job.id, job.name, cluster);
    if ((await showWarning(question, { modal: true }, yes)) !== yes) return false;
    await (await this.ray(cluster)).cancel(job.id, foreign ? { confirmOwner: job.user } : {});
    this.log.info(`Jobs: ${cluster}: stopped Ray job ${job.id} (${job.name}, ${job.ours ? `owner ${job.user}` : 'not ours'})`);
    void showInfo(vscode.l10n.t('stopped job {0} on {1}.', job.id, cluster));
    const st = this.tree.state(cluster);
    if (st) await this.tree.read(st.setting, true);
    return true;
  }

  /** A terminal on the job's node: OpenSSH to the login host, `srun --jobid --overlap --pty bash` there. */
  async openShell(node?: JobNode): Promise<vscode.Terminal | undefined> {
    node ??= await pick(this.tree, (j) => j.job.state === 'running' && jobOwnership(j.job, j.me) !== 'other', vscode.l10n.t('Running job to open a shell in'));
    if (!node) return undefined;
    requireTrust(vscode.l10n.t('Opening a shell on a job\'s node'));
    const { job, cluster, me } = node;
    if (jobOwnership(job, me) === 'other') {
      void showWarning(vscode.l10n.t('job {0} is {1}\'s: Slurm lets only its owner open a shell in it.', job.id, job.user));
      return undefined;
    }
    if (job.state !== 'running') {
      void showWarning(vscode.l10n.t('job {0} is {1}: a shell opens only in a running job.', job.id, job.state));
      return undefined;
    }
    const host = await this.tree.registry.find(this.tree.clusters().find((c) => c.name === cluster)?.host ?? '');
    if (!host?.ssh) throw new Error(vscode.l10n.t('Cluster {0}: its host is not an SSH host of MLOps › Hosts or ~/.ssh/config.', cluster));
    const [shellPath, ...shellArgs] = jobShellArgv(host.ssh, job.jobId, knownHostsPath());
    this.log.info(`Jobs: ${cluster}: shell on the node of job ${job.id} (${job.nodeList})`);
    const terminal = vscode.window.createTerminal({ name: vscode.l10n.t('Job {0} on {1}', job.id, job.nodeList || cluster), shellPath, shellArgs, iconPath: new vscode.ThemeIcon('terminal') });
    terminal.show();
    return terminal;
  }

  /** Deletes an ended Ray job (its record and logs), after asking. */
  async deleteJob(node?: JobNode): Promise<boolean> {
    node ??= await pick(this.tree, (j) => !isActive(j.job.state) && this.tree.isRay(j.cluster), vscode.l10n.t('Ended Ray job to delete'));
    if (!node) return false;
    requireTrust(vscode.l10n.t('Deleting a job'));
    const { job, cluster, me } = node;
    const foreign = !job.ours || job.user !== me;
    const yes = vscode.l10n.t('Delete Job');
    const question = foreign
      ? vscode.l10n.t('Ray job {0} ({1}) on {2} was not submitted by you from MLOps Workbench. Delete its record and logs anyway?', job.id, job.name, cluster)
      : vscode.l10n.t('Delete Ray job {0} ({1}) on {2}, with its logs?', job.id, job.name, cluster);
    if ((await showWarning(question, { modal: true }, yes)) !== yes) return false;
    await (await this.ray(cluster)).delete(job.id, foreign ? { confirmOwner: job.user } : {});
    this.log.info(`Jobs: ${cluster}: deleted Ray job ${job.id}`);
    const st = this.tree.state(cluster);
    if (st) await this.tree.read(st.setting, true);
    return true;
  }

  /** Opens the Ray job's log and keeps adding to it until the job ends (or the user stops following). */
  private async followLogs(node?: JobNode): Promise<vscode.TextDocument | undefined> {
    node ??= await pick(this.tree, (j) => this.tree.isRay(j.cluster), vscode.l10n.t('Ray job whose logs to follow'));
    if (!node) return undefined;
    requireTrust(vscode.l10n.t("Reading a job's output"));
    const { cluster, job } = node;
    const backend = await this.ray(cluster);
    const uri = vscode.Uri.from({ scheme: OUTPUT_SCHEME, path: `/${cluster}/${job.id}.log` });
    const key = uri.toString();
    this.outputs.set(key, '');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    const abort = new AbortController();
    let pending = false;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Following the logs of {0} on {1}…', job.name, cluster), cancellable: true },
      async (_progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        const ended = await backend.follow(
          job.id,
          (text) => {
            // Keep the document's memory bounded: a chatty job's start falls off.
            const all = (this.outputs.get(key) ?? '') + text;
            this.outputs.set(key, all.length > OUTPUT_MAX_BYTES ? all.slice(-OUTPUT_MAX_BYTES) : all);
            if (!pending) {
              pending = true;
              setTimeout(() => ((pending = false), this.changed.fire(uri)), 200);
            }
          },
          { intervalMs: 1000, signal: abort.signal },
        );
        this.changed.fire(uri);
        if (!abort.signal.aborted) void showInfo(vscode.l10n.t('job {0} on {1} ended: {2}.', job.id, cluster, ended.raw));
        const st = this.tree.state(cluster);
        if (st) await this.tree.read(st.setting, true);
      },
    );
    return doc;
  }

  async copyId(node?: JobNode | RecordNode): Promise<string | undefined> {
    node ??= await pick(this.tree, () => true, vscode.l10n.t('Job whose id to copy'));
    if (!node) return undefined;
    const id = node.kind === 'job' ? node.job.id : node.record.jobId;
    await vscode.env.clipboard.writeText(id);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied job ID {0}', id), 4000);
    return id;
  }

  /** Opens the job's stdout (its last OUTPUT_MAX_BYTES) in a read-only editor; returns the document. */
  async showOutput(node?: JobNode | RecordNode): Promise<vscode.TextDocument | undefined> {
    node ??= await pick(this.tree, () => true, vscode.l10n.t('Job whose output to open'));
    if (!node) return undefined;
    requireTrust(vscode.l10n.t('Reading a job\'s output'));
    const cluster = node.cluster;
    const id = node.kind === 'job' ? node.job.id : node.record.jobId;
    if (node.kind === 'job' && this.tree.isRay(cluster)) {
      const logs = await (await this.ray(cluster)).logs(id);
      const uri = vscode.Uri.from({ scheme: OUTPUT_SCHEME, path: `/${cluster}/${id}.log` });
      this.outputs.set(uri.toString(), logs.length > OUTPUT_MAX_BYTES ? logs.slice(-OUTPUT_MAX_BYTES) : logs);
      this.changed.fire(uri);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: true });
      return doc;
    }
    const { backend } = await this.tree.backend(cluster);
    let path = node.kind === 'job' ? node.job.stdoutPath : undefined;
    if (!path) path = (await backend.logPaths(id).catch((e: unknown): Promise<LogPaths> => (isCancellation(e) ? Promise.reject(e) : Promise.resolve({})))).stdout;
    // Past MinJobAge Slurm forgets the job; a job of ours wrote where our script sends it.
    if (!path && node.kind === 'record' && node.record.workDir) path = `${node.record.workDir.replace(/\/+$/, '')}/${DEFAULT_LOG_DIR}/${node.record.name}-${id}.out`;
    if (!path) {
      void showWarning(vscode.l10n.t('Slurm no longer says where job {0} wrote its output (it ended more than MinJobAge ago). Look in its folder under .mlops/jobs.', id));
      return undefined;
    }
    const text = await this.read(cluster, path);
    const uri = vscode.Uri.from({ scheme: OUTPUT_SCHEME, path: `/${cluster}/${id}.out`, query: new URLSearchParams({ path }).toString() });
    this.outputs.set(uri.toString(), text);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  }

  /**
   * Follow Job Output: the job's stdout (and stderr, below it) in a read-only document that
   * grows while the job runs, polled over the login host's connection each second; it stops
   * when the job ends (the document says how) or when the document is closed.
   */
  async follow(node?: JobNode | RecordNode, opts: { pollMs?: number } = {}): Promise<{ doc: vscode.TextDocument; done: Promise<string> } | undefined> {
    node ??= await pick(this.tree, (j) => isActive(j.job.state), vscode.l10n.t('Job whose output to follow'));
    if (!node) return undefined;
    if (node.kind === 'record') return this.showOutput(node).then((doc) => doc && { doc, done: Promise.resolve(node.record.raw) });
    // One command for both: a Ray job's log comes from its dashboard, not from files.
    if (this.tree.isRay(node.cluster)) {
      const doc = await this.followLogs(node);
      return doc && { doc, done: Promise.resolve('') };
    }
    requireTrust(vscode.l10n.t('Reading a job\'s output'));
    const { cluster, job } = node;
    const { backend } = await this.tree.backend(cluster);
    const paths = job.stdoutPath ? { stdout: job.stdoutPath, stderr: job.stderrPath } : await backend.logPaths(job.id);
    // Slurm names one file for both when --error was not given.
    if (paths.stderr === paths.stdout) delete paths.stderr;
    if (!paths.stdout) throw new Error(vscode.l10n.t('Slurm does not say where job {0} writes its output.', job.id));
    const host = await this.tree.registry.find(this.tree.clusters().find((c) => c.name === cluster)?.host ?? '');
    if (!host) throw new Error(vscode.l10n.t('Cluster {0}: its host is gone from the settings.', cluster));
    const uri = vscode.Uri.from({ scheme: OUTPUT_SCHEME, path: `/${cluster}/${job.id}.follow.out`, query: new URLSearchParams({ path: paths.stdout }).toString() });
    const key = uri.toString();
    let out = '';
    let err = '';
    let status = vscode.l10n.t('[following job {0}: {1}]', job.id, job.raw);
    const render = () => {
      this.outputs.set(key, `${status}\n${out}${err ? `\n${vscode.l10n.t('── stderr ──')}\n${err}` : ''}`);
      this.changed.fire(uri);
    };
    render();
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    let closed = false;
    const sub = vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.toString() === key) closed = true;
    });
    const keep = (text: string) => (text.length > OUTPUT_MAX_BYTES ? text.slice(text.length - OUTPUT_MAX_BYTES) : text);
    const done = (async () => {
      const exec = (argv: readonly string[]) => this.tree.registry.connection(host).exec(argv, { reuseShell: true });
      let outOff = 0;
      let errOff = 0;
      const nonce = randomBytes(8).toString('hex');
      try {
        for (;;) {
          const files: Array<[string, number]> = [[paths.stdout!, outOff]];
          if (paths.stderr) files.push([paths.stderr, errOff]);
          const res = await exec(followArgv(job.id, files, nonce));
          const poll = parseFollow(res.stdout, nonce);
          if (poll.out && poll.out.size >= 0) {
            if (poll.out.offset < outOff) out = '';
            out = keep(out + poll.out.text);
            outOff = poll.out.offset + poll.out.length;
          }
          if (paths.stderr && poll.err && poll.err.size >= 0) {
            if (poll.err.offset < errOff) err = '';
            err = keep(err + poll.err.text);
            errOff = poll.err.offset + poll.err.length;
          }
          const caughtUp = (poll.out?.size ?? -1) <= outOff && (!paths.stderr || (poll.err?.size ?? -1) <= errOff);
          const running = stillRunning(poll.state);
          status = running ? vscode.l10n.t('[following job {0}: {1}]', job.id, poll.state) : vscode.l10n.t('[job {0} ended: {1}]', job.id, poll.state || vscode.l10n.t('no longer known to Slurm'));
          render();
          if ((!running && caughtUp) || closed) return poll.state;
          if (caughtUp) await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
        }
      } catch (e) {
        status = vscode.l10n.t('[stopped following job {0}: {1}]', job.id, (e as Error).message);
        render();
        throw e;
      } finally {
        sub.dispose();
        this.log.info(`Jobs: ${cluster}: stopped following job ${job.id}`);
      }
    })();
    done.catch(() => undefined);
    return { doc, done };
  }

  /** The file's end over the login host's connection. */
  private async read(cluster: string, path: string): Promise<string> {
    const registry = this.tree.registry;
    const host = await registry.find(this.tree.clusters().find((c) => c.name === cluster)?.host ?? '');
    if (!host) throw new Error(vscode.l10n.t('Cluster {0}: its host is gone from the settings.', cluster));
    return readJobOutput(vscode.l10n, (argv, opts) => registry.connection(host).exec(argv, opts), path);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
