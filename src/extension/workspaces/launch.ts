// Launching a workspace: the QuickPick flow (host → image → GPUs → ports → save as
// profile) and the launch itself, with progress and cancel. Tests and other extensions
// skip the questions by passing a LaunchRequest to `mlops.launchWorkspace`.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { errorMessage } from '../../core/common/errors';
import { describeEngineError } from '../../core/hosts/engineErrors';
import { probeGpus } from '../../core/hosts/workspaces';
import { containerCreateOptions, DEFAULT_PORTS, ProfileError, type GpuRequest, type LaunchProfile } from '../../core/hosts/workspaceSpec';
import type { HostEntry, HostRegistry } from './hosts';
import {
  formatPortSpecs,
  mountsFor,
  parseGpuAnswer,
  parsePorts,
  profileFromAnswers,
  SPEC_LABEL,
  storedProfiles,
  upsertProfile,
  workspaceContainerName,
  type StoredProfile,
} from './model';
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
    const answers = await this.ask(host);
    if (!answers) return undefined;
    return this.launchAndReport(host, answers);
  }

  async relaunch(arg?: string | StoredProfile): Promise<LaunchResult | undefined> {
    const profiles = storedProfiles(vscode.workspace.getConfiguration('mlops').get('workspaces.profiles'));
    let p = typeof arg === 'object' ? arg : profiles.find((q) => q.name === arg);
    if (!p) {
      if (!profiles.length) {
        void vscode.window.showInformationMessage('MLOps: no saved launch profiles yet. Launch a workspace and give it a name at the last step to save one.', 'Launch Workspace').then(
          (c) => c && vscode.commands.executeCommand('mlops.launchWorkspace'),
        );
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(
        profiles.map((q) => ({ label: q.name, description: `${q.image}${q.host ? ` on ${q.host}` : ''}`, profile: q })),
        { title: 'MLOps: Relaunch Profile', placeHolder: 'Which saved profile?' },
      );
      p = pick?.profile;
    }
    if (!p) return undefined;
    const host = (p.host ? await this.registry.find(p.host) : undefined) ?? (await this.pickHost(p.host ? `"${p.host}" is not configured any more. Launch on:` : undefined));
    if (!host) return undefined;
    return this.launchAndReport(host, p);
  }

  private async launchAndReport(host: HostEntry, profile: LaunchProfile & { mountProject?: boolean }): Promise<LaunchResult | undefined> {
    try {
      const r = await this.launch(host, profile, {});
      void vscode.window.showInformationMessage(`MLOps: workspace ${r.name} runs on ${hostLabel(host)}.`);
      return r;
    } catch (err) {
      if (err instanceof Cancelled) return undefined;
      const text = err instanceof ProfileError ? err.message : (({ message, nextStep }) => `${message} ${nextStep}`)(describeEngineError(err, hostLabel(host)));
      void vscode.window.showErrorMessage(`MLOps: launch failed. ${text}`, 'Show Log').then((c) => c && this.log.show());
      return undefined;
    }
  }

  /** Creates and starts the container; a cancel or a failed start leaves nothing behind. */
  launch(host: HostEntry, profile: LaunchProfile & { mountProject?: boolean; host?: string }, labels: Record<string, string>): Thenable<LaunchResult> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `MLOps: launching a workspace on ${hostLabel(host)}`, cancellable: true },
      async (progress, token) => {
        const check = () => {
          if (token.isCancellationRequested) throw new Cancelled();
        };
        const { mountProject: _m, host: _h, ...rest } = profile;
        const projectPath = host.kind === 'local' ? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath : host.projectPath;
        const spec: LaunchProfile = { ...rest, mounts: mountsFor(profile, projectPath) };
        const opts = containerCreateOptions(spec, { ...labels, [SPEC_LABEL]: JSON.stringify(spec) });
        opts.name = workspaceContainerName(spec, randomBytes(3).toString('hex'));
        progress.report({ message: 'connecting' });
        const conn = await this.registry.ensureConnected(host);
        check();
        const docker = conn.docker({ timeoutMs: 60000 });
        progress.report({ message: `creating ${opts.name} from ${spec.image}` });
        this.log.info(`Workspaces: creating ${opts.name} on ${host.name} (${spec.image})`);
        const container = await docker.createContainer(opts);
        try {
          check();
          progress.report({ message: 'starting' });
          await container.start();
          check();
        } catch (err) {
          // Never started (or cancelled): nothing of it should linger on the host.
          await container.remove({ force: true }).catch((e) => this.log.warn(`Workspaces: could not remove ${opts.name}: ${errorMessage(e)}`));
          throw err;
        }
        this.log.info(`Workspaces: ${opts.name} (${container.id.slice(0, 12)}) runs on ${host.name}`);
        // All hosts: two of them may be one engine (this machine, and itself over SSH).
        this.tree.refreshLive();
        return { host: host.name, id: container.id, name: opts.name! };
      },
    );
  }

  private async pickHost(placeHolder = 'Launch the workspace on which host?'): Promise<HostEntry | undefined> {
    const hosts = await this.registry.hosts();
    if (!hosts.length) {
      void vscode.window.showWarningMessage('MLOps: no Docker host. Start Docker here, set mlops.docker.host, or add a GPU server to ~/.ssh/config or mlops.hosts.', 'Open Settings').then(
        (c) => c && vscode.commands.executeCommand('mlops.openSettings'),
      );
      return undefined;
    }
    if (hosts.length === 1) return hosts[0];
    const pick = await vscode.window.showQuickPick(
      hosts.map((h) => ({ label: h.name, description: h.kind === 'local' ? 'local Docker' : `SSH ${h.address}`, host: h })),
      { title: 'MLOps: Launch Workspace (1/5)', placeHolder },
    );
    return pick?.host;
  }

  private async ask(host: HostEntry): Promise<(StoredProfile | (LaunchProfile & { mountProject: boolean })) | undefined> {
    const where = hostLabel(host);
    let images: string[] = [];
    let gpuIds: Array<{ label: string; id: string }> = [];
    let problem: string | undefined;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `MLOps: connecting to ${where}` }, async () => {
      try {
        const conn = await this.registry.ensureConnected(host);
        const [list, gpus] = await Promise.all([conn.docker().listImages(), probeGpus(conn, 15000)]);
        images = [...new Set(list.flatMap((i) => i.RepoTags ?? []).filter((t) => t && !t.includes('<none>')))].sort();
        if (gpus.kind === 'gpus') gpuIds = gpus.gpus.map((g) => ({ label: `GPU ${g.index}: ${g.name}`, id: String(g.index) }));
      } catch (err) {
        problem = err instanceof Error && /SSH|host key/i.test(err.message) ? err.message : describeEngineError(err, where).message;
      }
    });
    if (problem) {
      const go = await vscode.window.showWarningMessage(`MLOps: ${problem}`, { modal: true, detail: 'Images could not be listed. Continue and type an image name?' }, 'Continue');
      if (go !== 'Continue') return undefined;
    }
    const image = await this.pickImage(images, where);
    if (!image) return undefined;
    const gpus = await this.pickGpus(gpuIds);
    if (!gpus) return undefined;
    const portsText = await vscode.window.showInputBox({
      title: 'MLOps: Launch Workspace (4/5) — ports',
      prompt: 'Container ports to publish on 127.0.0.1 of the host (Jupyter 8888, TensorBoard 6006); host:container to fix the host port.',
      value: formatPortSpecs(DEFAULT_PORTS as number[]),
      validateInput: (v) => {
        const r = parsePorts(v);
        return r.ok ? undefined : r.error;
      },
    });
    if (portsText === undefined) return undefined;
    const ports = parsePorts(portsText);
    if (!ports.ok) return undefined;
    const projectPath = host.kind === 'local' ? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath : host.projectPath;
    const saveAs = await vscode.window.showInputBox({
      title: 'MLOps: Launch Workspace (5/5) — save as profile',
      prompt: `${projectPath ? `${projectPath} is mounted at /workspace. ` : ''}Name this launch to save it as a profile for MLOps: Relaunch Profile, or leave empty.`,
      placeHolder: 'e.g. train-a100',
      validateInput: (v) => (v.trim() === '' || /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v.trim()) ? undefined : "Use letters, digits, '_', '.' or '-'."),
    });
    if (saveAs === undefined) return undefined;
    const profile = profileFromAnswers({ image, gpus, ports: ports.value, mountProject: true, saveAs });
    if (profile.name) {
      const cfg = vscode.workspace.getConfiguration('mlops');
      const stored: StoredProfile = { ...profile, name: profile.name, host: host.name };
      await cfg.update('workspaces.profiles', upsertProfile(storedProfiles(cfg.get('workspaces.profiles')), stored), vscode.ConfigurationTarget.Global);
      return stored;
    }
    return profile;
  }

  /** Local images, or any name typed (the engine says if it is missing). */
  private pickImage(images: string[], where: string): Promise<string | undefined> {
    return new Promise((resolve) => {
      const qp = vscode.window.createQuickPick();
      qp.title = 'MLOps: Launch Workspace (2/5) — image';
      qp.placeholder = images.length ? `An image on ${where}, or type any image name` : `No images listed on ${where}: type an image name`;
      const base = images.map((label) => ({ label }));
      qp.items = base;
      qp.onDidChangeValue((v) => {
        const t = v.trim();
        qp.items = t && !images.includes(t) ? [{ label: t, description: 'typed image name' }, ...base] : base;
      });
      let done = false;
      qp.onDidAccept(() => {
        const chosen = qp.selectedItems[0]?.label ?? qp.value.trim();
        if (!chosen) return;
        done = true;
        resolve(chosen);
        qp.hide();
      });
      qp.onDidHide(() => {
        if (!done) resolve(undefined);
        qp.dispose();
      });
      qp.show();
    });
  }

  private async pickGpus(gpuIds: Array<{ label: string; id: string }>): Promise<GpuRequest | undefined> {
    const items: Array<vscode.QuickPickItem & { value: 'none' | 'all' | 'count' | 'ids' }> = [
      { label: 'No GPU', value: 'none' },
      { label: 'All GPUs', description: '--gpus all', value: 'all' },
      { label: 'A number of GPUs…', value: 'count' },
      ...(gpuIds.length ? [{ label: 'Choose GPUs…', description: gpuIds.map((g) => g.id).join(', '), value: 'ids' as const }] : []),
    ];
    const pick = await vscode.window.showQuickPick(items, {
      title: 'MLOps: Launch Workspace (3/5) — GPUs',
      placeHolder: gpuIds.length ? `${gpuIds.length} GPU(s) on this host` : 'nvidia-smi found no NVIDIA GPU on this host',
    });
    if (!pick) return undefined;
    if (pick.value === 'none' || pick.value === 'all') return pick.value;
    if (pick.value === 'ids') {
      const chosen = await vscode.window.showQuickPick(
        gpuIds.map((g) => ({ label: g.label, id: g.id })),
        { canPickMany: true, title: 'MLOps: Launch Workspace — choose GPUs' },
      );
      return chosen?.length ? { ids: chosen.map((c) => c.id) } : undefined;
    }
    const n = await vscode.window.showInputBox({
      title: 'MLOps: Launch Workspace — number of GPUs',
      value: '1',
      validateInput: (v) => (/^\s*[1-9]\d*\s*$/.test(v) ? undefined : 'A whole number, 1 or more.'),
    });
    if (n === undefined) return undefined;
    const r = parseGpuAnswer(n);
    return r.ok ? r.value : undefined;
  }
}
