// Start, stop, restart, remove, logs and "copy docker run" for one workspace. Each action
// checks our label on the engine first: a container we did not create is never touched.
import { Writable } from 'node:stream';
import * as vscode from 'vscode';
import { showError, showInfo, showWarning } from '../notify';
import { describeEngineError } from '../../core/hosts/engineErrors';
import { dockerRunCommand, PROFILE_LABEL, WORKSPACE_LABEL } from '../../core/hosts/workspaceSpec';
import type { HostRegistry } from './hosts';
import { profileFromInspect } from './model';
import { hostLabel, type WorkspaceNode, type WorkspacesTreeProvider } from './workspacesTree';

type Action = 'start' | 'stop' | 'restart' | 'remove';

/** The workspace's container after checking, on the engine, that we created it. */
export async function ownedWorkspace(registry: HostRegistry, node: WorkspaceNode) {
  const host = node.parent.parent.host;
  const conn = await registry.ensureConnected(host);
  const container = conn.docker().getContainer(node.ws.id);
  const info = await container.inspect();
  if (info.Config?.Labels?.[WORKSPACE_LABEL] !== '1') throw new Error(`${node.ws.name} does not carry the ${WORKSPACE_LABEL} label: MLOps leaves it alone.`);
  return { host, conn, container, info };
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

  private fail(node: WorkspaceNode, what: string, err: unknown): void {
    const p = describeEngineError(err, hostLabel(node.parent.parent.host));
    this.log.error(`Workspaces: ${what} ${node.ws.name}: ${p.detail}`);
    void showError(`could not ${what} ${node.ws.name}. ${p.message} ${p.nextStep}`, 'Show Log').then((c) => c && this.log.show());
  }

  /** Returns true when done (tests use it); false when declined or failed. */
  async run(action: Action, node: WorkspaceNode | undefined, opts: { confirmed?: boolean } = {}): Promise<boolean> {
    if (node?.kind !== 'workspace') {
      void showInfo(`choose a workspace in the Workspaces view to ${action} it.`);
      return false;
    }
    const where = hostLabel(node.parent.parent.host);
    if (action === 'remove' && !opts.confirmed) {
      const ok = await showWarning(
        `Remove workspace ${node.ws.name} on ${where}?`,
        { modal: true, detail: 'The container is deleted with whatever was written inside it outside mounted folders. Volumes are kept.' },
        'Remove',
      );
      if (ok !== 'Remove') return false;
    }
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `MLOps: ${action} ${node.ws.name}` }, async () => {
        const { container } = await this.owned(node);
        if (action === 'start') await container.start();
        else if (action === 'stop') await container.stop({ t: 10 });
        else if (action === 'restart') await container.restart({ t: 10 });
        else await container.remove({ force: true, v: false });
      });
      this.log.info(`Workspaces: ${action} ${node.ws.name} on ${node.parent.parent.host.name}: done`);
      if (action === 'remove') this.stopLogs(node.ws.id);
      return true;
    } catch (err) {
      // "already started/stopped" (304) is what the user wanted anyway.
      if ((err as { statusCode?: number }).statusCode === 304) return true;
      this.fail(node, action, err);
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
      const name = `MLOps Workspace: ${node.ws.name}`;
      const channel = vscode.window.createOutputChannel(name);
      // No deadline: a followed log stream is quiet for as long as the workspace is.
      const docker = conn.docker({ timeoutMs: 0 });
      const stream = (await docker.getContainer(node.ws.id).logs({ follow: true, stdout: true, stderr: true, tail: 1000 })) as NodeJS.ReadableStream & { destroy?: () => void };
      const sink = () => new Writable({ write: (chunk: Buffer, _enc, cb) => (channel.append(chunk.toString('utf8')), cb()) });
      docker.modem.demuxStream(stream, sink(), sink());
      stream.on('end', () => channel.appendLine(`\n[MLOps] the log stream ended (the workspace stopped, or the connection dropped).`));
      stream.on('error', (e: Error) => channel.appendLine(`\n[MLOps] the log stream failed: ${e.message}`));
      this.logStreams.set(node.ws.id, { channel, stop: () => stream.destroy?.() });
      channel.show(true);
      return name;
    } catch (err) {
      this.fail(node, 'read the logs of', err);
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
      const cmd = dockerRunCommand({ ...p, name: undefined }, p.name ? { [PROFILE_LABEL]: p.name } : {});
      await vscode.env.clipboard.writeText(cmd);
      void showInfo(`copied the docker run command of ${node.ws.name}.`);
      return cmd;
    } catch (err) {
      this.fail(node, 'describe', err);
      return undefined;
    }
  }

  dispose(): void {
    for (const id of [...this.logStreams.keys()]) this.stopLogs(id);
  }
}
