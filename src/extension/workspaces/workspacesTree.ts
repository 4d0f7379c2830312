import { formatDuration } from '../../core/common/format';
import * as vscode from 'vscode';
import { setting } from '../settings';
import { errorMessage } from '../../core/common/errors';
import { describeEngineError } from '../../core/hosts/engineErrors';
import { checkHost } from '../../core/hosts/hostStatus';
import { listWorkspaces, probeGpus, type WorkspaceSummary } from '../../core/hosts/workspaces';
import type { GpuInfo, GpuProbeResult } from '../../core/hosts/gpuProbe';
import { gpuHolders, gpuUse, holdersSummary, reservedGpuIds, type GpuHolder } from '../../core/hosts/gpuHolders';
import type { HostEntry, HostRegistry } from './hosts';
import { formatGpu, formatPorts, ownedDescription, stateIcon, workspaceContextValue } from './model';
import { ownerText, splitByOwner } from '../../core/hosts/ownership';
import { currentUser } from './identity';
import { idleLimitMs, type IdleCountdown } from '../../core/hosts/idleStop';

type HostState =
  | { status: 'idle' }
  | { status: 'connecting' }
  | { status: 'connected' }
  /** The SSH link dropped or cannot be made; the connection retries with backoff. */
  | { status: 'disconnected'; message: string }
  | { status: 'error'; message: string };

export interface HostNode {
  kind: 'host';
  host: HostEntry;
  state: HostState;
  gpus: GroupNode;
  workspaces: GroupNode;
}
export interface GroupNode {
  kind: 'gpus' | 'workspaces';
  parent: HostNode;
  /** Set while some workspace of the host is a teammate's: the view splits the list in two. */
  mine?: OwnerGroupNode;
  team?: OwnerGroupNode;
}
/** "Mine" or "Team" under a host's Workspaces; only when others' workspaces are there too. */
export interface OwnerGroupNode {
  kind: 'mine' | 'team';
  parent: GroupNode;
  items: WorkspaceNode[];
}
export interface GpuNode {
  kind: 'gpu';
  gpu: GpuInfo;
  holders: GpuHolder[];
  /** Why the processes are unknown (then no holder is shown). */
  processProblem?: string;
  free: boolean;
  parent: GroupNode;
}

/** One refresh of a host: both groups render from it (one listing, one probe: two round trips). */
export interface HostSnapshot {
  workspaces: { ok: true; list: WorkspaceSummary[] } | { ok: false; error: unknown };
  gpus: GpuProbeResult;
}
export interface WorkspaceNode {
  kind: 'workspace';
  ws: WorkspaceSummary;
  parent: GroupNode | OwnerGroupNode;
  /** Launched by this user (owner label = mlops.user or the OS user); else read-only here. */
  mine: boolean;
}
export interface MessageNode {
  kind: 'message';
  text: string;
  icon: 'error' | 'info' | 'add';
  tooltip?: string;
  parent: HostNode | GroupNode;
  command?: vscode.Command;
}
export type WorkspacesNode = HostNode | GroupNode | OwnerGroupNode | GpuNode | WorkspaceNode | MessageNode;

/** The host a workspace item is on, whether or not the view grouped it under Mine/Team. */
export function hostOf(n: WorkspaceNode): HostEntry {
  const p = n.parent;
  return 'items' in p ? p.parent.parent.host : p.parent.host;
}

/** The host's state as its description shows it. */
const HOST_STATUS: Record<HostState['status'], () => string> = {
  idle: () => vscode.l10n.t('not connected'),
  connecting: () => vscode.l10n.t('connecting'),
  connected: () => vscode.l10n.t('connected'),
  disconnected: () => vscode.l10n.t('disconnected'),
  error: () => vscode.l10n.t('error'),
};

/** Where messages name the host: "this machine" or "gpu-box (SSH)". */
export function hostLabel(h: HostEntry): string {
  return h.kind === 'local' ? vscode.l10n.t('this machine') : vscode.l10n.t('{0} (SSH)', h.name);
}

const mib = (n: number | null) => (n === null ? vscode.l10n.t('memory n/a') : `${(n / 1024).toFixed(1)} GiB`);

/** "idle 12 min · stops at 30" (under a minute: "idle <1 min"). */
function idleText(c: IdleCountdown): string {
  return c.idleMinutes < 1 ? vscode.l10n.t('idle <1 min · stops at {0}', c.limitMinutes) : vscode.l10n.t('idle {0} min · stops at {1}', c.idleMinutes, c.limitMinutes);
}

/** Each process on the GPU: where it runs, its pid, name and memory. */
function gpuTooltip(n: GpuNode): vscode.MarkdownString {
  const lines = [`**GPU ${n.gpu.index}** — ${n.gpu.name}${n.gpu.uuid ? ` (\`${n.gpu.uuid}\`)` : ''}`];
  if (n.processProblem) lines.push(vscode.l10n.t('Processes unknown: {0}', n.processProblem));
  else if (!n.holders.length) lines.push(n.free ? vscode.l10n.t('No compute process: free.') : vscode.l10n.t('No compute process, but its memory is in use or it is given to a running workspace.'));
  for (const h of n.holders.slice(0, 20)) {
    const p = h.process;
    const where =
      p.owner.kind === 'container'
        ? h.workspace
          ? vscode.l10n.t('workspace {0}', h.text)
          : vscode.l10n.t('container {0} (not a workspace of ours)', p.owner.containerId.slice(0, 12))
        : p.owner.kind === 'host'
          ? vscode.l10n.t('on the host, in no container')
          : p.owner.kind === 'exited'
            ? vscode.l10n.t('ended since nvidia-smi listed it (or /proc hides it)')
            : p.owner.kind === 'denied'
              ? vscode.l10n.t('its /proc entry is not readable by this user')
              : vscode.l10n.t('not looked up');
    lines.push(`- pid ${p.pid} \`${p.name ?? '?'}\` · ${mib(p.usedMemoryMiB)} · ${where}`);
  }
  if (n.holders.length > 20) lines.push(vscode.l10n.t('… and {0} more', n.holders.length - 20));
  return new vscode.MarkdownString(lines.join('\n\n'));
}

/** Host → GPUs and Workspaces. Hosts connect when expanded; nothing waits past the host layer's timeouts. */
export class WorkspacesTreeProvider implements vscode.TreeDataProvider<WorkspacesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<WorkspacesNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new Map<string, HostNode>();
  private view: vscode.TreeView<WorkspacesNode> | undefined;
  private readonly wsNodes = new WeakMap<GroupNode, Map<string, WorkspaceNode>>();
  private readonly unsubscribe = new Map<string, () => void>();
  private readonly snapshots = new WeakMap<HostNode, { value: Promise<HostSnapshot>; settledAt?: number }>();
  private readonly snapshotListeners = new Set<(host: HostEntry, s: HostSnapshot) => void>();
  /** The idle auto-stop's countdown of a workspace, when its GPUs are idle now (idleWatch.ts). */
  private idleCountdown: (host: string, id: string) => IdleCountdown | undefined = () => undefined;

  constructor(
    readonly registry: HostRegistry,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Everything again; `reconnect` also drops the connections (after settings change or a failure). */
  refresh(reconnect = false): void {
    if (reconnect) {
      this.registry.reset();
      this.nodes.clear();
      this.unsubscribe.forEach((u) => u());
      this.unsubscribe.clear();
    }
    for (const n of this.nodes.values()) {
      this.snapshots.delete(n);
      if (n.state.status === 'error' || n.state.status === 'disconnected') n.state = { status: 'idle' };
    }
    this.changed.fire(undefined);
  }

  /** Only what changes over time: GPU use and workspace state of connected hosts. */
  refreshLive(hostName?: string): void {
    for (const n of this.nodes.values()) {
      if (n.state.status !== 'connected' || (hostName && n.host.name !== hostName)) continue;
      this.snapshots.delete(n);
      this.changed.fire(n.gpus);
      this.changed.fire(n.workspaces);
    }
  }

  /** Called with each fresh listing + GPU probe of a host (idle auto-stop watches them). */
  onSnapshot(listener: (host: HostEntry, s: HostSnapshot) => void): vscode.Disposable {
    this.snapshotListeners.add(listener);
    return { dispose: () => this.snapshotListeners.delete(listener) };
  }

  /** The idle watch says how long each workspace has been idle; the items show it. */
  setIdleCountdown(f: (host: string, id: string) => IdleCountdown | undefined): void {
    this.idleCountdown = f;
  }

  /**
   * One listing + GPU probe of `host` outside the view's refresh (the same batched probe),
   * for the idle watch while the view is hidden or the host collapsed. Its listeners hear
   * it as they hear a refresh; a host the view shows re-renders from it (when next shown).
   */
  async probeHost(host: HostEntry): Promise<HostSnapshot> {
    const n = this.node(host);
    // One already out (the view's) is shared, not doubled.
    if (this.snapshots.get(n)?.settledAt !== undefined) this.snapshots.delete(n);
    const snap = await this.snapshot(n);
    if (n.state.status === 'connected') {
      this.changed.fire(n.gpus);
      this.changed.fire(n.workspaces);
    }
    return snap;
  }

  attach(view: vscode.TreeView<WorkspacesNode>): void {
    this.view = view;
  }

  /** The host's workspace node for a container id, listed afresh (tests and reveal use it). */
  async findWorkspace(hostName: string, id: string): Promise<WorkspaceNode | undefined> {
    const host = (await this.getChildren()).find((n): n is HostNode => n.kind === 'host' && n.host.name === hostName);
    if (!host) return undefined;
    if (host.state.status !== 'connected') await this.getChildren(host);
    this.snapshots.delete(host);
    const kids = (await this.getChildren(host.workspaces)).flatMap((k) => (k.kind === 'mine' || k.kind === 'team' ? k.items : [k]));
    return kids.find((k): k is WorkspaceNode => k.kind === 'workspace' && (k.ws.id === id || k.ws.name === id));
  }

  /** Shows a workspace in the view: its host and group expand. */
  async reveal(hostName: string, id: string): Promise<boolean> {
    const node = await this.findWorkspace(hostName, id);
    if (!node || !this.view) return false;
    await this.view.reveal(node, { select: true, focus: false, expand: true });
    return true;
  }

  private node(host: HostEntry): HostNode {
    let n = this.nodes.get(host.name);
    if (!n || n.host.address !== host.address) {
      const h = { kind: 'host', host, state: { status: 'idle' } } as HostNode;
      h.gpus = { kind: 'gpus', parent: h };
      h.workspaces = { kind: 'workspaces', parent: h };
      if (n) this.registry.reset(host.name);
      n = h;
      this.nodes.set(host.name, n);
      this.watch(h);
    }
    return n;
  }

  /** A drop shows at once (not at the next refresh); the connection's own reconnect brings the host back. */
  private watch(n: HostNode): void {
    this.unsubscribe.get(n.host.name)?.();
    const off = this.registry.connection(n.host).onStateChange?.((s) => {
      if (this.nodes.get(n.host.name) !== n) return;
      if (s.status === 'disconnected' && n.state.status === 'connected') {
        const message = s.retryInMs
          ? vscode.l10n.t('Connection lost: {0}. Retrying in {1} s; refresh to retry now.', s.reason, Math.ceil(s.retryInMs / 1000))
          : vscode.l10n.t('Connection lost: {0}. Refresh to reconnect.', s.reason);
        this.log.warn(`Workspaces: ${n.host.name}: ${s.reason}`);
        this.setState(n, { status: 'disconnected', message });
      } else if (s.status === 'connected' && n.state.status === 'disconnected') {
        this.log.info(`Workspaces: ${n.host.name}: reconnected`);
        this.setState(n, { status: 'idle' });
      }
    });
    if (off) this.unsubscribe.set(n.host.name, off);
  }

  private setState(n: HostNode, state: HostState): void {
    const before = JSON.stringify(n.state);
    n.state = state;
    if (JSON.stringify(state) !== before) this.changed.fire(n);
  }

  async getChildren(element?: WorkspacesNode): Promise<WorkspacesNode[]> {
    if (!element) {
      try {
        return (await this.registry.hosts()).map((h) => this.node(h));
      } catch (err) {
        this.log.error(`Workspaces: cannot list hosts: ${errorMessage(err)}`);
        return [];
      }
    }
    if (element.kind === 'host') return this.hostChildren(element);
    if (element.kind === 'gpus') return this.gpuChildren(element);
    if (element.kind === 'workspaces') return this.workspaceChildren(element);
    if (element.kind === 'mine' || element.kind === 'team') return element.items;
    return [];
  }

  private async hostChildren(n: HostNode): Promise<WorkspacesNode[]> {
    const where = hostLabel(n.host);
    // An error stays until a refresh: re-rendering the host (to show "error") must not retry in a loop.
    if (n.state.status === 'error' || n.state.status === 'disconnected') return [{ kind: 'message', icon: 'error', text: n.state.message, tooltip: n.state.message, parent: n }];
    // Not fired: the re-render it would cause would only connect again.
    if (n.state.status === 'idle') n.state = { status: 'connecting' };
    const timeoutMs = (setting('ssh.connectTimeoutSeconds') + setting('workspaces.callTimeoutSeconds')) * 1000;
    const st = await checkHost(this.registry.connection(n.host), where, { timeoutMs });
    if (st.status === 'connected') {
      this.setState(n, { status: 'connected' });
      return [n.gpus, n.workspaces];
    }
    this.log.warn(`Workspaces: ${n.host.name}: ${st.message}`);
    this.setState(n, st.status === 'disconnected' ? { status: 'disconnected', message: st.message } : { status: 'error', message: st.message });
    return [{ kind: 'message', icon: 'error', text: st.message, tooltip: st.message, parent: n }];
  }

  /**
   * The host's listing and GPU probe, run together once and shared by the GPUs and
   * Workspaces groups (the GPUs need the workspaces to name who holds them). Reused while
   * it runs and for a moment after, so the two groups of one refresh share it.
   */
  private snapshot(n: HostNode): Promise<HostSnapshot> {
    const s = this.snapshots.get(n);
    if (s && (s.settledAt === undefined || Date.now() - s.settledAt < 2000)) return s.value;
    const conn = this.registry.connection(n.host);
    const entry: { value: Promise<HostSnapshot>; settledAt?: number } = {
      value: Promise.all([
        Promise.resolve()
          .then(() => listWorkspaces(conn.docker()))
          .then(
            (list) => ({ ok: true as const, list }),
            (error: unknown) => ({ ok: false as const, error }),
          ),
        probeGpus(conn, 15000),
      ]).then(([workspaces, gpus]) => {
        entry.settledAt = Date.now();
        const snap = { workspaces, gpus };
        for (const l of this.snapshotListeners) {
          try {
            l(n.host, snap);
          } catch (err) {
            this.log.error(`Workspaces: a refresh listener failed: ${errorMessage(err)}`);
          }
        }
        return snap;
      }),
    };
    this.snapshots.set(n, entry);
    return entry.value;
  }

  private async gpuChildren(g: GroupNode): Promise<WorkspacesNode[]> {
    const { gpus: r, workspaces } = await this.snapshot(g.parent);
    if (r.kind === 'gpus') {
      const list = workspaces.ok ? workspaces.list : [];
      const reserved = reservedGpuIds(list);
      const freeMemoryMiB = setting('gpus.freeMemoryMiB');
      return r.gpus.map((gpu) => {
        const holders = gpuHolders(gpu, r.processes, list);
        const use = gpuUse(gpu, holders, { freeMemoryMiB, processesKnown: !r.processProblem, reserved });
        return { kind: 'gpu', gpu, holders, ...(r.processProblem ? { processProblem: r.processProblem } : {}), free: use.free, parent: g };
      });
    }
    if (r.kind === 'none') return [{ kind: 'message', icon: 'info', text: r.reason, ...(r.detail ? { tooltip: r.detail } : {}), parent: g }];
    return [{ kind: 'message', icon: 'error', text: r.message, tooltip: r.message, parent: g }];
  }

  private async workspaceChildren(g: GroupNode): Promise<WorkspacesNode[]> {
    try {
      const snap = await this.snapshot(g.parent);
      if (!snap.workspaces.ok) throw snap.workspaces.error;
      const list = snap.workspaces.list;
      if (!list.length) {
        return [
          {
            kind: 'message',
            icon: 'add',
            text: vscode.l10n.t('No workspaces: launch one'),
            parent: g,
            command: { command: 'mlops.launchWorkspace', title: vscode.l10n.t('Launch Workspace'), arguments: [g.parent] },
          },
        ];
      }
      // The same object per container across refreshes: TreeView.reveal finds elements by identity.
      const before = this.wsNodes.get(g) ?? new Map<string, WorkspaceNode>();
      const now = new Map<string, WorkspaceNode>();
      const { mine, team } = splitByOwner(
        [...list].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()),
        currentUser(),
      );
      // No grouping while every workspace is the user's: Mine/Team would only add a level.
      if (team.length) {
        g.mine ??= { kind: 'mine', parent: g, items: [] };
        g.team ??= { kind: 'team', parent: g, items: [] };
      }
      const place = (ws: WorkspaceSummary, isMine: boolean, parent: GroupNode | OwnerGroupNode) => {
        const n = before.get(ws.id) ?? { kind: 'workspace', ws, parent, mine: isMine };
        Object.assign(n, { ws, parent, mine: isMine });
        now.set(ws.id, n);
        return n;
      };
      this.wsNodes.set(g, now);
      if (!team.length) return mine.map((ws) => place(ws, true, g));
      g.mine!.items = mine.map((ws) => place(ws, true, g.mine!));
      g.team!.items = team.map((ws) => place(ws, false, g.team!));
      return g.mine!.items.length ? [g.mine!, g.team!] : [g.team!];
    } catch (err) {
      const p = describeEngineError(err, hostLabel(g.parent.host));
      this.log.warn(`Workspaces: listing on ${g.parent.host.name}: ${p.detail}`);
      return [{ kind: 'message', icon: 'error', text: `${p.message} ${p.nextStep}`, tooltip: p.detail, parent: g }];
    }
  }

  getParent(n: WorkspacesNode): WorkspacesNode | undefined {
    return n.kind === 'host' ? undefined : n.parent;
  }

  getTreeItem(n: WorkspacesNode): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (n.kind) {
      case 'host': {
        const item = new vscode.TreeItem(n.host.name, n.host.kind === 'local' ? C.Expanded : C.Collapsed);
        item.id = `host:${n.host.name}`;
        const s = n.state.status;
        const kind = n.host.kind === 'local' ? vscode.l10n.t('local Docker') : 'SSH';
        item.description = `${kind} · ${HOST_STATUS[s]()}`;
        item.iconPath = new vscode.ThemeIcon(
          n.host.kind === 'local' ? 'vm' : 'remote',
          s === 'connected' ? new vscode.ThemeColor('testing.iconPassed') : s === 'error' || s === 'disconnected' ? new vscode.ThemeColor('errorForeground') : undefined,
        );
        item.tooltip = `${n.host.address}${n.state.status === 'error' || n.state.status === 'disconnected' ? `\n\n${n.state.message}` : ''}`;
        item.contextValue = 'mlops.host';
        return item;
      }
      case 'gpus':
      case 'workspaces': {
        const item = new vscode.TreeItem(n.kind === 'gpus' ? vscode.l10n.t('GPUs') : vscode.l10n.t('Workspaces'), C.Expanded);
        item.id = `${n.kind}:${n.parent.host.name}`;
        item.iconPath = new vscode.ThemeIcon(n.kind === 'gpus' ? 'circuit-board' : 'package');
        item.contextValue = `mlops.${n.kind}`;
        return item;
      }
      case 'mine':
      case 'team': {
        const item = new vscode.TreeItem(n.kind === 'mine' ? vscode.l10n.t('Mine') : vscode.l10n.t('Team'), C.Expanded);
        item.id = `${n.kind}:${n.parent.parent.host.name}`;
        item.description = String(n.items.length);
        item.iconPath = new vscode.ThemeIcon(n.kind === 'mine' ? 'account' : 'organization');
        item.tooltip =
          n.kind === 'mine'
            ? vscode.l10n.t('Workspaces you launched (owner {0}).', currentUser())
            : vscode.l10n.t("Teammates' workspaces on this host: logs and details only; their owner starts, stops and removes them.");
        item.contextValue = `mlops.ownerGroup.${n.kind}`;
        return item;
      }
      case 'gpu': {
        const { label, description } = formatGpu(n.gpu, { holders: holdersSummary(n.holders), free: n.free });
        const item = new vscode.TreeItem(label, C.None);
        item.id = `gpu:${n.parent.parent.host.name}:${n.gpu.index}`;
        item.description = description;
        item.iconPath = new vscode.ThemeIcon('pulse', n.holders.length ? new vscode.ThemeColor('charts.orange') : undefined);
        item.tooltip = gpuTooltip(n);
        return item;
      }
      case 'workspace': {
        const { ws } = n;
        const item = new vscode.TreeItem(ws.name, C.None);
        item.id = `ws:${hostOf(n).name}:${ws.id}`;
        const owner = ownerText(ws.labels);
        const countdown = n.mine && ws.state === 'running' ? this.idleCountdown(hostOf(n).name, ws.id) : undefined;
        item.description = countdown
          ? `${ownedDescription(ws, n.mine)} · ${idleText(countdown)}`
          : ownedDescription(ws, n.mine);
        const icon = stateIcon(ws.state);
        item.iconPath = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
        const ports = formatPorts(ws.ports);
        const idleMs = idleLimitMs(ws.labels);
        item.tooltip = new vscode.MarkdownString(
          [
            `**${ws.name}** — ${ws.status}`,
            ws.profile ? vscode.l10n.t('image `{0}`, profile {1}', ws.image, ws.profile) : vscode.l10n.t('image `{0}`', ws.image),
            ports ? vscode.l10n.t('GPUs: {0} · ports {1} (container→host)', ws.gpus, ports) : vscode.l10n.t('GPUs: {0}', ws.gpus),
            vscode.l10n.t('created {0} ago · id {1}', formatDuration(Math.max(0, Date.now() - ws.createdAt.getTime())), ws.id.slice(0, 12)),
            n.mine ? vscode.l10n.t('owner: {0} (you)', owner) : vscode.l10n.t("owner: {0} — a teammate's workspace: logs and details only", owner),
            ...(idleMs ? [vscode.l10n.t('idle auto-stop: after {0} with every GPU at 0 %', formatDuration(idleMs))] : []),
            ...(countdown
              ? [vscode.l10n.t('every GPU idle for {0}: stops in about {1} unless a GPU gets work', formatDuration(countdown.idleMs), formatDuration(countdown.leftMs))]
              : []),
          ].join('\n\n'),
        );
        item.contextValue = workspaceContextValue(ws.state, n.mine);
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(n.text, C.None);
        item.iconPath = new vscode.ThemeIcon(n.icon === 'error' ? 'error' : n.icon === 'add' ? 'add' : 'info', n.icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
        if (n.tooltip) item.tooltip = n.tooltip;
        if (n.command) item.command = n.command;
        item.contextValue = 'mlops.message';
        return item;
      }
    }
  }

  dispose(): void {
    this.unsubscribe.forEach((u) => u());
    this.changed.dispose();
  }
}
