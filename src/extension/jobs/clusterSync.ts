// Code sync before a submit, and results home after a job ends, over the login host's one
// SSH connection (an SFTP session per sync). The core (core/jobs/sync) does the work; this
// adds progress with cancel, the offer to create a missing remote root, and the log lines.
import * as vscode from 'vscode';
import { plural } from '../../core/common/format';
import type { RemoteFs } from '../../core/jobs/sync/remoteFs';
import { loadLazy } from '../lazy/load';
import { showWarning } from '../notify';
import type { ClusterSetting } from './clusterSettings';
import type { JobsTreeProvider } from './jobsTree';

type JobsLib = typeof import('../lazy/jobsLib');
const jobsLib = (): JobsLib => loadLazy<JobsLib>('jobsLib');

export class ClusterSync {
  constructor(
    private readonly tree: JobsTreeProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** An SFTP session on the cluster's login host, ended after `work`. */
  async withFs<T>(cluster: ClusterSetting, work: (fs: RemoteFs) => Promise<T>): Promise<T> {
    const host = await this.tree.registry.find(cluster.host);
    const conn = host && this.tree.registry.connection(host);
    if (!conn?.sftp) throw new Error(vscode.l10n.t('Cluster {0}: its host {1} is not an SSH host, so the project cannot be synced to it.', cluster.name, cluster.host));
    const fs = jobsLib().sftpRemoteFs(await conn.sftp());
    try {
      return await work(fs);
    } finally {
      fs.close();
    }
  }

  /**
   * Syncs `localRoot` to `remoteRoot` unless the cluster shares this filesystem. False when
   * the user stopped (cancelled, or would not create a missing root).
   */
  async sync(cluster: ClusterSetting, localRoot: string, remoteRoot: string): Promise<boolean> {
    if (cluster.sharedFilesystem) {
      this.log.info(`Jobs: ${cluster.name}: shared filesystem, no code sync`);
      return true;
    }
    const lib = jobsLib();
    const run = (createRoot: boolean) =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Syncing the project to {0}…', cluster.name), cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          let shown = 0;
          return this.withFs(cluster, (fs) =>
            lib.syncProject({
              localRoot,
              remoteRoot,
              fs,
              createRoot,
              signal: abort.signal,
              onProgress: (done, total, rel) => {
                const pct = (100 * done) / total;
                progress.report({ message: `${done}/${total} ${rel}`, increment: pct - shown });
                shown = pct;
              },
            }),
          );
        },
      );
    let report;
    try {
      report = await run(false);
    } catch (err) {
      if (!(err instanceof lib.RemoteRootMissingError)) throw err;
      const create = vscode.l10n.t('Create Folder');
      if ((await showWarning(vscode.l10n.t('{0} does not exist on {1}. Create it and sync the project there?', remoteRoot, cluster.name), { modal: true }, create)) !== create) return false;
      report = await run(true);
    }
    this.log.info(
      `Jobs: ${cluster.name}: synced ${localRoot} → ${remoteRoot} in ${report.ms} ms: ${plural(report.uploaded.length, 'file')} sent (${report.bytes} bytes), ${report.unchanged} unchanged, ${report.deleted.length} deleted`,
    );
    for (const w of report.warnings) this.log.warn(`Jobs: ${cluster.name}: sync: ${w}`);
    if (report.keptChanged.length) this.log.warn(`Jobs: ${cluster.name}: sync: removed here but changed on the cluster since, so left there: ${report.keptChanged.join(', ')}`);
    const skipped = report.skipped.filter((s) => s.why !== 'symlink');
    if (skipped.length || report.truncated) {
      void showWarning(
        vscode.l10n.t('{0} not synced to {1} (too large, past the limits, or not a regular file): {2}. DVC moves data; add them to .gitignore or .dvcignore to silence this.', plural(skipped.length, 'file'), cluster.name, skipped.slice(0, 5).map((s) => s.rel).join(', ')),
      );
    }
    return true;
  }
}
