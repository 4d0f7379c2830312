// "MLOps: Clean Up Reproductions…": the reproductions under our storage (and their copies
// on SSH hosts), picked, confirmed, then removed — only ours (core/provenance/reproduceCleanup).
import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import { formatAgo, plural } from '../../core/common/format';
import { sftpRemoteFs } from '../../core/jobs/sync/remoteFs';
import { listReproductions, removeLocal, removeRemoteCopy, type ReproEntry } from '../../core/provenance/reproduceCleanup';
import { nodeRunner } from '../../core/provenance/runner';
import { showInfo, showWarning } from '../notify';
import type { HostRegistry } from '../workspaces/hosts';

async function removeOnHost(registry: HostRegistry, e: ReproEntry & { remote: NonNullable<ReproEntry['remote']> }): Promise<void> {
  const host = await registry.find(e.remote.host);
  if (!host) throw new Error(vscode.l10n.t('{0} is no longer among the hosts; its folder {1} was left there.', e.remote.host, e.remote.remoteDir));
  const conn = await registry.ensureConnected(host);
  if (!conn.sftp) throw new Error(vscode.l10n.t('{0} has no SFTP session; its folder {1} was left there.', e.remote.host, e.remote.remoteDir));
  const fs = sftpRemoteFs(await conn.sftp());
  try {
    await removeRemoteCopy(e, fs, (argv) => conn.exec(argv));
  } finally {
    fs.close();
  }
}

/** Resolves with how many reproductions were removed (tests read it). */
export async function cleanupReproductions(cacheRoot: string, registry: HostRegistry, log: vscode.LogOutputChannel): Promise<number> {
  const entries = await listReproductions(cacheRoot);
  if (!entries.length) {
    void showInfo(vscode.l10n.t('no reproductions to clean up. Reproduce Run keeps its worktrees under the extension\'s storage until they are cleaned up here.'));
    return 0;
  }
  const now = Date.now();
  const items = entries.map((e) => ({
    label: e.name,
    description: [e.mtimeMs ? formatAgo(e.mtimeMs, now) : vscode.l10n.t('folder already gone'), e.remote ? vscode.l10n.t('with a copy on {0}', e.remote.host) : undefined].filter(Boolean).join(' · '),
    detail: e.remote ? `${e.dir} · ${e.remote.host}:${e.remote.remoteDir}` : e.dir,
    picked: true,
    e,
  }));
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: vscode.l10n.t('Reproductions to remove (their worktrees here and copies on hosts)') });
  if (!picked?.length) return 0;
  const onHosts = picked.filter((p) => p.e.remote).length;
  const remove = vscode.l10n.t('Remove');
  const question = onHosts
    ? vscode.l10n.t('Remove {0}? Their git worktrees are removed (git worktree remove, then prune) and {1} on SSH hosts deleted.', plural(picked.length, 'reproduction'), onHosts === 1 ? vscode.l10n.t('its copy') : vscode.l10n.t('{0} copies', onHosts))
    : vscode.l10n.t('Remove {0}? Their git worktrees are removed (git worktree remove, then prune).', plural(picked.length, 'reproduction'));
  if ((await showWarning(question, { modal: true }, remove)) !== remove) return 0;
  const problems: string[] = [];
  let removed = 0;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: removing reproductions'), cancellable: true }, async (progress, token) => {
    for (const { e } of picked) {
      if (token.isCancellationRequested) break;
      progress.report({ message: e.name, increment: 100 / picked.length });
      try {
        await removeLocal(nodeRunner, e);
        if (e.remote) await removeOnHost(registry, { ...e, remote: e.remote });
        removed++;
        log.info(`Reproduce: removed ${e.dir}${e.remote ? ` and ${e.remote.host}:${e.remote.remoteDir}` : ''}`);
      } catch (err) {
        problems.push(`${e.name}: ${errorMessage(err)}`);
        log.warn(`Reproduce: cleaning up ${e.dir}: ${errorMessage(err)}`);
      }
    }
  });
  if (problems.length) void showWarning(vscode.l10n.t('{0} removed; not all of it: {1}. Run Clean Up Reproductions again once the host is reachable.', plural(removed, 'reproduction'), problems.slice(0, 3).join('; ')));
  else void showInfo(vscode.l10n.t('{0} removed.', plural(removed, 'reproduction')));
  return removed;
}
