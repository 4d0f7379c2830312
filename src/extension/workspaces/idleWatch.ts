// Idle auto-stop in the window: each snapshot of a host (the view's refresh, or our own
// background probe) feeds the state machine of core/hosts/idleStop.ts with the user's own
// running workspaces that asked for it; a warning offers "Keep running", and the stop goes
// through the same command (and owner check) as the menu's Stop. The view refreshes only
// while visible, so hosts with such workspaces are also probed in the background, once a
// minute, with the same batched probe (core/hosts/idleProbePlan.ts says which and when).
import * as vscode from 'vscode';
import { showInfo, showWarning } from '../notify';
import { errorMessage } from '../../core/common/errors';
import { IdleStopper, idleSamples, type IdleCountdown } from '../../core/hosts/idleStop';
import { BACKGROUND_PROBE_MS, IdleProbePlan } from '../../core/hosts/idleProbePlan';
import type { HostEntry } from './hosts';
import { currentUser } from './identity';
import type { HostSnapshot, WorkspaceNode, WorkspacesTreeProvider } from './workspacesTree';

/** The watched hosts outlive the window: a workspace launched yesterday is still watched today. */
const WATCHED_KEY = 'mlops.idleWatch.hosts';
/** How often the plan is asked which hosts are due (a probe itself runs once an interval at most). */
const TICK_MS = 15_000;

export class IdleWatch implements vscode.Disposable {
  private readonly stoppers = new Map<string, IdleStopper>();
  private readonly plan = new IdleProbePlan(BACKGROUND_PROBE_MS);
  private readonly sub: vscode.Disposable;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Hosts whose last background probe failed: said once in the log, not every minute. */
  private readonly failing = new Set<string>();

  constructor(
    private readonly tree: WorkspacesTreeProvider,
    private readonly stop: (node: WorkspaceNode) => Promise<boolean>,
    private readonly log: vscode.LogOutputChannel,
    private readonly memento?: vscode.Memento,
    private readonly now: () => number = Date.now,
  ) {
    this.sub = tree.onSnapshot((host, snap) => this.observe(host, snap));
    tree.setIdleCountdown((host, id) => this.countdown(host, id));
    const saved = memento?.get<unknown>(WATCHED_KEY);
    for (const h of Array.isArray(saved) ? saved.slice(0, 100) : []) if (typeof h === 'string') this.plan.restore(h);
    this.schedule();
  }

  /** A workspace with an idle limit was launched on `host`: watched from now, view or not. */
  launched(host: string): void {
    this.plan.add(host, this.now());
    this.schedule();
  }

  /** The countdown of a workspace idle now, for its item in the view. */
  countdown(host: string, id: string): IdleCountdown | undefined {
    return this.stoppers.get(host)?.countdown(id, this.now());
  }

  /** The hosts probed in the background now (tests read it). */
  watchedHosts(): string[] {
    return this.plan.watched();
  }

  /** The timer runs only while some host is watched: no workspace with a limit, no work at all. */
  private schedule(): void {
    const before = this.memento?.get<unknown>(WATCHED_KEY);
    const hosts = this.plan.watched();
    if (JSON.stringify(before ?? []) !== JSON.stringify(hosts)) void this.memento?.update(WATCHED_KEY, hosts.length ? hosts : undefined);
    if (this.disposed) return;
    if (hosts.length && !this.timer) {
      this.timer = setInterval(() => void this.tick(), TICK_MS);
    } else if (!hosts.length && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async tick(): Promise<void> {
    // Restricted Mode connects to no host; the watch resumes once the folder is trusted.
    if (!vscode.workspace.isTrusted) return;
    const due = this.plan.due(this.now());
    if (!due.length) return;
    const hosts = await this.tree.registry.hosts().catch(() => [] as HostEntry[]);
    await Promise.all(
      due.map(async (name) => {
        try {
          const host = hosts.find((h) => h.name === name);
          if (!host) {
            // Not configured any more: nothing of it to stop from here.
            this.plan.forget(name);
            this.stoppers.delete(name);
            this.log.info(`Workspaces: idle watch: ${name} is not a configured host any more; not watched`);
          } else if (!this.tree.registry.hasSession(host)) {
            // Connecting could ask for a passphrase or a host key: never from the background.
            this.log.debug(`Workspaces: idle watch: ${name} is not connected in this window; probed once it is`);
          } else {
            const snap = await this.tree.probeHost(host);
            if (!snap.workspaces.ok) throw snap.workspaces.error;
            if (this.failing.delete(name)) this.log.info(`Workspaces: idle watch: ${name} answers again`);
          }
        } catch (err) {
          // Retried every minute while the host stays watched; said once until it answers.
          if (!this.failing.has(name)) this.log.warn(`Workspaces: idle watch: probing ${name} failed (retried each minute): ${errorMessage(err)}`);
          this.failing.add(name);
        } finally {
          this.plan.done(name, this.now());
        }
      }),
    );
    this.schedule();
  }

  private observe(host: HostEntry, snap: HostSnapshot): void {
    if (!snap.workspaces.ok) {
      this.plan.seen(host.name, this.now(), undefined);
      return;
    }
    // No GPU probe (no nvidia-smi, host unreachable): util unknown, so never idle.
    const samples = idleSamples(snap.workspaces.list, snap.gpus.kind === 'gpus' ? snap.gpus : undefined, currentUser());
    this.plan.seen(host.name, this.now(), samples.length > 0);
    this.schedule();
    let stopper = this.stoppers.get(host.name);
    if (!stopper) this.stoppers.set(host.name, (stopper = new IdleStopper()));
    const s = stopper;
    const names = new Map(snap.workspaces.list.map((w) => [w.id, w.name]));
    for (const a of s.observe(this.now(), samples)) {
      const name = names.get(a.id) ?? a.id.slice(0, 12);
      if (a.kind === 'warn') {
        const keep = vscode.l10n.t('Keep running');
        const minutes = Math.max(0, Math.round((a.stopAt - this.now()) / 60000));
        this.log.info(`Workspaces: ${name} on ${host.name}: every GPU idle; auto-stop in ${minutes} min`);
        void showWarning(vscode.l10n.t('{0} has had every GPU at 0 % for a while: it stops in about {1} min (idle auto-stop).', name, minutes), keep).then((c) => {
          if (c !== keep) return;
          s.postpone(a.id, this.now());
          this.log.info(`Workspaces: ${name}: kept running one more period`);
        });
      } else {
        void this.stopNow(host, a.id, name);
      }
    }
  }

  private async stopNow(host: HostEntry, id: string, name: string): Promise<void> {
    const node = await this.tree.findWorkspace(host.name, id);
    if (!node?.mine) return;
    this.log.info(`Workspaces: ${name} on ${host.name}: idle past its limit, stopping`);
    if (await this.stop(node)) void showInfo(vscode.l10n.t('stopped {0}: every GPU of it was idle for its idle limit. Start it again from the Workspaces view.', name));
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.sub.dispose();
  }
}
