// The Jobs view: cluster → Partitions / My jobs / History. One refresh is one
// backend snapshot() per cluster, side by side, each under a deadline, so a cluster that
// does not answer shows as unreachable instead of holding the view. The last good
// snapshot stays shown under the error.
import * as vscode from 'vscode';
import { ActionableError, errorMessage } from '../../core/common/errors';
import { withTimeout } from '../../core/hosts/deadline';
import type { ClusterBackend, ClusterJob, ClusterNode as EngineNode, ClusterSnapshot, JobRecord, Partition } from '../../core/jobs/types';
import { loadLazy } from '../lazy/load';
import { setting } from '../settings';
import { workspaceTrusted } from '../trust';
import type { HostRegistry } from '../workspaces/hosts';
import { clusterSettings, type ClusterSetting } from './clusterSettings';
import { activeJobs, isActive, clusterErrorText, clusterView, finishedJobs, groupViews, jobView, keepLastGood, partitionView, recordView, type ItemView } from './jobsModel';
import { connectRay, type RayConnection } from './rayConnect';
import { groupGrids, rayEndedJobs, rayGroupViews, rayJobView, rayNodeView } from './rayModel';

type JobsLib = typeof import('../lazy/jobsLib');
const jobsLib = (): JobsLib => loadLazy<JobsLib>('jobsLib');

export interface ClusterState {
  setting: ClusterSetting;
  snapshot?: ClusterSnapshot;
  /** Why the last refresh failed; cleared by the next good one. */
  error?: string;
  /** When the snapshot was read (ms). */
  at?: number;
  /** When the queue was last read without squeue failing (ms): what a kept list dates from. */
  goodAt?: number;
  /** Whether the snapshot holds everyone's jobs. */
  allUsers?: boolean;
  /** Reads started, and the newest one whose answer is shown: an older read finishing late must not replace a newer one. */
  started: number;
  shown: number;
}

export interface ClusterNode {
  kind: 'cluster';
  name: string;
}
export interface GroupNode {
  kind: 'partitions' | 'jobs' | 'history';
  cluster: string;
}
export interface PartitionNode {
  kind: 'partition';
  cluster: string;
  partition: Partition;
}
/** A node of a Ray cluster (Ray has no partitions: its nodes sit under Nodes). */
export interface RayNodeNode {
  kind: 'rayNode';
  cluster: string;
  node: EngineNode;
}
export interface JobNode {
  kind: 'job';
  cluster: string;
  job: ClusterJob;
  /** The user the cluster says we are. */
  me: string;
}
export interface RecordNode {
  kind: 'record';
  cluster: string;
  record: JobRecord;
  me?: string;
}
export interface MessageNode {
  kind: 'message';
  cluster?: string;
  text: string;
  tooltip?: string;
  icon: 'error' | 'warning' | 'info';
}
export type JobsNode = ClusterNode | GroupNode | PartitionNode | RayNodeNode | JobNode | RecordNode | MessageNode;

/** The deadline of one snapshot: connecting, then the batched call. */
function deadlineMs(): number {
  return (Math.max(1, setting('ssh.connectTimeoutSeconds')) + Math.max(1, setting('workspaces.callTimeoutSeconds'))) * 1000;
}

export class JobsTreeProvider implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<JobsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly states = new Map<string, ClusterState>();
  private readonly backends = new Map<string, ClusterBackend>();
  /** The read of each cluster under way, which a refresh joins. */
  private readonly inflight = new Map<string, Promise<boolean>>();
  /** *Show Other Users' Jobs*: everyone's jobs, read-only. */
  private everyone = false;
  /** Ray clusters' connections (a port forward for those behind an SSH host), closed on reset. */
  private readonly rayConnections = new Map<string, Promise<RayConnection>>();

  constructor(
    readonly registry: HostRegistry,
    private readonly log: vscode.LogOutputChannel,
    readonly secrets: vscode.SecretStorage,
  ) {}

  isRay(name: string): boolean {
    return this.clusters().find((c) => c.name === name)?.ray !== undefined;
  }

  clusters(): ClusterSetting[] {
    return clusterSettings(setting('clusters'));
  }

  get allUsers(): boolean {
    return this.everyone;
  }

  /** Shows everyone's jobs (read-only) or the user's own, and reads the clusters again. */
  async setAllUsers(on: boolean): Promise<boolean> {
    this.everyone = on;
    await vscode.commands.executeCommand('setContext', 'mlops.jobs.allUsers', on);
    return (await Promise.all(this.clusters().map((c) => this.read(c, true)))).every(Boolean);
  }

  state(name: string): ClusterState | undefined {
    return this.states.get(name);
  }

  /** The cluster's backend over its login host's one SSH connection (shared with the Workspaces view). */
  async backend(name: string): Promise<{ backend: ClusterBackend; cluster: ClusterSetting }> {
    const cluster = this.clusters().find((c) => c.name === name);
    if (!cluster) throw new Error(vscode.l10n.t('No cluster named {0} in the MLOps › Clusters setting.', name));
    let b = this.backends.get(name);
    if (!b && cluster.ray) {
      let conn = this.rayConnections.get(name);
      if (!conn) {
        conn = connectRay(cluster, this.registry, this.secrets);
        this.rayConnections.set(name, conn);
        conn.catch(() => this.rayConnections.delete(name));
      }
      b = (await conn).backend;
      // A reset while connecting closed that connection: do not keep its backend.
      if (this.rayConnections.get(name) === conn) this.backends.set(name, b);
    }
    if (!b) {
      const host = await this.registry.find(cluster.host);
      if (!host || host.kind !== 'ssh') {
        throw new ActionableError(
          vscode.l10n.t('Cluster {0}: its host {1} is not an SSH host of MLOps › Hosts or ~/.ssh/config.', name, cluster.host),
          vscode.l10n.t('Add {0} to MLOps › Hosts (or a Host entry to ~/.ssh/config), or name another login host in MLOps › Clusters.', cluster.host),
        );
      }
      const { SlurmBackend } = jobsLib();
      // The connection is looked up per call: the Workspaces view may have made it anew.
      b = new SlurmBackend((argv, opts) => this.registry.connection(host).exec(argv, opts), { timeoutMs: Math.max(1, setting('workspaces.callTimeoutSeconds')) * 1000 });
      this.backends.set(name, b);
    }
    return { backend: b, cluster };
  }

  /** Settings changed: new backends (and the cached states of clusters that are gone dropped). */
  reset(): void {
    this.backends.clear();
    for (const c of this.rayConnections.values()) void c.then((r) => r.dispose(), () => undefined);
    this.rayConnections.clear();
    const names = new Set(this.clusters().map((c) => c.name));
    for (const k of [...this.states.keys()]) if (!names.has(k)) this.states.delete(k);
    this.changed.fire(undefined);
  }

  /** Reads every cluster, side by side (reads under way are joined); false when one failed. */
  async refresh(): Promise<boolean> {
    const clusters = this.clusters();
    if (!workspaceTrusted() || clusters.length === 0) {
      this.changed.fire(undefined);
      return true;
    }
    return (await Promise.all(clusters.map((c) => this.read(c)))).every(Boolean);
  }

  /**
   * One cluster's snapshot; each cluster shows as soon as its own answer is in. A read under
   * way is joined unless `fresh` (after a submit or cancel, whose effect it must include).
   */
  read(cluster: ClusterSetting, fresh = false): Promise<boolean> {
    const under = this.inflight.get(cluster.name);
    if (under && !fresh) return under;
    const p: Promise<boolean> = this.readOnce(cluster).finally(() => {
      if (this.inflight.get(cluster.name) === p) this.inflight.delete(cluster.name);
    });
    this.inflight.set(cluster.name, p);
    return p;
  }

  private async readOnce(cluster: ClusterSetting): Promise<boolean> {
    const st: ClusterState = this.states.get(cluster.name) ?? { setting: cluster, started: 0, shown: 0 };
    st.setting = cluster;
    this.states.set(cluster.name, st);
    const mine = ++st.started;
    const t0 = Date.now();
    try {
      const { backend } = await this.backend(cluster.name);
      const allUsers = this.everyone;
      const read = await withTimeout(backend.snapshot({ allUsers }), deadlineMs(), `the jobs query on ${cluster.name}`);
      this.log.debug(`Jobs: ${cluster.name}: snapshot in ${Date.now() - t0} ms (${read.jobs.length} jobs, ${read.history.length} finished)`);
      if (mine < st.shown) return true;
      for (const w of read.warnings) this.log.warn(`Jobs: ${cluster.name}: ${w.part}: ${w.message}`);
      // slurmctld down: squeue's error is shown, and the jobs of the last good answer stay
      // (unless the answer was for the other choice of Show Other Users' Jobs).
      const queueFailed = read.warnings.some((w) => w.part === 'jobs');
      const prev = st.snapshot && st.allUsers === allUsers ? st.snapshot : undefined;
      const snapshot = keepLastGood(vscode.l10n, prev, read, new Date(st.goodAt ?? Date.now()).toLocaleTimeString());
      Object.assign(st, { snapshot, error: undefined, at: Date.now(), shown: mine, allUsers, ...(queueFailed ? {} : { goodAt: Date.now() }) });
      return true;
    } catch (err) {
      const error = clusterErrorText(vscode.l10n, cluster.host, errorMessage(err), (err as { nextStep?: string }).nextStep, cluster.ray !== undefined);
      this.log.warn(`Jobs: ${cluster.name}: ${error}`);
      if (mine >= st.shown) Object.assign(st, { error, shown: mine });
      return false;
    } finally {
      this.changed.fire(undefined);
    }
  }

  getParent(n: JobsNode): JobsNode | undefined {
    if (n.kind === 'cluster' || !n.cluster) return undefined;
    if (n.kind === 'partitions' || n.kind === 'jobs' || n.kind === 'history' || n.kind === 'message') return { kind: 'cluster', name: n.cluster };
    if (n.kind === 'rayNode') return { kind: 'partitions', cluster: n.cluster };
    return { kind: n.kind === 'partition' ? 'partitions' : n.kind === 'job' && isActive(n.job.state) ? 'jobs' : 'history', cluster: n.cluster };
  }

  async getChildren(n?: JobsNode): Promise<JobsNode[]> {
    if (!n) return this.clusters().map((c) => ({ kind: 'cluster', name: c.name }));
    if (n.kind === 'cluster') {
      if (!workspaceTrusted()) return [{ kind: 'message', cluster: n.name, icon: 'info', text: vscode.l10n.t('Restricted Mode: trust this workspace to connect to the cluster.') }];
      const setting = this.clusters().find((c) => c.name === n.name);
      if (setting && !this.states.get(n.name)?.shown) await this.read(setting);
      const st = this.states.get(n.name);
      const out: JobsNode[] = [];
      if (st?.error) {
        const retry = vscode.l10n.t('The view tries again on its own while it is visible, less often while the cluster keeps failing (up to every 5 minutes); Refresh Jobs tries now.');
        out.push({ kind: 'message', cluster: n.name, icon: 'error', text: st.error, tooltip: `${st.error}\n\n${retry}` });
      }
      for (const w of st?.snapshot?.warnings ?? []) out.push({ kind: 'message', cluster: n.name, icon: 'warning', text: `${w.part}: ${w.message}`, tooltip: w.message });
      if (st?.snapshot) out.push({ kind: 'partitions', cluster: n.name }, { kind: 'jobs', cluster: n.name }, { kind: 'history', cluster: n.name });
      return out;
    }
    const s = this.states.get(n.cluster ?? '')?.snapshot;
    if (!s || n.kind === 'message' || !n.cluster) return [];
    const cluster = n.cluster;
    const ray = this.isRay(cluster);
    if (n.kind === 'partitions' && ray) {
      const nodes = s.partitions[0]?.nodes ?? [];
      return nodes.length ? nodes.map((node) => ({ kind: 'rayNode', cluster, node })) : [{ kind: 'message', cluster, icon: 'warning', text: vscode.l10n.t('The dashboard lists no nodes.') }];
    }
    if (n.kind === 'history' && ray) return rayEndedJobs(s).map((job) => ({ kind: 'job', cluster, job, me: s.user }));
    if (n.kind === 'partitions') return s.partitions.map((partition) => ({ kind: 'partition', cluster, partition }));
    if (n.kind === 'jobs') {
      const jobs = ray ? groupGrids(activeJobs(s)) : activeJobs(s);
      if (jobs.length) return jobs.map((job) => ({ kind: 'job', cluster, job, me: s.user }));
      const none = ray
        ? vscode.l10n.t('No running jobs: MLOps: Submit Command to Cluster… starts one.')
        : this.everyone
        ? vscode.l10n.t('No jobs in the queue.')
        : vscode.l10n.t('No jobs of yours: MLOps: Submit Command to Cluster… starts one.');
      return [{ kind: 'message', cluster, icon: 'info', text: none }];
    }
    if (n.kind === 'history') {
      return finishedJobs(s).map((j): JobsNode => ('source' in j ? { kind: 'record', cluster, record: j, me: s.user } : { kind: 'job', cluster, job: j, me: s.user }));
    }
    return [];
  }

  /** Every job node of the last snapshots (the palette's pickers use them). */
  knownJobs(filter: (j: JobNode) => boolean = () => true): JobNode[] {
    const out: JobNode[] = [];
    for (const [cluster, st] of this.states) for (const job of st.snapshot?.jobs ?? []) out.push({ kind: 'job', cluster, job, me: st.snapshot!.user });
    return out.filter(filter);
  }

  private view(n: JobsNode): ItemView {
    const l10n = vscode.l10n;
    switch (n.kind) {
      case 'cluster': {
        const st = this.states.get(n.name);
        const host = this.clusters().find((c) => c.name === n.name)?.host ?? '';
        return clusterView(l10n, n.name, host, st?.snapshot, st?.error);
      }
      case 'partitions':
      case 'jobs':
      case 'history': {
        const st = this.states.get(n.cluster)!;
        return (this.isRay(n.cluster) ? rayGroupViews(l10n, st.snapshot!) : groupViews(l10n, st.snapshot!, st.allUsers))[n.kind];
      }
      case 'partition':
        return partitionView(l10n, n.partition);
      case 'rayNode':
        return rayNodeView(l10n, n.node);
      case 'job':
        return this.isRay(n.cluster) ? rayJobView(l10n, n.job, n.me) : jobView(l10n, n.job, n.me);
      case 'record':
        return recordView(l10n, n.record, n.me);
      case 'message':
        return { label: n.text, tooltip: n.tooltip, icon: n.icon, ...(n.icon === 'error' ? { color: 'errorForeground' } : {}), contextValue: 'mlops.message' };
    }
  }

  getTreeItem(n: JobsNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    const v = this.view(n);
    const collapsible = n.kind === 'cluster' || n.kind === 'jobs' ? C.Expanded : n.kind === 'partitions' || n.kind === 'history' ? C.Collapsed : C.None;
    const item = new vscode.TreeItem(v.label, collapsible);
    item.id = nodeId(n);
    item.description = v.description;
    if (v.tooltip) item.tooltip = v.tooltip;
    item.iconPath = new vscode.ThemeIcon(v.icon, v.color ? new vscode.ThemeColor(v.color) : undefined);
    item.contextValue = v.contextValue;
    return item;
  }

  dispose(): void {
    this.reset();
    this.changed.dispose();
  }
}

function nodeId(n: JobsNode): string | undefined {
  switch (n.kind) {
    case 'cluster':
      return `cluster:${n.name}`;
    case 'partitions':
    case 'jobs':
    case 'history':
      return `${n.kind}:${n.cluster}`;
    case 'partition':
      return `partition:${n.cluster}:${n.partition.name}`;
    case 'rayNode':
      return `rayNode:${n.cluster}:${n.node.name}`;
    case 'job':
      return `job:${n.cluster}:${n.job.id}:${isActive(n.job.state) ? 'q' : 'h'}`;
    case 'record':
      return `record:${n.cluster}:${n.record.jobId}`;
    case 'message':
      return undefined;
  }
}
