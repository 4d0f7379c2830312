// The Jobs view and its commands. Nothing here loads a cluster backend: it comes from
// dist/lazy/jobsLib.js the first time a cluster is read. Clusters are reached through the
// Workspaces view's host registry, so a login node has one SSH connection for both views.
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { Poller } from '../runs/poller';
import { tagListedRuns } from '../runs/runMarkCommands';
import type { RunsTreeProvider } from '../runs/runsTree';
import { setting, settingChanged } from '../settings';
import { workspaceTrusted } from '../trust';
import type { HostRegistry } from '../workspaces/hosts';
import { JobActions } from './jobActions';
import { JobsTreeProvider } from './jobsTree';
import { setRayToken } from './rayConnect';
import { RayOnHosts } from './rayOnHostsCommands';
import { JobSubmitter } from './submitJob';
import { ClusterSync } from './clusterSync';
import { ResultsHome } from './results';
import { RunOnCluster } from './runOnCluster';
import type { PipelinesTreeProvider } from '../views/pipelinesTree';

/** A cluster that keeps failing is asked at most this often. */
const MAX_REFRESH_MS = 5 * 60_000;

export function registerJobsView(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, registry: HostRegistry, pipelines?: PipelinesTreeProvider, runs?: RunsTreeProvider): JobsTreeProvider {
  const tree = new JobsTreeProvider(registry, log, context.secrets);
  const view = vscode.window.createTreeView('mlops.jobs', { treeDataProvider: tree, showCollapseAll: true });
  const actions = new JobActions(tree, log);
  const submitter = new JobSubmitter(tree, log);
  const sync = new ClusterSync(tree, log);
  // An MLflow entry point's runs are linked to its job where the Runs view lists them.
  const linkRuns = runs ? (ids: readonly string[], tags: Parameters<typeof tagListedRuns>[2]) => tagListedRuns(runs, ids, tags, vscode.l10n.t('link a run to its job')) : undefined;
  const results = new ResultsHome(tree, sync, log, context.workspaceState, linkRuns);
  const onCluster = new RunOnCluster(submitter, sync, results, pipelines);
  const rayOnHosts = new RayOnHosts(registry, context.globalState, log);
  // The "on Cluster" menu items of the Pipelines and Runs views show only where a cluster is configured.
  const hasClusters = () => void vscode.commands.executeCommand('setContext', 'mlops.hasClusters', tree.clusters().length > 0);
  hasClusters();

  // Queues change on their own: read them again only while someone looks, less often
  // while a cluster fails (the poller doubles its wait up to MAX_REFRESH_MS).
  const poller = new Poller({
    intervalMs: () => Math.max(2, setting('jobs.refreshSeconds')) * 1000,
    maxMs: MAX_REFRESH_MS,
    tick: () => tree.refresh(),
  });
  const arm = () => poller.setActive(view.visible && setting('jobs.refreshSeconds') > 0 && tree.clusters().length > 0 && workspaceTrusted());
  arm();

  context.subscriptions.push(
    view,
    tree,
    actions,
    results,
    { dispose: () => poller.dispose() },
    view.onDidChangeVisibility(arm),
    vscode.workspace.onDidGrantWorkspaceTrust(arm),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (settingChanged(e, 'clusters')) hasClusters();
      if (settingChanged(e, 'clusters', 'hosts', 'ssh', 'workspaces.callTimeoutSeconds')) {
        tree.reset();
        void tree.refresh();
      }
      if (settingChanged(e, 'clusters', 'jobs.refreshSeconds')) {
        poller.setActive(false);
        arm();
      }
    }),
    registerCommand('mlops.refreshJobs', () => tree.refresh()),
    registerCommand('mlops.submitJob', (arg) => submitter.command(arg)),
    registerCommand('mlops.job.cancel', (node) => actions.cancel(node)),
    registerCommand('mlops.job.copyId', (node) => actions.copyId(node)),
    registerCommand('mlops.job.requeue', (node) => actions.requeue(node)),
    registerCommand('mlops.job.openShell', (node) => actions.openShell(node)),
    registerCommand('mlops.jobs.showAllUsers', () => tree.setAllUsers(true)),
    registerCommand('mlops.jobs.showMineOnly', () => tree.setAllUsers(false)),
    registerCommand('mlops.job.showOutput', (node) => actions.showOutput(node)),
    registerCommand('mlops.job.follow', async (node) => (await actions.follow(node))?.doc),
    registerCommand('mlops.runStageOnCluster', (arg, stage) => onCluster.stage(arg, stage)),
    registerCommand('mlops.runExperimentOnCluster', (arg, params) => onCluster.experiment(arg, typeof params === 'string' ? params : undefined)),
    registerCommand('mlops.runEntryPointOnCluster', (arg, entry) => onCluster.entryPoint(arg, entry)),
    registerCommand('mlops.runAgainOnCluster', (node) => onCluster.again(node)),
    registerCommand('mlops.syncToCluster', () => onCluster.syncNow()),
    registerCommand('mlops.job.delete', (node) => actions.deleteJob(node)),
    registerCommand('mlops.startRayClusterOnHosts', () => rayOnHosts.start()),
    registerCommand('mlops.stopRayClusterOnHosts', (arg) => rayOnHosts.stop(arg)),
    registerCommand('mlops.setRayToken', async (arg) => {
      const name = await setRayToken(context.secrets, tree.clusters(), typeof arg === 'string' ? arg : (arg as { name?: string } | undefined)?.name);
      if (name) {
        // The next read makes the backend anew with the new token.
        tree.reset();
        await tree.refresh();
      }
      return name;
    }),
  );
  return tree;
}
