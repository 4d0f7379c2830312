// Launching a workspace: the host, the questions (launchQuestions.ts), then the launch
// itself with progress and a cancel that answers at once. Tests and other extensions skip
// the questions by passing a LaunchRequest to `mlops.launchWorkspace`.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { showError, showInfo, showWarning } from '../notify';
import { errorMessage } from '../../core/common/errors';
import { describeEngineError } from '../../core/hosts/engineErrors';
import { containerCreateOptions, ProfileError, type LaunchProfile } from '../../core/hosts/workspaceSpec';
import { placeGpus, type GpuPlacementRequest, type HostGpuSnapshot, type Placement } from '../../core/hosts/gpuPlacement';
import { gpuSnapshot } from '../../core/hosts/workspaces';
import type { HostEntry, HostRegistry } from './hosts';
import { setting } from '../settings';
import { askLaunch } from './launchQuestions';
import { currentUser } from './identity';
import { ownerLabels } from '../../core/hosts/ownership';
import {
  describePlacementRequest,
  describeSkipped,
  mlWorkspacePreset,
  mountsFor,
  offerMlWorkspacePreset,
  placementOrder,
  placementRequest,
  SPEC_LABEL,
  storedProfiles,
  workspaceContainerName,
  type StoredProfile,
} from './model';
import { hostLabel, type HostNode, type WorkspacesTreeProvider } from './workspacesTree';

/** `mlops.launchWorkspace`'s argument for a launch without questions. */
export interface LaunchRequest {
  /**
   * A host name as the view shows it ("This machine", an SSH alias); absent → the first
   * host with enough free GPUs for `profile.gpus` (placement).
   */
  host?: string;
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

/** No host (of those tried) has the GPUs asked for; the message says why, host by host. */
class PlacementError extends ProfileError {
  constructor(
    readonly request: GpuPlacementRequest,
    readonly skipped: Array<{ host: string; reason: string }>,
  ) {
    super(
      skipped.length
        ? vscode.l10n.t('no host has {0}. {1}', describePlacementRequest(request), describeSkipped(skipped))
        : vscode.l10n.t('no host to place {0} on: add GPU servers to mlops.hosts.', describePlacementRequest(request)),
    );
  }
}

type Profile = LaunchProfile & { mountProject?: boolean; host?: string };

export class Launcher {
  constructor(
    private readonly registry: HostRegistry,
    private readonly tree: WorkspacesTreeProvider,
    private readonly log: vscode.LogOutputChannel,
    /** Told of each workspace started, with what it was launched with (the idle watch wants its limit). */
    private readonly launched: (host: string, spec: LaunchProfile) => void = () => undefined,
  ) {}

  /** The command: a LaunchRequest launches at once (and throws on failure); otherwise it asks. */
  async command(arg?: HostNode | LaunchRequest): Promise<LaunchResult | undefined> {
    if (arg && 'profile' in arg) {
      if (!arg.host) {
        const placed = await this.placeAnywhere(arg.profile);
        return this.launch(placed.host, placed.profile, arg.labels ?? {}, { placed: true });
      }
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
      // With no saved profile of that image, the ML Workspace preset is offered too.
      const preset = offerMlWorkspacePreset(profiles) ? mlWorkspacePreset(randomBytes(24).toString('hex')) : undefined;
      if (!profiles.length && !preset) {
        void showInfo(vscode.l10n.t('no saved launch profiles yet. Launch a workspace and give it a name at the last step to save one.'), vscode.l10n.t('Launch Workspace')).then(
          (c) => c && vscode.commands.executeCommand('mlops.launchWorkspace'),
        );
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(
        [
          ...profiles.map((q) => ({ label: q.name, description: q.host ? vscode.l10n.t('{0} on {1}', q.image, q.host) : q.image, profile: q })),
          ...(preset
            ? [{ label: vscode.l10n.t('ML Workspace (preset)'), description: vscode.l10n.t('{0} · port 8080 · token login · shm 512m', preset.image), profile: preset }]
            : []),
        ],
        { title: vscode.l10n.t('MLOps: Relaunch Profile'), placeHolder: vscode.l10n.t('Which saved profile?') },
      );
      p = pick?.profile;
      if (p && p === preset) this.log.info(`Workspaces: ML Workspace preset; its token is in the container's AUTHENTICATE_VIA_JUPYTER`);
    }
    if (!p) return undefined;
    if (!p.host && placementRequest(p.gpus)) {
      // A profile saved without a host goes where its GPUs are free.
      try {
        const placed = await this.placeAnywhere(p);
        return this.launchAndReport(placed.host, placed.profile, { placed: true });
      } catch (err) {
        void showError(vscode.l10n.t('launch failed. {0}', errorMessage(err)));
        return undefined;
      }
    }
    const host = (p.host ? await this.registry.find(p.host) : undefined) ?? (await this.pickHost(p.host ? vscode.l10n.t('"{0}" is not configured any more. Launch on:', p.host) : undefined));
    if (!host) return undefined;
    return this.launchAndReport(host, p);
  }

  /** The GPU snapshot of one host for placement: its probe and our workspaces there. */
  private async snapshot(host: HostEntry): Promise<HostGpuSnapshot> {
    try {
      return await gpuSnapshot(host.name, await this.registry.ensureConnected(host), 15000);
    } catch (err) {
      return { host: host.name, probe: { kind: 'unreachable', message: errorMessage(err) } };
    }
  }

  /** Places `request` on the first of `hosts` (in order) that has it; all are probed at once. */
  private async place(hosts: readonly HostEntry[], request: GpuPlacementRequest): Promise<Placement> {
    const snaps = await Promise.all(hosts.map((h) => this.snapshot(h)));
    const p = placeGpus(snaps, request, { freeMemoryMiB: setting('gpus.freeMemoryMiB') });
    for (const s of 'host' in p ? p.skipped : p.reasons) this.log.info(`Workspaces: placement of ${describePlacementRequest(request)}: skipped ${s.host}: ${s.reason}`);
    if ('host' in p) this.log.info(`Workspaces: placement of ${describePlacementRequest(request)}: ${p.host}, GPUs ${p.deviceIds.join(',')}`);
    return p;
  }

  /** The first host of mlops.hosts (then this machine) with the profile's GPUs free, and the profile placed there. */
  private async placeAnywhere(profile: Profile, except?: string): Promise<{ host: HostEntry; profile: Profile; skipped: Array<{ host: string; reason: string }> }> {
    const request = placementRequest(profile.gpus);
    if (!request) throw new ProfileError(vscode.l10n.t('no host given: name one, or ask for GPUs (A100:2, 2) so a host with free ones is chosen.'));
    const hosts = placementOrder(await this.registry.hosts(), setting('hosts')).filter((h) => h.name !== except);
    const p = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: looking for {0}', describePlacementRequest(request)) }, () =>
      this.place(hosts, request),
    );
    if (!('host' in p)) throw new PlacementError(request, p.reasons);
    return { host: hosts.find((h) => h.name === p.host)!, profile: { ...profile, gpus: { ids: p.deviceIds } }, skipped: p.skipped };
  }

  private async launchAndReport(host: HostEntry, profile: Profile, opts: { placed?: boolean } = {}): Promise<LaunchResult | undefined> {
    try {
      const r = await this.launch(host, profile, {}, opts);
      void showInfo(vscode.l10n.t('workspace {0} runs on {1}.', r.name, hostLabel(host)));
      return r;
    } catch (err) {
      if (err instanceof Cancelled) return undefined;
      if (err instanceof PlacementError) return this.offerElsewhere(host, profile, err);
      const text = err instanceof ProfileError ? err.message : (({ message, nextStep }) => `${message} ${nextStep}`)(describeEngineError(err, hostLabel(host)));
      void showError(vscode.l10n.t('launch failed. {0}', text), vscode.l10n.t('Show Log')).then((c) => c && this.log.show());
      return undefined;
    }
  }

  /** The asked host has not the GPUs: says why, and offers the first other host that has them. */
  private async offerElsewhere(host: HostEntry, profile: Profile, err: PlacementError): Promise<LaunchResult | undefined> {
    const elsewhere = await this.placeAnywhere(profile, host.name).catch(() => undefined);
    if (!elsewhere) {
      void showError(vscode.l10n.t('launch failed. {0}', err.message), vscode.l10n.t('Show Log')).then((c) => c && this.log.show());
      return undefined;
    }
    const go = vscode.l10n.t('Launch on {0}', elsewhere.host.name);
    const ids = (elsewhere.profile.gpus as { ids: string[] }).ids.join(', ');
    const choice = await showWarning(vscode.l10n.t('{0} {1} has them free (GPUs {2}).', err.message, elsewhere.host.name, ids), go);
    return choice === go ? this.launchAndReport(elsewhere.host, elsewhere.profile, { placed: true }) : undefined;
  }

  /**
   * Creates and starts the container; a cancel or a failed start leaves nothing behind.
   * GPUs asked as a count (A100:2, 2) or ids are placed on free ones of this host first
   * (unless `placed`), and the container gets those device ids.
   */
  launch(host: HostEntry, profile: Profile, labels: Record<string, string>, launchOpts: { placed?: boolean } = {}): Thenable<LaunchResult> {
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
        let spec: LaunchProfile = { ...rest, mounts: mountsFor(profile, projectPath) };
        const request = launchOpts.placed ? undefined : placementRequest(spec.gpus);
        // Checked before connecting (a bad profile says so at once); a typed count is checked once placed.
        if (!request) containerCreateOptions(spec);
        progress.report({ message: vscode.l10n.t('connecting') });
        const conn = await race(this.registry.ensureConnected(host));
        check();
        if (request) {
          progress.report({ message: vscode.l10n.t('looking for {0}', describePlacementRequest(request)) });
          const p = await race(this.place([host], request));
          check();
          if (!('host' in p)) throw new PlacementError(request, p.reasons);
          spec = { ...spec, gpus: { ids: p.deviceIds } };
        }
        // The owner comes last: a LaunchRequest's labels cannot launch in someone else's name.
        const opts = containerCreateOptions(spec, { ...labels, [SPEC_LABEL]: JSON.stringify(spec), ...ownerLabels(currentUser()) });
        opts.name = workspaceContainerName(spec, randomBytes(3).toString('hex'));
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
        this.launched(host.name, spec);
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
