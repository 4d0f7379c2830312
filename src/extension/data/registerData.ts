import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { setting } from '../settings';
import type { SshRemoteUrl } from '../../core/data/remotePresence';
import { errorMessage } from '../../core/common/errors';
import type { HashCache } from '../../core/pipelines/status/dvcHash';
import { loadLazy } from '../lazy/load';
import { registerDataActions } from './dataActions';
import { DataTreeProvider, type DataLib, type DataNode, type DataProject } from './dataTree';
import { findCli } from '../pipelines/cliTools';
import { workspaceTrusted } from '../trust';
import { affectsDataView, changesHistory } from './watchFilter';

// A `dvc add` or `git commit` touches many files at once: one refresh per burst.
const REFRESH_DELAY_MS = 700;

/** The Data view, its commands and the watcher that keeps it current. */
export function registerDataView(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): DataTreeProvider {
  const lib = () => loadLazy<DataLib>('dataLib');
  let hashCache: HashCache | undefined;
  const hashes = () => (hashCache ??= new (lib().HashCache)());
  const tree = new DataTreeProvider({
    log,
    lib,
    hashes,
    folders: () => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
  });
  const view = vscode.window.createTreeView<DataNode>('mlops.data', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  tree.view = view;

  // Remotes we cannot read natively (S3, GCS, HTTP...): ask DVC once per refresh, in the background.
  const remoteChecks = new Set<string>();
  context.subscriptions.push(
    tree.onDidChangeTreeData(() => {
      // The remote (and its SSH host) is named by the repository: no check before it is trusted.
      if (!workspaceTrusted()) return;
      for (const project of tree.allProjects) {
        const remote = project.config?.remote;
        if (!remote || remote.localPath || remoteChecks.has(project.root) || !project.artifacts.length) continue;
        remoteChecks.add(project.root);
        const viaDvc = async (): Promise<Set<string>> => {
          const dvc = findCli('dvc');
          if (!dvc) throw new Error('the DVC CLI is not installed (pip install dvc; set mlops.dvc.path)');
          return lib().notInRemoteFromCli(await lib().dvcDataStatus(dvc, project.root, { notInRemote: true }));
        };
        const ssh = lib().parseSshUrl(remote.url);
        const check = ssh
          ? sshNotPushed(project, ssh, remote.options ?? {}).catch((err) => {
              log.warn(`Data: SSH check of remote ${remote.name} failed (${errorMessage(err)}); asking DVC instead`);
              return viaDvc();
            })
          : viaDvc();
        void check
          .then((notPushed) => tree.allProjects.includes(project) && tree.applyRemoteStatus(project, notPushed))
          .catch((err) => log.warn(`Data: cannot check remote ${remote.name} (${remote.url}): ${errorMessage(err)}`))
          .finally(() => setTimeout(() => remoteChecks.delete(project.root), 60000));
      }
    }),
  );

  /** Not-pushed artifacts of an SSH remote, by its cache layout over one SSH connection. */
  async function sshNotPushed(project: DataProject, url: SshRemoteUrl, options: Record<string, string>): Promise<Set<string>> {
    const hosts = loadLazy<typeof import('../lazy/hostsLib')>('hostsLib');
    const keyFile = options.keyfile ?? ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((k) => path.join(os.homedir(), '.ssh', k)).find((k) => existsSync(k));
    const knownHosts = setting('ssh.knownHostsFile').trim() || path.join(os.homedir(), '.ssh', 'known_hosts');
    const conn = new hosts.SshHostConnection({
      host: url.host,
      port: options.port ? Number(options.port) : url.port,
      username: options.user ?? url.user ?? os.userInfo().username,
      ...(keyFile ? { privateKey: await readFile(keyFile.replace(/^~(?=\/)/, os.homedir())) } : {}),
      ...(process.env.SSH_AUTH_SOCK ? { agent: process.env.SSH_AUTH_SOCK } : {}),
      // A background check never trusts a new host key by itself: `ssh` to it once first.
      hostKeys: hosts.knownHostsFile(knownHosts, async () => false),
    });
    try {
      const manifests = new Map(project.artifacts.map((a) => [a.path, project.states.get(a.path)?.manifest]));
      const pushed = await lib().pushedOnSsh((argv) => conn.exec(argv), url.path, project.artifacts, manifests);
      return new Set([...pushed].filter(([, ok]) => !ok).map(([p]) => p));
    } finally {
      conn.dispose();
    }
  }

  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  const onChange = (uri: vscode.Uri) => {
    if (affectsDataView(uri.fsPath)) void tree.refresh(REFRESH_DELAY_MS, changesHistory(uri.fsPath));
  };
  context.subscriptions.push(
    tree,
    view,
    watcher,
    watcher.onDidCreate(onChange),
    watcher.onDidChange(onChange),
    watcher.onDidDelete(onChange),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void tree.refresh()),
  );
  registerDataActions({ context, log, tree, view, lib, hashes });
  return tree;
}
