// Idle auto-stop in the window: each refresh of a host feeds the state machine of
// core/hosts/idleStop.ts with the user's own running workspaces that asked for it; a warning
// offers "Keep running", and the stop goes through the same command (and owner check) as
// the menu's Stop. It sees what the refresh sees: while the view is hidden nothing is probed.
import * as vscode from 'vscode';
import { showInfo, showWarning } from '../notify';
import { IdleStopper, idleSamples } from '../../core/hosts/idleStop';
import type { HostEntry } from './hosts';
import { currentUser } from './identity';
import type { HostSnapshot, WorkspaceNode, WorkspacesTreeProvider } from './workspacesTree';

export class IdleWatch implements vscode.Disposable {
  private readonly stoppers = new Map<string, IdleStopper>();
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly tree: WorkspacesTreeProvider,
    private readonly stop: (node: WorkspaceNode) => Promise<boolean>,
    private readonly log: vscode.LogOutputChannel,
    private readonly now: () => number = Date.now,
  ) {
    this.sub = tree.onSnapshot((host, snap) => this.observe(host, snap));
  }

  private observe(host: HostEntry, snap: HostSnapshot): void {
    if (!snap.workspaces.ok) return;
    // No GPU probe (no nvidia-smi, host unreachable): util unknown, so never idle.
    const samples = idleSamples(snap.workspaces.list, snap.gpus.kind === 'gpus' ? snap.gpus : undefined, currentUser());
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
    this.sub.dispose();
  }
}
