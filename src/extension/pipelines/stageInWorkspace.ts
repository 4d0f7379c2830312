// "Run Stage in Workspace…": `dvc repro <stage>` inside a running workspace container, on
// this machine or an SSH host, as a VS Code task whose terminal streams the container's
// output. The stage's folder is found inside the container through the container's own
// mounts, so a workspace that does not mount the project is refused with a next step.
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import * as vscode from 'vscode';
import { registerCommand } from '../commandWrapper';
import { showError, showInfo } from '../notify';
import { errorMessage } from '../../core/common/errors';
import { describeEngineError } from '../../core/hosts/engineErrors';
import type { HostConnection } from '../../core/hosts/hostConnection';
import { containerPathFor, explainExit, hostPathOfFolder, runInContainer, stageReproArgv, type ContainerRun, type MountLike } from '../../core/hosts/stageInWorkspace';
import { listWorkspaces, type WorkspaceSummary } from '../../core/hosts/workspaces';
import { WORKSPACE_LABEL } from '../../core/hosts/workspaceSpec';
import { RUN_IN_WORKSPACE_COMMAND } from '../../protocol/lensCommands';
import type { PipelinesTreeProvider, StageNode } from '../views/pipelinesTree';
import type { HostEntry, HostRegistry } from '../workspaces/hosts';
import { lensTarget } from './lensTarget';
import { afterRerun } from './reruns';
import type { Launched, ProvenanceLauncher } from '../provenance/launch';
import { containerImage, containerRunner } from '../../core/provenance/containerRunner';

export const WORKSPACE_TASK_TYPE = 'mlops-workspace';

interface WorkspaceTaskDefinition extends vscode.TaskDefinition {
  type: typeof WORKSPACE_TASK_TYPE;
  stage: string;
  /** The dvc.yaml, as a URI string. */
  file: string;
  host: string;
  container: string;
}

interface Plan {
  host: HostEntry;
  conn: HostConnection;
  ws: { id: string; name: string };
  /** The stage's folder inside the container. */
  dir: string;
  argv: string[];
}

const red = (s: string) => `\x1b[31m${s}\x1b[0m`;
const where = (h: HostEntry) => (h.kind === 'local' ? vscode.l10n.t('this machine') : vscode.l10n.t('{0} (SSH)', h.name));
const isStageNode = (v: unknown): v is StageNode => !!v && typeof v === 'object' && (v as { kind?: unknown }).kind === 'stage';

/** The task's terminal: the exec's TTY output as it comes, its exit status as the task's. */
class StageRunPty implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private run: ContainerRun | undefined;
  private closed = false;
  private ended = false;

  constructor(
    private readonly plan: () => Promise<Plan>,
    private readonly name: string,
    private readonly finished: (code: number, explained: boolean) => void,
    private readonly log: vscode.LogOutputChannel,
    private readonly provenance: (p: Plan) => Promise<Launched>,
  ) {}

  open(dims: vscode.TerminalDimensions | undefined): void {
    void this.start(dims);
  }

  private async start(dims: vscode.TerminalDimensions | undefined): Promise<void> {
    let code = 1;
    let explained = false;
    let wsName = vscode.l10n.t('the workspace');
    let launched: Launched | undefined;
    try {
      const p = await this.plan();
      wsName = p.ws.name;
      launched = await this.provenance(p);
      this.writeEmitter.fire(`\x1b[2m${vscode.l10n.t('{0} in {1} of {2} on {3}', p.argv.join(' '), p.dir, p.ws.name, where(p.host))}\x1b[0m\r\n`);
      const text = new StringDecoder('utf8');
      this.run = await runInContainer(p.conn, p.ws.id, { dir: p.dir, argv: p.argv, env: launched.env, cols: dims?.columns ?? 120, rows: dims?.rows ?? 30, onOutput: (d) => this.writeEmitter.fire(text.write(d)) });
      if (this.closed) await this.run.cancel();
      const status = await this.run.done;
      const why = explainExit(status, p.argv[0], p.ws.name);
      if (why) {
        this.writeEmitter.fire(`\r\n${red(why)}\r\n`);
        if (status === 127) void showError(`${why}`);
      }
      code = status ?? 1;
      explained = !!why;
      launched.finish(status ?? undefined);
    } catch (err) {
      explained = true;
      const e = describeEngineError(err, vscode.l10n.t('the host of {0}', wsName));
      this.log.error(`Run in workspace: ${this.name}: ${e.detail}`);
      // Our own refusals (not mounted, not ours, stopped) carry their next step already.
      const text = e.kind === 'other' ? errorMessage(err) : `${e.message}\r\n${e.nextStep}`;
      this.writeEmitter.fire(`${red(vscode.l10n.t('Could not run in {0}.', wsName))} ${text}\r\n`);
      launched?.finish(undefined);
    }
    if (this.closed) return;
    this.ended = true;
    this.closeEmitter.fire(code);
    this.finished(code, explained);
  }

  handleInput(data: string): void {
    this.run?.input(data);
  }

  setDimensions(dims: vscode.TerminalDimensions): void {
    this.run?.resize(dims.columns, dims.rows);
  }

  /** The task was terminated (or its terminal closed): stop the process in the container too. */
  close(): void {
    if (this.closed || this.ended) return;
    this.closed = true;
    void this.run?.cancel().then(() => this.finished(130, true));
  }
}

/** The running workspaces of every host, with the hosts that could not be listed. */
async function runningWorkspaces(registry: HostRegistry, log: vscode.LogOutputChannel) {
  const found: Array<{ host: HostEntry; ws: WorkspaceSummary }> = [];
  const failed: string[] = [];
  await Promise.all(
    (await registry.hosts()).map(async (host) => {
      try {
        const conn = await registry.ensureConnected(host);
        for (const ws of await listWorkspaces(conn.docker())) if (ws.state === 'running') found.push({ host, ws });
      } catch (err) {
        failed.push(host.name);
        log.warn(`Run in workspace: could not list ${host.name}: ${errorMessage(err)}`);
      }
    }),
  );
  return { found: found.sort((a, b) => a.host.name.localeCompare(b.host.name) || a.ws.name.localeCompare(b.ws.name)), failed };
}

/** Where `folder` (a local path) is inside the container, or a message saying why it is not. */
export function mapFolder(host: HostEntry, folder: string, mounts: readonly MountLike[], wsName: string): { dir: string } | { error: string; settings?: boolean } {
  const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(folder))?.uri.fsPath;
  const hostPath = hostPathOfFolder({ kind: host.kind, localFolder: folder, projectRoot: root, remoteProjectPath: host.projectPath });
  if (!hostPath) {
    return {
      error: `${host.name} has no remoteProjectPath: MLOps cannot tell where this project lies on that host. Set it for "${host.name}" in the mlops.hosts setting, and mount that folder in the workspace.`,
      settings: true,
    };
  }
  const dir = containerPathFor(hostPath, mounts);
  if (dir) return { dir };
  const list = mounts.filter((m) => m.Source && m.Destination).map((m) => `${m.Source} → ${m.Destination}`);
  return {
    error: `${wsName} does not mount ${hostPath} (${list.length ? `its mounts: ${list.join(', ')}` : 'it has no mounts'}). Launch a workspace with "Mount the project folder" on, or add a mount of that folder to its profile.`,
  };
}

export function registerStageInWorkspace(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, pipelines: PipelinesTreeProvider, registry: HostRegistry, provenance: ProvenanceLauncher): void {
  /** The same launcher as every other launch; its probes run inside the container. */
  async function begin(def: WorkspaceTaskDefinition, p: Plan): Promise<Launched> {
    const folder = path.dirname(vscode.Uri.parse(def.file).fsPath);
    return provenance.begin({
      launcher: 'workspace',
      folder,
      command: p.argv,
      remote: {
        runner: containerRunner(p.conn, p.ws.id, p.dir),
        python: 'python',
        dir: p.dir,
        host: `${p.host.name}/${p.ws.name}`,
        image: await containerImage(p.conn, p.ws.id),
        sharesFolder: p.host.kind === 'local',
      },
    });
  }

  /** Checks our label on the engine, then maps the folder through the container's mounts. */
  async function plan(def: WorkspaceTaskDefinition): Promise<Plan> {
    const host = await registry.find(def.host);
    if (!host) throw new Error(`No host named ${def.host} in the Workspaces view.`);
    const conn = await registry.ensureConnected(host);
    const info = await conn.docker().getContainer(def.container).inspect();
    const name = info.Name.replace(/^\//, '');
    if (info.Config?.Labels?.[WORKSPACE_LABEL] !== '1') throw new Error(`${name} does not carry the ${WORKSPACE_LABEL} label: MLOps leaves it alone.`);
    if (!info.State?.Running) throw new Error(`${name} is not running. Start it from the Workspaces view.`);
    const mapped = mapFolder(host, path.dirname(vscode.Uri.parse(def.file).fsPath), info.Mounts ?? [], name);
    if ('error' in mapped) throw new Error(mapped.error);
    return { host, conn, ws: { id: info.Id, name }, dir: mapped.dir, argv: stageReproArgv(def.stage) };
  }

  function makeTask(def: WorkspaceTaskDefinition, wsName: string): vscode.Task {
    const uri = vscode.Uri.parse(def.file);
    const label = `dvc repro ${def.stage} in ${wsName} (${def.host})`;
    const scope = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.TaskScope.Workspace;
    const execution = new vscode.CustomExecution(async () => new StageRunPty(() => plan(def), label, (code, explained) => void afterRerun(log, pipelines, label, code, { explained }), log, (p) => begin(def, p)));
    const task = new vscode.Task(def, scope, label, 'MLOps', execution, []);
    task.detail = vscode.l10n.t('dvc repro {0} inside the workspace container {1} on {2}', def.stage, wsName, def.host);
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
    return task;
  }

  async function pickStage(): Promise<{ uri: vscode.Uri; stage: string } | undefined> {
    const all = await pipelines.pipelines();
    const items = all.flatMap((f) => f.stages.map((s) => ({ label: s.name, description: all.length > 1 ? vscode.workspace.asRelativePath(f.uri) : undefined, detail: s.cmd, uri: f.uri, stage: s.name })));
    if (!items.length) {
      void showInfo(vscode.l10n.t('no dvc.yaml stages in this workspace.'));
      return undefined;
    }
    return vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Stage to run inside a workspace') });
  }

  /** Returns the task's name once started (tests use it), undefined when nothing ran. */
  async function command(arg?: vscode.Uri | string | StageNode, stageArg?: string, opts?: { host?: string; container?: string }): Promise<string | undefined> {
    const fromLens = typeof arg === 'string' ? lensTarget(RUN_IN_WORKSPACE_COMMAND, [arg, stageArg]) : undefined;
    const target = fromLens
      ? { uri: fromLens.uri, stage: fromLens.name }
      : isStageNode(arg)
        ? { uri: arg.uri, stage: arg.stage.name }
        : arg && stageArg
          ? { uri: arg, stage: stageArg }
          : await pickStage();
    if (!target) return undefined;
    let chosen: { host: HostEntry; ws: Pick<WorkspaceSummary, 'id' | 'name'> } | undefined;
    if (opts?.host && opts.container) {
      const host = await registry.find(opts.host);
      if (host) chosen = { host, ws: { id: opts.container, name: opts.container.slice(0, 12) } };
    } else {
      const { found, failed } = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: looking for running workspaces…') },
        () => runningWorkspaces(registry, log),
      );
      const unreachable = failed.join(', ');
      if (!found.length) {
        const c = await showInfo(
          unreachable
            ? vscode.l10n.t('no running workspace to run {0} in ({1} could not be reached; see the MLOps log).', target.stage, unreachable)
            : vscode.l10n.t('no running workspace to run {0} in.', target.stage),
          vscode.l10n.t('Launch Workspace'),
        );
        if (c) void vscode.commands.executeCommand('mlops.launchWorkspace');
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(
        found.map((f) => ({ label: f.ws.name, description: `${f.host.name} · ${f.ws.image}`, detail: `${f.ws.state} — ${f.ws.status}`, f })),
        {
          placeHolder: unreachable
            ? vscode.l10n.t('Workspace to run "dvc repro {0}" in ({1} could not be reached; see the MLOps log)', target.stage, unreachable)
            : vscode.l10n.t('Workspace to run "dvc repro {0}" in', target.stage),
          matchOnDescription: true,
        },
      );
      chosen = pick?.f;
    }
    if (!chosen) return undefined;
    const def: WorkspaceTaskDefinition = { type: WORKSPACE_TASK_TYPE, stage: target.stage, file: target.uri.toString(), host: chosen.host.name, container: chosen.ws.id };
    // Refuse before opening a terminal when the project is not mounted: the fix is elsewhere.
    let wsName = chosen.ws.name;
    try {
      wsName = (await plan(def)).ws.name;
    } catch (err) {
      const msg = errorMessage(err);
      log.warn(`Run in workspace: ${msg}`);
      const [openSettings, launchWorkspace] = [vscode.l10n.t('Open Settings'), vscode.l10n.t('Launch Workspace')];
      // mapFolder's refusals are English on purpose (they reach the log too): matched here, not shown in another tongue.
      const actions = /remoteProjectPath/.test(msg) ? [openSettings] : /does not mount/.test(msg) ? [launchWorkspace] : [];
      // Not awaited: the command is done here whether or not the message is answered.
      void showError(`${vscode.l10n.t('cannot run {0} in {1}.', target.stage, chosen.ws.name)} ${msg}`, ...actions).then((c) => {
        if (c === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', 'mlops.hosts');
        if (c === launchWorkspace) void vscode.commands.executeCommand('mlops.launchWorkspace');
      });
      return undefined;
    }
    const task = makeTask(def, wsName);
    log.info(`Running ${task.detail}`);
    await vscode.tasks.executeTask(task);
    return task.name;
  }

  context.subscriptions.push(
    vscode.tasks.registerTaskProvider(WORKSPACE_TASK_TYPE, {
      // Which workspace to use is a choice made each time: none are listed in "Run Task".
      provideTasks: () => [],
      resolveTask: (task) => {
        const d = task.definition as Partial<WorkspaceTaskDefinition>;
        if (d.type !== WORKSPACE_TASK_TYPE || !d.stage || !d.file || !d.host || !d.container) return undefined;
        return makeTask(d as WorkspaceTaskDefinition, d.container.slice(0, 12));
      },
    }),
    registerCommand(RUN_IN_WORKSPACE_COMMAND, command),
  );
}
