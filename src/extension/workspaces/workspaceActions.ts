// Start, stop, restart, remove, logs and "copy docker run" for one workspace. Each action
// checks our label on the engine first: a container we did not create is never touched.
import { Writable } from 'node:stream';
import * as vscode from 'vscode';
import { showError, showInfo, showWarning } from '../notify';
import { describeEngineError } from '../../core/hosts/engineErrors';
import { dockerRunCommand, PROFILE_LABEL } from '../../core/hosts/workspaceSpec';
import type { HostRegistry } from './hosts';
import { profileFromInspect } from './model';
import { hostLabel, hostOf, type WorkspaceNode, type WorkspacesTreeProvider } from './workspacesTree';
import { currentUser } from './identity';
import { changeWorkspace, ourWorkspace, WorkspaceRefusedError } from '../../core/hosts/workspaces';
import { ownerLabels, refusal, type Refusal } from '../../core/hosts/ownership';

type Action = 'start' | 'stop' | 'restart' | 'remove';

/** Each action's texts as whole sentences, so that a translation can order its words freely. */
function actionTexts(action: Action, name: string): { choose: string; progress: string; failed: string } {
  switch (action) {
    case 'start':
      return { choose: vscode.l10n.t('choose a workspace in the Workspaces view to start it.'), progress: vscode.l10n.t('MLOps: start {0}', name), failed: vscode.l10n.t('could not start {0}.', name) };
    case 'stop':
      return { choose: vscode.l10n.t('choose a workspace in the Workspaces view to stop it.'), progress: vscode.l10n.t('MLOps: stop {0}', name), failed: vscode.l10n.t('could not stop {0}.', name) };
    case 'restart':
      return { choose: vscode.l10n.t('choose a workspace in the Workspaces view to restart it.'), progress: vscode.l10n.t('MLOps: restart {0}', name), failed: vscode.l10n.t('could not restart {0}.', name) };
    case 'remove':
      return { choose: vscode.l10n.t('choose a workspace in the Workspaces view to remove it.'), progress: vscode.l10n.t('MLOps: remove {0}', name), failed: vscode.l10n.t('could not remove {0}.', name) };
  }
}

/**
 * The workspace's container after checking, on the engine, that we created it; with
 * `change`, also that it is this user's (else WorkspaceRefusedError naming the owner).
 */
export async function ownedWorkspace(registry: HostRegistry, node: WorkspaceNode, opts: { change?: boolean } = {}) {
  const host = hostOf(node);
  const conn = await registry.ensureConnected(host);
  const { container, info } = await ourWorkspace(conn.docker(), node.ws.id, node.ws.name, opts.change ? currentUser() : undefined);
  return { host, conn, container, info };
}

/** The refusal as the user reads it: whose workspace it is and what they can do instead. */
export function refusalMessage(name: string, r: Refusal): string {
  return r.reason === 'teammate'
    ? vscode.l10n.t("{0} belongs to {1}: MLOps leaves a teammate's workspace alone (logs and details only) and changed nothing. Ask {1}, or set mlops.user if it is yours under another name.", name, r.owner)
    : vscode.l10n.t('{0} has no owner label (launched before MLOps recorded owners, or by another tool): MLOps changed nothing. Remove it with the docker CLI if it is yours.', name);
}

export class WorkspaceActions implements vscode.Disposable {
  private readonly logStreams = new Map<string, { channel: vscode.OutputChannel; stop: () => void }>();

  constructor(
    private readonly registry: HostRegistry,
    private readonly tree: WorkspacesTreeProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private owned(node: WorkspaceNode) {
    return ownedWorkspace(this.registry, node);
  }

  /** `failed` is the whole translated sentence ("could not stop ws-1."); `what` names it in the log. */
  private fail(node: WorkspaceNode, what: string, failed: string, err: unknown): void {
    const p = describeEngineError(err, hostLabel(hostOf(node)));
    this.log.error(`Workspaces: ${what} ${node.ws.name}: ${p.detail}`);
    void showError(`${failed} ${p.message} ${p.nextStep}`, vscode.l10n.t('Show Log')).then((c) => c && this.log.show());
  }

  /** Returns true when done (tests use it); false when declined or failed. */
  async run(action: Action, node: WorkspaceNode | undefined, opts: { confirmed?: boolean } = {}): Promise<boolean> {
    if (node?.kind !== 'workspace') {
      void showInfo(actionTexts(action, '').choose);
      return false;
    }
    const texts = actionTexts(action, node.ws.name);
    const where = hostLabel(hostOf(node));
    // A teammate's item never offers the action; from the palette it is refused before any
    // question. The engine's labels are checked again when acting (the argument may be forged).
    const early = refusal(node.ws.labels, currentUser());
    if (early) {
      this.log.warn(`Workspaces: ${action} ${node.ws.name}: refused (${early.reason === 'teammate' ? `owner ${early.owner}` : 'no owner label'})`);
      void showWarning(refusalMessage(node.ws.name, early));
      return false;
    }
    if (action === 'remove' && !opts.confirmed) {
      const remove = vscode.l10n.t('Remove');
      const ok = await showWarning(
        vscode.l10n.t('Remove workspace {0} on {1}?', node.ws.name, where),
        { modal: true, detail: vscode.l10n.t('The container is deleted with whatever was written inside it outside mounted folders. Volumes are kept.') },
        remove,
      );
      if (ok !== remove) return false;
    }
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: texts.progress }, async () => {
        const conn = await this.registry.ensureConnected(hostOf(node));
        // The owner is checked on the engine here, not only by the menus: a palette call
        // or a forged argument reaches this line too.
        await changeWorkspace(conn.docker(), node.ws, action, currentUser());
      });
      this.log.info(`Workspaces: ${action} ${node.ws.name} on ${hostOf(node).name}: done`);
      if (action === 'remove') this.stopLogs(node.ws.id);
      return true;
    } catch (err) {
      // "already started/stopped" (304) is what the user wanted anyway.
      if ((err as { statusCode?: number }).statusCode === 304) return true;
      if (err instanceof WorkspaceRefusedError) {
        this.log.warn(`Workspaces: ${action} ${node.ws.name}: refused: ${err.message}`);
        void showWarning(refusalMessage(node.ws.name, err.refusal));
        return false;
      }
      this.fail(node, action, texts.failed, err);
      return false;
    } finally {
      this.tree.refreshLive();
    }
  }

  /** Follows the workspace's logs into an output channel of its own; returns the channel's name. */
  async logs(node: WorkspaceNode | undefined): Promise<string | undefined> {
    if (node?.kind !== 'workspace') return undefined;
    try {
      const { conn } = await this.owned(node);
      this.stopLogs(node.ws.id);
      const name = vscode.l10n.t('MLOps Workspace: {0}', node.ws.name);
      const channel = vscode.window.createOutputChannel(name);
      // No deadline: a followed log stream is quiet for as long as the workspace is.
      const docker = conn.docker({ timeoutMs: 0 });
      const stream = (await docker.getContainer(node.ws.id).logs({ follow: true, stdout: true, stderr: true, tail: 1000 })) as NodeJS.ReadableStream & { destroy?: () => void };
      const sink = () => new Writable({ write: (chunk: Buffer, _enc, cb) => (channel.append(chunk.toString('utf8')), cb()) });
      docker.modem.demuxStream(stream, sink(), sink());
      stream.on('end', () => channel.appendLine(`\n[MLOps] ${vscode.l10n.t('the log stream ended (the workspace stopped, or the connection dropped).')}`));
      stream.on('error', (e: Error) => channel.appendLine(`\n[MLOps] ${vscode.l10n.t('the log stream failed: {0}', e.message)}`));
      this.logStreams.set(node.ws.id, { channel, stop: () => stream.destroy?.() });
      channel.show(true);
      return name;
    } catch (err) {
      this.fail(node, 'read the logs of', vscode.l10n.t('could not read the logs of {0}.', node.ws.name), err);
      return undefined;
    }
  }

  private stopLogs(id: string): void {
    const s = this.logStreams.get(id);
    if (!s) return;
    s.stop();
    s.channel.dispose();
    this.logStreams.delete(id);
  }

  /** Puts the equivalent `docker run` on the clipboard and returns it. */
  async copyDockerRun(node: WorkspaceNode | undefined): Promise<string | undefined> {
    if (node?.kind !== 'workspace') return undefined;
    try {
      const { info } = await this.owned(node);
      const p = profileFromInspect(info as Parameters<typeof profileFromInspect>[0]);
      // No --name: the original holds it. The profile label still says where it came from.
      // Whoever runs the copied command owns what it creates.
      const cmd = dockerRunCommand({ ...p, name: undefined }, { ...(p.name ? { [PROFILE_LABEL]: p.name } : {}), ...ownerLabels(currentUser()) });
      await vscode.env.clipboard.writeText(cmd);
      void showInfo(vscode.l10n.t('copied the docker run command of {0}.', node.ws.name));
      return cmd;
    } catch (err) {
      this.fail(node, 'describe', vscode.l10n.t('could not describe {0}.', node.ws.name), err);
      return undefined;
    }
  }

  dispose(): void {
    for (const id of [...this.logStreams.keys()]) this.stopLogs(id);
  }
}
