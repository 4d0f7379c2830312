// What the Models view's commands do. MLflow registries change only through MLflow (its REST
// API for a server, its own client run with the environment's interpreter for mlflow.db and
// mlruns/); a DVC project's registry through annotated git tags, GTO's format. Destructive
// steps ask first, modally, and are never the offered default.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { assignTagArgs, checkGtoName, checkGtoVersion, nextCounter, nextVersion, registerTagArgs } from '../../core/models/gtoWrites';
import { localFolder } from '../../core/models/mlmodel';
import { runsOfRegistry } from '../../core/models/registryRuns';
import { registryTrackingUri } from '../../core/models/workspaceServePicks';
import type { LoggedModel, ModelVersion } from '../../core/models/types';
import type { RunSummary } from '../../core/runs/types';
import { requireCli } from '../pipelines/cliTools';
import { showInfo, showWarning } from '../notify';
import type { RegistryWrite, WriteResult } from '../lazy/modelsLib';
import { isMlflow, type ModelsNode, type ModelsTreeProvider, type RegistryState } from './modelsTree';

type VersionNode = Extract<ModelsNode, { kind: 'version' }>;
type ModelNode = Extract<ModelsNode, { kind: 'model' }>;

export interface ModelsActionsDeps {
  tree: ModelsTreeProvider;
  log: vscode.LogOutputChannel;
  /** Carries out an MLflow write: REST for a server, else MLflow's client with `python`. */
  write(reg: RegistryState, w: RegistryWrite, python?: string): Promise<WriteResult>;
  /**
   * Runs listed in the Runs view with their source ids, for pickers and Compare Runs; after
   * the Runs view's first listing, which has not happened while that view was never shown.
   */
  runs(): Promise<
    {
      ref: { sourceId: string; runId: string };
      run: RunSummary;
      sourceLabel: string;
    }[]
  >;
  /** The documents of Compare Versions' diff. */
  showDiff(left: { title: string; text: string }, right: { title: string; text: string }): Promise<void>;
  versionFiles(reg: RegistryState, v: ModelVersion): Promise<string>;
}

/** MLflow's tracking URI for a store in files: what its client writes through. */
export const trackingUriOf = (reg: RegistryState): string => registryTrackingUri(reg.kind, reg.location);

/** The interpreter of the environment whose `mlflow` the extension uses (beside it in bin/ or Scripts/). */
async function mlflowPython(what: string): Promise<string | undefined> {
  const mlflow = await requireCli('mlflow', what);
  if (!mlflow) return undefined;
  const dir = path.dirname(mlflow);
  const candidates = process.platform === 'win32' ? ['python.exe'] : ['python', 'python3'];
  return candidates.map((c) => path.join(dir, c)).find((c) => existsSync(c)) ?? (process.platform === 'win32' ? 'python' : 'python3');
}

export class ModelsActions {
  constructor(private readonly deps: ModelsActionsDeps) {}

  private async mlflowWrite(reg: RegistryState, w: RegistryWrite, title: string): Promise<WriteResult | undefined> {
    let python: string | undefined;
    if (reg.kind !== 'mlflow-rest') {
      python = await mlflowPython(title);
      if (!python) return undefined;
    }
    const result = await vscode.window.withProgress({ location: { viewId: 'mlops.models' }, title }, () => this.deps.write(reg, w, python));
    await this.deps.tree.refresh();
    return result;
  }

  async setAlias(node?: VersionNode): Promise<void> {
    if (node?.kind !== 'version' || !isMlflow(node.reg.kind)) return;
    const existing = Object.keys(node.model.aliases);
    const alias = await vscode.window.showInputBox({
      title: vscode.l10n.t('Set Alias of {0} version {1}', node.model.name, node.version.version),
      prompt: existing.length
        ? vscode.l10n.t('An alias names one version; setting one another version holds moves it here. Existing: {0}', existing.join(', '))
        : vscode.l10n.t('An alias names one version, e.g. champion'),
      value: existing.includes('champion') ? '' : 'champion',
      validateInput: (s) =>
        /^[A-Za-z0-9_-]+$/.test(s.trim()) && !/^v\d+$/i.test(s.trim()) ? undefined : vscode.l10n.t('Letters, digits, "_" and "-"; not "v" followed by a number (MLflow reserves those)'),
    });
    if (!alias) return;
    await this.mlflowWrite(
      node.reg,
      {
        op: 'setAlias',
        name: node.model.name,
        alias: alias.trim(),
        version: node.version.version,
      },
      vscode.l10n.t('Setting alias @{0}…', alias.trim()),
    );
  }

  async removeAlias(node?: VersionNode): Promise<void> {
    if (node?.kind !== 'version' || !node.version.aliases.length) return;
    const alias =
      node.version.aliases.length === 1
        ? node.version.aliases[0]
        : await vscode.window.showQuickPick(node.version.aliases, {
            title: vscode.l10n.t('Remove which alias of {0} version {1}?', node.model.name, node.version.version),
          });
    if (!alias) return;
    await this.mlflowWrite(node.reg, { op: 'deleteAlias', name: node.model.name, alias }, vscode.l10n.t('Removing alias @{0}…', alias));
  }

  async setTag(node?: VersionNode | ModelNode): Promise<void> {
    if (!node || (node.kind !== 'version' && node.kind !== 'model') || !isMlflow(node.reg.kind)) return;
    const key = await vscode.window.showInputBox({
      title: vscode.l10n.t('Tag key'),
      validateInput: (s) => (s.trim() ? undefined : vscode.l10n.t('A key is required')),
    });
    if (!key) return;
    const current = node.kind === 'version' ? node.version.tags[key.trim()] : node.model.tags[key.trim()];
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Value of {0}', key.trim()),
      value: current ?? '',
    });
    if (value === undefined) return;
    const w: RegistryWrite =
      node.kind === 'version'
        ? {
            op: 'setVersionTag',
            name: node.model.name,
            version: node.version.version,
            key: key.trim(),
            value,
          }
        : { op: 'setModelTag', name: node.model.name, key: key.trim(), value };
    await this.mlflowWrite(node.reg, w, vscode.l10n.t('Setting tag {0}…', key.trim()));
  }

  async deleteVersion(node?: VersionNode): Promise<void> {
    if (node?.kind !== 'version' || !isMlflow(node.reg.kind)) return;
    const { model, version: v } = node;
    const del = vscode.l10n.t('Delete Version');
    const detail = v.aliases.length
      ? vscode.l10n.t(
          'It holds {0}: anything that loads models:/{1}@{2} stops working. Removing the alias alone may be what you want.',
          v.aliases.map((a) => `@${a}`).join(', '),
          model.name,
          v.aliases[0],
        )
      : vscode.l10n.t('Its registry entry is gone for good; the source run and its files stay.');
    const pick = await showWarning(vscode.l10n.t('Delete version {0} of {1}?', v.version, model.name), { modal: true, detail }, del);
    if (pick !== del) return;
    await this.mlflowWrite(node.reg, { op: 'deleteVersion', name: model.name, version: v.version }, vscode.l10n.t('Deleting version {0}…', v.version));
  }

  /** Registers a model logged by a run: its logged models (MLflow 3) or an MLmodel folder among its artifacts. */
  async registerFromRun(node?: ModelsNode): Promise<void> {
    const regs = this.deps.tree.registries().filter((r) => isMlflow(r.kind) && !r.error);
    const reg = node?.reg && isMlflow(node.reg.kind) ? node.reg : regs.length === 1 ? regs[0] : await pickRegistry(regs);
    if (!reg) {
      if (!regs.length) void showInfo(vscode.l10n.t('No MLflow store found: train with MLflow first (mlflow.db, mlruns/ or a tracking server in MLOps › MLflow: Tracking URI).'));
      return;
    }
    let candidates: Candidate[];
    if (node?.kind === 'loggedModel') candidates = [loggedCandidate(node.lm)];
    else {
      // The run first (newest first), then the model folders it logged.
      const runs = runsOfRegistry(reg.id, await this.deps.runs());
      if (!runs.length) {
        void showInfo(vscode.l10n.t('{0} lists no runs to register a model from: train with MLflow first, or open the Runs view to see why it cannot be read.', reg.location));
        return;
      }
      const run = await vscode.window.showQuickPick(
        runs.map((r) => ({
          label: r.run.name || r.run.id,
          description: r.run.id,
          r,
        })),
        {
          title: vscode.l10n.t('Register a model from which run?'),
          matchOnDescription: true,
        },
      );
      if (!run) return;
      candidates = [...(reg.listing?.loggedModels ?? []).filter((lm) => lm.runId === run.r.run.id).map(loggedCandidate), ...(await artifactCandidates(run.r.run))];
    }
    if (!candidates.length) {
      void showInfo(vscode.l10n.t('No logged model found for that run: log one with mlflow.<flavor>.log_model(...) in the run, then try again.'));
      return;
    }
    const picked =
      candidates.length === 1
        ? candidates[0]
        : await vscode.window.showQuickPick(candidates, {
            title: vscode.l10n.t('Register which model folder (an MLmodel inside)?'),
            matchOnDescription: true,
            matchOnDetail: true,
          });
    if (!picked) return;
    const existing = reg.listing?.models.map((m) => m.name) ?? [];
    const name = await vscode.window.showInputBox({
      title: vscode.l10n.t('Registered model name'),
      prompt: existing.length ? vscode.l10n.t('A new name, or an existing model to add a version to: {0}', existing.slice(0, 10).join(', ')) : undefined,
      value: existing[0] ?? picked.suggested,
      validateInput: (s) => (s.trim() ? undefined : vscode.l10n.t('A name is required')),
    });
    if (!name) return;
    const result = await this.mlflowWrite(
      reg,
      {
        op: 'register',
        name: name.trim(),
        source: picked.source,
        runId: picked.runId,
      },
      vscode.l10n.t('Registering {0}…', name.trim()),
    );
    if (result) void showInfo(vscode.l10n.t('Registered {0} version {1}.', name.trim(), result.version ?? '?'));
  }

  /** The source run in the Runs view (the version's default click). */
  async showSourceRun(node?: VersionNode): Promise<void> {
    const runId = node?.kind === 'version' ? node.version.runId : undefined;
    if (!runId) return;
    const found = (await this.deps.runs()).find((r) => r.run.id === runId);
    if (!found) {
      void showInfo(vscode.l10n.t('Run {0}, which made this version, is not listed in the Runs view: it was deleted, or its store is not in this workspace.', runId));
      return;
    }
    await vscode.commands.executeCommand('mlops.revealRun', found.ref);
  }

  /** Both versions' runs in Compare Runs, and a diff of their signatures and requirements. */
  async compareVersions(node?: VersionNode): Promise<void> {
    if (node?.kind !== 'version') return;
    const others = node.model.versions.filter((v) => v.version !== node.version.version);
    if (!others.length) {
      void showInfo(vscode.l10n.t('{0} has one version: nothing to compare it with.', node.model.name));
      return;
    }
    const other =
      others.length === 1
        ? others[0]
        : (
            await vscode.window.showQuickPick(
              others.map((v) => ({
                label: v.version,
                description: this.deps.tree.versionDescription(v),
                v,
              })),
              {
                title: vscode.l10n.t('Compare {0} with which version?', node.version.version),
              },
            )
          )?.v;
    if (!other) return;
    const [a, b] = [other, node.version].sort((x, y) => Number(x.version) - Number(y.version) || x.version.localeCompare(y.version));
    const listed = await this.deps.runs();
    const refs = [a, b].map((v) => listed.find((r) => r.run.id === v.runId)?.ref).filter((r): r is { sourceId: string; runId: string } => !!r);
    if (refs.length === 2 && refs[0].runId !== refs[1].runId) await vscode.commands.executeCommand('mlops.compareRuns', refs);
    else this.deps.log.info(`Models: Compare Versions: the source runs of ${a.version} and ${b.version} are not both listed in the Runs view; only their files are compared`);
    const [left, right] = await Promise.all([a, b].map((v) => this.deps.versionFiles(node.reg, v)));
    await this.deps.showDiff({ title: `${node.model.name} ${a.version}`, text: left }, { title: `${node.model.name} ${b.version}`, text: right });
  }

  /** DVC: a new version of an artifact, as GTO registers it (annotated tag at HEAD), pushed only when asked. */
  async registerDvcVersion(node?: ModelNode): Promise<void> {
    if (node?.kind !== 'model' || node.reg.kind !== 'gto') return;
    const cwd = node.reg.location;
    const head = (await git(cwd, ['rev-parse', 'HEAD'])).trim();
    const there = node.model.versions.find((v) => v.commit === head);
    if (there) {
      // GTO's rule: one version per commit.
      void showInfo(vscode.l10n.t('HEAD is {0} {1} already (GTO allows one version per commit): commit the new model first.', node.model.name, there.version));
      return;
    }
    const version = await vscode.window.showInputBox({
      title: vscode.l10n.t('Register a version of {0} at HEAD ({1})', node.model.name, head.slice(0, 8)),
      value: nextVersion(node.model.versions.map((v) => v.version)),
      validateInput: (s) => checkGtoVersion(s.trim()) ?? (node.model.versions.some((v) => v.version === s.trim()) ? vscode.l10n.t('{0} is registered already', s.trim()) : undefined),
    });
    if (!version) return;
    const args = registerTagArgs(node.model.name, version.trim(), head);
    await this.tagAndOfferPush(cwd, args, vscode.l10n.t('Create the annotated tag {0} at {1}?', args[2], head.slice(0, 8)));
  }

  /** DVC: a stage for a version (`name#stage#N` at the version's commit). */
  async assignStage(node?: VersionNode): Promise<void> {
    if (node?.kind !== 'version' || node.reg.kind !== 'gto' || !node.version.commit) return;
    const known = [...new Set(node.model.versions.flatMap((v) => (v.stage ? v.stage.split(', ') : [])).concat(['dev', 'staging', 'prod']))];
    const pick = await vscode.window.showQuickPick([...known.map((s) => ({ label: s })), { label: vscode.l10n.t('Another stage…'), other: true }], {
      title: vscode.l10n.t('Assign which stage to {0} {1}?', node.model.name, node.version.version),
    });
    if (!pick) return;
    const stage =
      'other' in pick
        ? await vscode.window.showInputBox({
            title: vscode.l10n.t('Stage name'),
            validateInput: (s) => checkGtoName(s.trim()),
          })
        : pick.label;
    if (!stage) return;
    const cwd = node.reg.location;
    const tags = (await git(cwd, ['tag', '--list'])).split('\n').filter(Boolean);
    const args = assignTagArgs(node.model.name, stage.trim(), node.version.version, node.version.commit, nextCounter(tags, node.model.name));
    await this.tagAndOfferPush(cwd, args, vscode.l10n.t('Create the annotated tag {0}, assigning {1} to {2}?', args[2], stage.trim(), node.version.version));
  }

  private async tagAndOfferPush(cwd: string, args: string[], question: string): Promise<void> {
    const create = vscode.l10n.t('Create Tag');
    if ((await showInfo(question, { modal: true }, create)) !== create) return;
    await git(cwd, args);
    await this.deps.tree.refresh();
    const push = vscode.l10n.t('Push Tag');
    const tag = args[2];
    if ((await showInfo(vscode.l10n.t('Created {0}. Push it to origin so others see it?', tag), push)) !== push) return;
    // A plain push of this one tag: never --force, never all tags.
    await git(cwd, ['push', 'origin', `refs/tags/${tag}`]);
    void showInfo(vscode.l10n.t('Pushed {0}.', tag));
  }
}

type Candidate = vscode.QuickPickItem & {
  source: string;
  runId?: string;
  suggested: string;
};

function loggedCandidate(lm: LoggedModel): Candidate {
  return {
    label: `$(symbol-misc) ${lm.name || lm.id}`,
    description: `models:/${lm.id}`,
    detail: lm.status,
    source: `models:/${lm.id}`,
    runId: lm.runId,
    suggested: lm.name || 'model',
  };
}

/** MLmodel folders among a run's local artifacts (MLflow 2 logged models there), a few levels deep. */
async function artifactCandidates(run: RunSummary): Promise<Candidate[]> {
  const root = localFolder(run.artifactUri);
  if (!root) return [];
  const out: Candidate[] = [];
  let queue = [''];
  // Breadth first, bounded: an artifact tree can hold a whole dataset.
  for (let depth = 0; depth < 4 && queue.length && out.length < 50; depth++) {
    const next: string[] = [];
    for (const rel of queue.slice(0, 500)) {
      const entries = await readdir(path.join(root, rel), {
        withFileTypes: true,
      }).catch(() => []);
      if (rel && entries.some((e) => e.isFile() && e.name === 'MLmodel')) {
        out.push({
          label: `$(folder) ${rel}`,
          description: `runs:/${run.id}/${rel}`,
          source: `runs:/${run.id}/${rel}`,
          runId: run.id,
          suggested: path.basename(rel),
        });
      }
      for (const e of entries) if (e.isDirectory()) next.push(rel ? `${rel}/${e.name}` : e.name);
    }
    queue = next;
  }
  return out;
}

async function pickRegistry(regs: readonly RegistryState[]): Promise<RegistryState | undefined> {
  if (!regs.length) return undefined;
  return (
    await vscode.window.showQuickPick(
      regs.map((r) => ({
        label: vscode.workspace.asRelativePath(r.location),
        description: r.kind,
        r,
      })),
      { title: vscode.l10n.t('Which MLflow registry?') },
    )
  )?.r;
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: 64 << 20, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args[0]} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}
