// Launching a workspace: the host, the questions (launchQuestions.ts), then the launch
// itself with progress and a cancel that answers at once. Tests and other extensions skip
// the questions by passing a LaunchRequest to `mlops.launchWorkspace`.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { showError, showInfo, showWarning } from '../notify';
import { errorMessage } from '../../core/common/errors';
import { describeEngineError } from '../../core/hosts/engineErrors';
import { containerCreateOptions, ProfileError, type LaunchProfile } from '../../core/hosts/workspaceSpec';
import type { HostEntry, HostRegistry } from './hosts';
import { setting } from '../settings';
import { askLaunch } from './launchQuestions';
import { currentUser } from './identity';
import { ownerLabels } from '../../core/hosts/ownership';
import { mountsFor, SPEC_LABEL, storedProfiles, workspaceContainerName, type StoredProfile } from './model';
import { hostLabel, type HostNode, type WorkspacesTreeProvider } from './workspacesTree';

/** `mlops.launchWorkspace`'s argument for a launch without questions. */
export interface LaunchRequest {
  /** A host name as the view shows it ("This machine", an SSH alias). */
  host: string;
  profile: LaunchProfile & { mountProject?: boolean };
  /** Extra labels (tests mark their own containers with one). */
  labels?: Record<string, string>;
}

export interface LaunchResult {
  host: string;
  id: string;
  name: string;
}

class Cancelled extends Error {
  constructor() {
    super('Launch cancelled.');
  }
}

export class Launcher {
  constructor(
    private readonly registry: HostRegistry,
    private readonly tree: WorkspacesTreeProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The command: a LaunchRequest launches at once (and throws on failure); otherwise it asks. */
  async command(arg?: HostNode | LaunchRequest): Promise<LaunchResult | undefined> {
    if (arg && 'profile' in arg) {
      const host = await this.registry.find(arg.host);
      if (!host) throw new Error(`No host named "${arg.host}" in the Workspaces view.`);
      return this.launch(host, arg.profile, arg.labels ?? {});
    }
    const host = arg?.kind === 'host' ? arg.host : await this.pickHost();
    if (!host) return undefined;
    const answers = await askLaunch(this.registry, host);
    if (!answers) return undefined;
    return this.launchAndReport(host, answers);
  }

  async relaunch(arg?: string | StoredProfile): Promise<LaunchResult | undefined> {
    const profiles = storedProfiles(setting('workspaces.profiles'));
    let p = typeof arg === 'object' ? arg : profiles.find((q) => q.name === arg);
    if (!p) {
      if (!profiles.length) {
        void showInfo(vscode.l10n.t('no saved launch profiles yet. Launch a workspace and give it a name at the last step to save one.'), vscode.l10n.t('Launch Workspace')).then(
          (c) => c && vscode.commands.executeCommand('mlops.launchWorkspace'),
        );
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(
        profiles.map((q) => ({ label: q.name, description: q.host ? vscode.l10n.t('{0} on {1}', q.image, q.host) : q.image, profile: q })),
        { title: vscode.l10n.t('MLOps: Relaunch Profile'), placeHolder: vscode.l10n.t('Which saved profile?') },
      );
      p = pick?.profile;
    }
    if (!p) return undefined;
    const host = (p.host ? await this.registry.find(p.host) : undefined) ?? (await this.pickHost(p.host ? vscode.l10n.t('"{0}" is not configured any more. Launch on:', p.host) : undefined));
    if (!host) return undefined;
    return this.launchAndReport(host, p);
  }

  private async launchAndReport(host: HostEntry, profile: LaunchProfile & { mountProject?: boolean }): Promise<LaunchResult | undefined> {
    try {
      const r = await this.launch(host, profile, {});
      void showInfo(vscode.l10n.t('workspace {0} runs on {1}.', r.name, hostLabel(host)));
      return r;
    } catch (err) {
      if (err instanceof Cancelled) return undefined;
      const text = err instanceof ProfileError ? err.message : (({ message, nextStep }) => `${message} ${nextStep}`)(describeEngineError(err, hostLabel(host)));
      void showError(vscode.l10n.t('launch failed. {0}', text), vscode.l10n.t('Show Log')).then((c) => c && this.log.show());
      return undefined;
    }
  }

  /** Creates and starts the container; a cancel or a failed start leaves nothing behind. */
  launch(host: HostEntry, profile: LaunchProfile & { mountProject?: boolean; host?: string }, labels: Record<string, string>): Thenable<LaunchResult> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: launching a workspace on {0}', hostLabel(host)), cancellable: true },
      async (progress, token) => {
        const check = () => {
          if (token.isCancellationRequested) throw new Cancelled();
        };
        // Cancel answers at once; what the engine finishes afterwards is cleaned up behind it.
        const cancelled = new Promise<never>((_, reject) => token.onCancellationRequested(() => reject(new Cancelled())));
        cancelled.catch(() => undefined);
        const race = <T>(p: Promise<T>) => Promise.race([p, cancelled]);
        const { mountProject: _m, host: _h, ...rest } = profile;
        const projectPath = host.kind === 'local' ? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath : host.projectPath;
        const spec: LaunchProfile = { ...rest, mounts: mountsFor(profile, projectPath) };
        // The owner comes last: a LaunchRequest's labels cannot launch in someone else's name.
        const opts = containerCreateOptions(spec, { ...labels, [SPEC_LABEL]: JSON.stringify(spec), ...ownerLabels(currentUser()) });
        opts.name = workspaceContainerName(spec, randomBytes(3).toString('hex'));
        progress.report({ message: vscode.l10n.t('connecting') });
        const conn = await race(this.registry.ensureConnected(host));
        check();
        const docker = conn.docker({ timeoutMs: 60000 });
        progress.report({ message: vscode.l10n.t('creating {0} from {1}', opts.name!, spec.image) });
        this.log.info(`Workspaces: creating ${opts.name} on ${host.name} (${spec.image})`);
        const creating = docker.createContainer(opts);
        const discard = (c: { remove(o: object): Promise<unknown> }) =>
          c.remove({ force: true }).then(
            () => this.log.info(`Workspaces: launch of ${opts.name} cancelled; removed it`),
            (e) => this.log.warn(`Workspaces: could not remove ${opts.name}: ${errorMessage(e)}`),
          );
        const container = await race(creating).catch((err) => {
          if (err instanceof Cancelled) void creating.then(discard, () => undefined);
          throw err;
        });
        try {
          check();
          progress.report({ message: vscode.l10n.t('starting {0}', opts.name!) });
          await race(container.start());
          check();
        } catch (err) {
          // Never started (or cancelled): nothing of it should linger on the host.
          await discard(container);
          throw err;
        }
        this.log.info(`Workspaces: ${opts.name} (${container.id.slice(0, 12)}) runs on ${host.name}`);
        // All hosts: two of them may be one engine (this machine, and itself over SSH).
        this.tree.refreshLive();
        return { host: host.name, id: container.id, name: opts.name! };
      },
    );
  }

  private async pickHost(placeHolder = vscode.l10n.t('Launch the workspace on which host?')): Promise<HostEntry | undefined> {
    const hosts = await this.registry.hosts();
    if (!hosts.length) {
      void showWarning(vscode.l10n.t('no Docker host. Start Docker here, set mlops.docker.host, or add a GPU server to ~/.ssh/config or mlops.hosts.'), vscode.l10n.t('Open Settings')).then(
        (c) => c && vscode.commands.executeCommand('mlops.openSettings'),
      );
      return undefined;
    }
    if (hosts.length === 1) return hosts[0];
    const pick = await vscode.window.showQuickPick(
      hosts.map((h) => ({ label: h.name, description: h.kind === 'local' ? vscode.l10n.t('local Docker') : vscode.l10n.t('SSH {0}', h.address), host: h })),
      { title: vscode.l10n.t('MLOps: Launch Workspace — host'), placeHolder, ignoreFocusOut: true },
    );
    return pick?.host;
  }
}
