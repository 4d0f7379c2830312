// The Models view: registries (MLflow stores and servers, DVC projects) → registered models →
// versions, plus each MLflow registry's logged models that no version was made from. What a
// version's line says: @aliases, stage, status, when, and its source run's key metric.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { modelCount, versionCount } from './counts';
import { formatAgo } from '../../core/common/format';
import type { LoggedModel, ModelVersion, RegisteredModel, RegistryListing } from '../../core/models/types';
import { storeId } from '../../core/models/registryRuns';
import { inferPath } from '../../core/models/serving';
import type { RunSummary } from '../../core/runs/types';
import { escapeMarkdown, formatMetricValue, pickKeyMetric } from '../runs/runsModel';
import { versionKeyOf, type ServedEndpoint } from './servedEndpoints';

export type RegistryKind = 'mlflow-sqlite' | 'mlflow-file' | 'mlflow-rest' | 'gto';

export interface RegistryState {
  id: string;
  kind: RegistryKind;
  location: string;
  listing?: RegistryListing;
  error?: string;
}

export type ModelsNode =
  | { kind: 'registry'; reg: RegistryState }
  | { kind: 'model'; reg: RegistryState; model: RegisteredModel }
  | {
      kind: 'version';
      reg: RegistryState;
      model: RegisteredModel;
      version: ModelVersion;
    }
  | { kind: 'endpoint'; reg: RegistryState; model: RegisteredModel; version: ModelVersion; endpoint: ServedEndpoint }
  | { kind: 'logged'; reg: RegistryState; models: LoggedModel[] }
  | { kind: 'loggedModel'; reg: RegistryState; lm: LoggedModel };

export interface ModelsTreeDeps {
  /** The registries to read (found in the workspace or configured). */
  discover(): Promise<{ kind: RegistryKind; location: string }[]>;
  read(kind: RegistryKind, location: string): Promise<RegistryListing>;
  /** The run behind a source run id, when the Runs view lists it. */
  run(runId: string): RunSummary | undefined;
  keyMetric(): string;
  /** Flavors and signature lines of a version's MLmodel, when its files are local. */
  mlmodel(reg: RegistryState, version: ModelVersion): Promise<{ flavors: string[]; signature: string[]; error?: string } | undefined>;
  log: vscode.LogOutputChannel;
  /** The servers this window started for a version (shown under it). */
  endpoints(versionKey: string): readonly ServedEndpoint[];
}

const KIND_LABEL: Record<RegistryKind, string> = {
  'mlflow-sqlite': 'mlflow.db',
  'mlflow-file': 'mlruns',
  'mlflow-rest': 'MLflow server',
  gto: 'DVC / GTO',
};

export const isMlflow = (kind: RegistryKind): boolean => kind !== 'gto';

export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private states: RegistryState[] = [];
  private loading?: Promise<void>;

  constructor(private readonly deps: ModelsTreeDeps) {}

  dispose(): void {
    clearTimeout(this.redrawTimer);
    this.changed.dispose();
  }

  private redrawTimer?: ReturnType<typeof setTimeout>;

  /** Redraws without reading again: the Runs view listed new runs (key metrics, run names). */
  redrawSoon(): void {
    if (this.redrawTimer) return;
    this.redrawTimer = setTimeout(() => {
      this.redrawTimer = undefined;
      this.changed.fire(undefined);
    }, 500);
  }

  /** Redraws now: a served endpoint started, turned healthy or stopped. */
  endpointsChanged(): void {
    this.changed.fire(undefined);
  }

  registries(): readonly RegistryState[] {
    return this.states;
  }

  /** Reads every registry again (and looks for new ones); the view redraws when done. */
  refresh(): Promise<void> {
    this.loading = this.load().finally(() => this.changed.fire(undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    const specs = await this.deps.discover();
    const states = await Promise.all(
      specs.map(async ({ kind, location }): Promise<RegistryState> => {
        const state: RegistryState = {
          id: storeId(kind, location),
          kind,
          location,
        };
        try {
          state.listing = await this.deps.read(kind, location);
          for (const w of state.listing.warnings) this.deps.log.warn(`Models: ${w}`);
        } catch (err) {
          state.error = err instanceof Error ? err.message : String(err);
          this.deps.log.error(`Models: ${location}: ${state.error}`);
        }
        return state;
      }),
    );
    // A DVC project without model artifacts or GTO tags is not a registry worth a row.
    this.states = states.filter((s) => s.error || s.kind !== 'gto' || (s.listing?.models.length ?? 0) > 0);
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) {
      if (!this.loading) void this.refresh();
      await this.loading;
      // With nothing found, no rows: the view's welcome text says what to do.
      return this.states.filter((s) => s.error || (s.listing && (s.listing.models.length || s.listing.loggedModels.length))).map((reg) => ({ kind: 'registry', reg }));
    }
    if (node.kind === 'registry') {
      const listing = node.reg.listing;
      if (!listing) return [];
      const out: ModelsNode[] = listing.models.map((model) => ({
        kind: 'model',
        reg: node.reg,
        model,
      }));
      // Logged models no registered version was made from: candidates to register.
      const registered = new Set(listing.models.flatMap((m) => m.versions.map((v) => v.modelId)));
      const loose = listing.loggedModels.filter((lm) => !registered.has(lm.id));
      if (loose.length) out.push({ kind: 'logged', reg: node.reg, models: loose });
      return out;
    }
    if (node.kind === 'model')
      return node.model.versions.map((version) => ({
        kind: 'version',
        reg: node.reg,
        model: node.model,
        version,
      }));
    if (node.kind === 'version')
      return this.deps.endpoints(versionKeyOf(node.reg.id, node.model.name, node.version.version)).map((endpoint) => ({ ...node, kind: 'endpoint', endpoint }));
    if (node.kind === 'logged')
      return node.models.map((lm) => ({
        kind: 'loggedModel',
        reg: node.reg,
        lm,
      }));
    return [];
  }

  getParent(node: ModelsNode): ModelsNode | undefined {
    if (node.kind === 'registry') return undefined;
    if (node.kind === 'version') return { kind: 'model', reg: node.reg, model: node.model };
    if (node.kind === 'endpoint') return { kind: 'version', reg: node.reg, model: node.model, version: node.version };
    if (node.kind === 'loggedModel') return undefined;
    return { kind: 'registry', reg: node.reg };
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'registry': {
        const { reg } = node;
        const label = reg.kind === 'mlflow-rest' ? reg.location : registryLabel(reg.location);
        const item = new vscode.TreeItem(label || path.basename(reg.location), vscode.TreeItemCollapsibleState.Expanded);
        item.id = reg.id;
        item.description = reg.error ? vscode.l10n.t('cannot read') : `${KIND_LABEL[reg.kind]} · ${modelCount(reg.listing?.models.length ?? 0)}`;
        item.tooltip = reg.error ? vscode.l10n.t('{0} could not be read: {1}. Fix it, then run MLOps: Refresh Models.', reg.location, reg.error) : reg.location;
        item.iconPath = new vscode.ThemeIcon(reg.error ? 'warning' : reg.kind === 'mlflow-rest' ? 'server' : 'database');
        item.contextValue = `mlops.registry.${isMlflow(reg.kind) ? 'mlflow' : 'gto'}`;
        return item;
      }
      case 'model': {
        const { model, reg } = node;
        const item = new vscode.TreeItem(model.name, model.versions.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `${reg.id}#model:${model.name}`;
        const aliases = Object.keys(model.aliases).map((a) => `@${a}`);
        item.description = [versionCount(model.versions.length), ...aliases].join(' · ');
        item.tooltip = new vscode.MarkdownString(modelTooltip(model));
        item.iconPath = new vscode.ThemeIcon('package');
        item.contextValue = `mlops.model.${isMlflow(reg.kind) ? 'mlflow' : 'gto'}`;
        return item;
      }
      case 'version': {
        const { version: v, reg, model } = node;
        const served = this.deps.endpoints(versionKeyOf(reg.id, model.name, v.version)).length > 0;
        const item = new vscode.TreeItem(isMlflow(reg.kind) ? `v${v.version}` : v.version, served ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        item.id = `${reg.id}#model:${model.name}#v:${v.version}`;
        item.description = this.versionDescription(v);
        item.iconPath = new vscode.ThemeIcon(v.aliases.length ? 'star-full' : v.status.startsWith('FAILED') ? 'error' : 'versions');
        item.contextValue = `mlops.modelVersion.${isMlflow(reg.kind) ? 'mlflow' : 'gto'}${v.aliases.length ? '.aliased' : ''}`;
        if (v.runId)
          item.command = {
            command: 'mlops.model.showSourceRun',
            title: vscode.l10n.t('Show Source Run'),
            arguments: [node],
          };
        return item;
      }
      case 'endpoint': {
        const { endpoint: e } = node;
        const item = new vscode.TreeItem(e.server.url, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.reg.id}#model:${node.model.name}#v:${node.version.version}#served:${e.server.url}`;
        const launch = e.server.launch;
        const state = e.state === 'healthy' ? vscode.l10n.t('healthy') : e.state === 'unhealthy' ? vscode.l10n.t('not answering {0}', launch.healthPath) : vscode.l10n.t('starting…');
        item.description = [state, launch.protocol === 'v2' ? 'MLServer' : '', e.server.where ?? '', e.keepRunning ? vscode.l10n.t('kept running') : '', e.plan.target.alias ? `@${e.plan.target.alias}` : '', formatAgo(e.started)].filter(Boolean).join(' · ');
        item.tooltip = new vscode.MarkdownString(
          [`**${escapeMarkdown(e.label)}**`, '', `- URL: ${escapeMarkdown(e.server.url + inferPath(launch))}`, e.server.where ? `- ${escapeMarkdown(e.server.where)}` : `- ${vscode.l10n.t('Process')}: ${e.server.pid ?? '?'}`, '', '```', e.server.argv.join(' '), '```'].join('\n'),
        );
        item.iconPath = new vscode.ThemeIcon(e.state === 'healthy' ? 'radio-tower' : e.state === 'unhealthy' ? 'warning' : 'loading~spin');
        item.contextValue = 'mlops.servedEndpoint';
        item.command = { command: 'mlops.model.tryModel', title: vscode.l10n.t('Try Model'), arguments: [node] };
        return item;
      }
      case 'logged': {
        const item = new vscode.TreeItem(vscode.l10n.t('Logged models, not registered'), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.reg.id}#logged`;
        item.description = String(node.models.length);
        item.tooltip = vscode.l10n.t('MLflow 3 logged models no registered version was made from: register one with MLOps: Register Model from Run…');
        item.iconPath = new vscode.ThemeIcon('archive');
        return item;
      }
      case 'loggedModel': {
        const { lm } = node;
        const item = new vscode.TreeItem(lm.name || lm.id, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.reg.id}#lm:${lm.id}`;
        const run = lm.runId ? this.deps.run(lm.runId) : undefined;
        item.description = [lm.id, lm.status, lm.created ? formatAgo(lm.created) : '', run?.name ?? ''].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon('symbol-misc');
        item.contextValue = 'mlops.loggedModel';
        return item;
      }
    }
  }

  /** A version's tooltip is built on hover: it reads the version's MLmodel. */
  async resolveTreeItem(item: vscode.TreeItem, node: ModelsNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'version') return item;
    const mlmodel = isMlflow(node.reg.kind)
      ? await this.deps.mlmodel(node.reg, node.version).catch((err: unknown) => ({
          flavors: [],
          signature: [],
          error: String((err as Error)?.message ?? err),
        }))
      : undefined;
    item.tooltip = this.versionTooltip(node, mlmodel);
    return item;
  }

  versionDescription(v: ModelVersion): string {
    const parts: string[] = [];
    if (v.aliases.length) parts.push(v.aliases.map((a) => `@${a}`).join(' '));
    if (v.stage && v.stage !== 'None') parts.push(v.stage);
    if (v.status && v.status !== 'READY' && v.status !== 'registered') parts.push(v.status);
    if (v.created) parts.push(formatAgo(v.created));
    const run = v.runId ? this.deps.run(v.runId) : undefined;
    const key = run ? pickKeyMetric(run.metrics, this.deps.keyMetric()) : undefined;
    if (run && key) parts.push(`${key}=${formatMetricValue(run.metrics[key].value)}`);
    return parts.join(' · ');
  }

  versionTooltip(node: Extract<ModelsNode, { kind: 'version' }>, mlmodel?: { flavors: string[]; signature: string[]; error?: string }): vscode.MarkdownString {
    const { version: v } = node;
    const run = v.runId ? this.deps.run(v.runId) : undefined;
    const lines = [`**${escapeMarkdown(v.name)}** ${escapeMarkdown(v.version)}`, ''];
    if (v.description) lines.push(escapeMarkdown(v.description), '');
    if (v.aliases.length) lines.push(`- ${vscode.l10n.t('Aliases')}: ${v.aliases.map((a) => `@${escapeMarkdown(a)}`).join(', ')}`);
    if (v.stage && v.stage !== 'None') lines.push(`- ${vscode.l10n.t('Stage')}: ${escapeMarkdown(v.stage)}`);
    lines.push(`- ${vscode.l10n.t('Status')}: ${escapeMarkdown(v.status)}`);
    if (v.created) lines.push(`- ${vscode.l10n.t('Created')}: ${new Date(v.created).toISOString().replace('T', ' ').slice(0, 19)} UTC`);
    if (v.runId) lines.push(`- ${vscode.l10n.t('Source run')}: ${escapeMarkdown(run?.name ?? v.runId)}${run ? '' : ` (${vscode.l10n.t('not listed in the Runs view')})`}`);
    if (v.source) lines.push(`- ${vscode.l10n.t('Source')}: \`${v.source.replace(/`/g, "'")}\``);
    if (v.gitTag) lines.push(`- ${vscode.l10n.t('Git tag')}: \`${v.gitTag.replace(/`/g, "'")}\` (${v.commit?.slice(0, 8) ?? ''})`);
    for (const [k, val] of Object.entries(v.tags).slice(0, 20)) lines.push(`- \`${k.replace(/`/g, "'")}\`: ${escapeMarkdown(val.length > 200 ? `${val.slice(0, 200)}…` : val)}`);
    if (mlmodel?.flavors.length) lines.push(`- ${vscode.l10n.t('Flavors')}: ${mlmodel.flavors.map(escapeMarkdown).join(', ')}`);
    if (mlmodel?.signature.length) lines.push('', vscode.l10n.t('Signature:'), '```', ...mlmodel.signature.slice(0, 30), '```');
    if (mlmodel?.error) lines.push('', `⚠ ${escapeMarkdown(mlmodel.error)}`);
    return new vscode.MarkdownString(lines.join('\n'));
  }
}

function modelTooltip(model: RegisteredModel): string {
  const lines = [`**${escapeMarkdown(model.name)}**`, ''];
  if (model.description) lines.push(escapeMarkdown(model.description), '');
  if (model.path) lines.push(`- ${vscode.l10n.t('Path')}: \`${model.path.replace(/`/g, "'")}\``);
  for (const [alias, version] of Object.entries(model.aliases)) lines.push(`- @${escapeMarkdown(alias)} → ${escapeMarkdown(version)}`);
  for (const [k, val] of Object.entries(model.tags).slice(0, 20)) lines.push(`- \`${k.replace(/`/g, "'")}\`: ${escapeMarkdown(val.length > 200 ? `${val.slice(0, 200)}…` : val)}`);
  return lines.join('\n');
}

/**
 * A registry's place as the Runs view names stores: relative to the workspace folder, with
 * the folder's name; a workspace folder itself (a DVC / GTO project) by its name, not its
 * absolute path (asRelativePath gives a folder's own path back whole).
 */
function registryLabel(location: string): string {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(location));
  if (folder && path.resolve(folder.uri.fsPath) === path.resolve(location)) return folder.name;
  return vscode.workspace.asRelativePath(location, true);
}
