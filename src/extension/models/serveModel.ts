// Serve Model Version…: one registered version (or an alias) on this machine, on a free
// loopback port, with MLflow's scoring server (`mlflow models serve`) or MLServer (V2
// inference protocol, its MLflow runtime), with progress until it answers its health route.
// Or inside a running workspace container (serveInWorkspace.ts), its port forwarded here.
// A serve that fails shows its last lines and the next step; the whole output is in the log.
import * as vscode from 'vscode';
import { mlserverFailureHint, mlserverLaunch } from '../../core/models/mlserver';
import { findFreePort, serveFailureHint, type ServeLaunch, type ServeTarget } from '../../core/models/serving';
import { ServedModel, type RunningServer } from '../../core/models/servingProcess';
import type { WorkspaceNode } from '../workspaces/workspacesTree';
import type { ServeInWorkspace } from './serveInWorkspace';
import type { ModelVersion, RegisteredModel } from '../../core/models/types';
import { showError, showInfo } from '../notify';
import { versionCount } from './counts';
import { requireCli } from '../pipelines/cliTools';
import { trackingUriOf } from './modelsActions';
import { isMlflow, type ModelsNode, type ModelsTreeProvider, type RegistryState } from './modelsTree';
import { versionKeyOf, type ServedEndpoint, type ServedEndpoints } from './servedEndpoints';

type VersionNode = Extract<ModelsNode, { kind: 'version' }>;
type EndpointNode = Extract<ModelsNode, { kind: 'endpoint' }>;

// Loading mlflow, the model and its imports: tens of seconds on a busy machine.
const HEALTH_DEADLINE_MS = 180_000;
const HOST = '127.0.0.1';

export interface ServeDeps {
  tree: ModelsTreeProvider;
  endpoints: ServedEndpoints;
  log: vscode.LogOutputChannel;
  /** The version's model folder on this machine, when it is here. */
  versionFolder(reg: RegistryState, v: ModelVersion): string | undefined;
  tryModel(endpoint: ServedEndpoint): Promise<void>;
  /** Serving inside a workspace container; absent without the Workspaces feature. */
  inWorkspace?: ServeInWorkspace;
}

interface Picked {
  reg: RegistryState;
  model: RegisteredModel;
  version: ModelVersion;
  target: ServeTarget;
}

/** Which server runs it: MLflow's scoring server, or MLServer with its MLflow runtime. */
export type ServeWith = 'mlflow' | 'mlserver' | 'workspace';

export class ModelServing {
  constructor(private readonly deps: ServeDeps) {}

  /**
   * From a version's context menu (serves that version) or the palette (picks a version or
   * alias); then asks which server, unless `how` says (tests, a keybinding's argument).
   */
  async serve(node?: ModelsNode, how?: ServeWith, workspace?: WorkspaceNode): Promise<ServedEndpoint | undefined> {
    const picked = node?.kind === 'version' && isMlflow(node.reg.kind) ? this.fromNode(node) : await this.pick();
    if (!picked) return undefined;
    const { reg, model, version, target } = picked;
    const label = target.alias ? `${model.name}@${target.alias}` : `${model.name} v${version.version}`;
    const serveWith = how ?? (await this.pickServer(label));
    if (!serveWith) return undefined;
    let server: RunningServer;
    let keepRunning = false;
    if (serveWith === 'workspace') {
      const inside = await this.deps.inWorkspace?.start({ target, trackingUri: trackingUriOf(reg), label, node: workspace });
      if (!inside) return undefined;
      ({ server, keepRunning } = inside);
    } else {
      const exe = await requireCli(serveWith, vscode.l10n.t('serve a model'));
      if (!exe) return undefined;
      const port = await findFreePort(HOST);
      const plan = { target, trackingUri: trackingUriOf(reg), host: HOST, port };
      let launch: ServeLaunch | undefined;
      if (serveWith === 'mlserver') launch = await mlserverLaunch({ ...plan, mlserver: exe, grpcPort: await findFreePort(HOST) });
      server = new ServedModel({ ...plan, mlflow: serveWith === 'mlflow' ? exe : undefined }, { launch, onLine: (line) => this.deps.log.info(`[serve ${label}] ${line}`) });
      this.deps.log.info(`Serving ${label}: ${server.argv.join(' ')} (MLFLOW_TRACKING_URI=${plan.trackingUri})`);
    }
    const endpoint: ServedEndpoint = {
      versionKey: versionKeyOf(reg.id, model.name, version.version),
      label,
      server,
      plan: server.plan,
      keepRunning,
      folder: this.deps.versionFolder(reg, version),
      state: 'starting',
      started: Date.now(),
    };
    this.deps.endpoints.add(endpoint);
    const health = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Serving {0} at {1}', label, server.url), cancellable: true },
      (progress, token) => {
        progress.report({ message: vscode.l10n.t('waiting for the server to answer…') });
        return server.waitHealthy(HEALTH_DEADLINE_MS, () => token.isCancellationRequested);
      },
    );
    if (health.healthy) {
      endpoint.state = 'healthy';
      this.deps.endpoints.update();
      this.deps.log.info(`Serving ${label}: healthy at ${server.url} after ${Math.round(health.afterMs)} ms`);
      const tryIt = vscode.l10n.t('Try Model');
      void showInfo(vscode.l10n.t('{0} is served at {1}.', label, server.url), tryIt).then((pick) => {
        if (pick === tryIt) void this.deps.tryModel(endpoint);
      });
      return endpoint;
    }
    const tail = server.logTail(8);
    await this.deps.endpoints.stop(endpoint);
    if (health.reason === 'cancelled') return undefined;
    this.deps.log.error(`Serving ${label} failed: ${health.reason}\n${tail}`);
    const showLog = vscode.l10n.t('Show Log');
    const hint = (serveWith === 'mlserver' ? mlserverFailureHint(tail) : undefined) ?? serveFailureHint(tail);
    const pick = await showError(
      vscode.l10n.t('Serving {0} failed: {1}. {2}', label, health.reason, hint),
      { modal: false, detail: tail },
      showLog,
    );
    if (pick === showLog) this.deps.log.show();
    return undefined;
  }

  private async pickServer(label: string): Promise<ServeWith | undefined> {
    const items: (vscode.QuickPickItem & { how: ServeWith })[] = [
      { label: vscode.l10n.t('MLflow scoring server'), description: 'mlflow models serve', detail: vscode.l10n.t('POST /invocations; the mlflow of mlops.mlflow.path or the selected interpreter'), how: 'mlflow' },
      { label: vscode.l10n.t('MLServer (V2 inference protocol)'), description: 'mlserver start', detail: vscode.l10n.t('POST /v2/models/<name>/infer; needs mlserver and mlserver-mlflow (mlops.mlserver.path)'), how: 'mlserver' },
    ];
    if (this.deps.inWorkspace)
      items.push({ label: vscode.l10n.t('Inside a running workspace…'), description: 'docker exec … mlflow models serve', detail: vscode.l10n.t('In one of your workspace containers (this machine or an SSH host), its port forwarded here; the image needs mlflow'), how: 'workspace' });
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Serve {0} with', label) });
    return pick?.how;
  }

  async stop(node?: ModelsNode): Promise<void> {
    const endpoint = node?.kind === 'endpoint' ? node.endpoint : await this.pickEndpoint(vscode.l10n.t('Stop which served model?'));
    if (endpoint) await this.deps.endpoints.stop(endpoint);
  }

  /** A served endpoint from its tree node, a version node with one, or a pick among all. */
  async endpointOf(node?: ModelsNode): Promise<ServedEndpoint | undefined> {
    if (node?.kind === 'endpoint') return (node as EndpointNode).endpoint;
    if (node?.kind === 'version') {
      const served = this.deps.endpoints.forVersion(versionKeyOf(node.reg.id, node.model.name, node.version.version));
      if (served.length) return served[0];
      return this.serve(node);
    }
    return this.pickEndpoint(vscode.l10n.t('Try which served model?'));
  }

  private async pickEndpoint(title: string): Promise<ServedEndpoint | undefined> {
    const all = this.deps.endpoints.all();
    if (!all.length) {
      void showInfo(vscode.l10n.t('No model is served from this window. Run MLOps: Serve Model Version… first.'));
      return undefined;
    }
    if (all.length === 1) return all[0];
    const pick = await vscode.window.showQuickPick(
      all.map((e) => ({ label: e.label, description: e.server.url, e })),
      { title },
    );
    return pick?.e;
  }

  private fromNode(node: VersionNode): Picked {
    return { reg: node.reg, model: node.model, version: node.version, target: { name: node.model.name, version: node.version.version } };
  }

  /** Palette: registry → model → a version or an alias (served as models:/name@alias). */
  private async pick(): Promise<Picked | undefined> {
    const regs = this.deps.tree.registries().filter((r) => isMlflow(r.kind) && r.listing?.models.length);
    if (!regs.length) {
      void showInfo(vscode.l10n.t('No MLflow registered model found. Register one (MLOps: Register Model from Run…), then serve it.'));
      return undefined;
    }
    const models = regs.flatMap((reg) => reg.listing!.models.filter((m) => m.versions.length).map((model) => ({ reg, model })));
    const m = await vscode.window.showQuickPick(
      models.map((x) => ({ label: x.model.name, description: vscode.workspace.asRelativePath(x.reg.location), detail: versionCount(x.model.versions.length), x })),
      { title: vscode.l10n.t('Serve which registered model?') },
    );
    if (!m) return undefined;
    const { reg, model } = m.x;
    const items = [
      ...Object.entries(model.aliases).map(([alias, version]) => ({ label: `@${alias}`, description: `v${version}`, alias, version })),
      ...model.versions.map((v) => ({ label: `v${v.version}`, description: [v.aliases.map((a) => `@${a}`).join(' '), v.status].filter(Boolean).join(' · '), alias: undefined, version: v.version })),
    ];
    const v = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Serve which version of {0}?', model.name) });
    const version = v && model.versions.find((x) => x.version === v.version);
    if (!v || !version) return undefined;
    return { reg, model, version, target: v.alias ? { name: model.name, alias: v.alias } : { name: model.name, version: v.version } };
  }
}
