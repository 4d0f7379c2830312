// The launch questions: image, GPUs, idle auto-stop (with a GPU only), CPU and memory
// limits, shared memory, env vars, ports, command and a profile name, each step with Back. Answers are checked as typed
// (model.ts parses them), so Enter on the last step launches what was shown.
import * as vscode from 'vscode';
import { showWarning } from '../notify';
import { setting, updateSetting } from '../settings';
import { describeEngineError } from '../../core/hosts/engineErrors';
import { DEFAULT_PORTS, ProfileError, type GpuRequest, type LaunchProfile } from '../../core/hosts/workspaceSpec';
import { listWorkspaces, probeGpus } from '../../core/hosts/workspaces';
import { gpuHolders, gpuUse, reservedGpuIds } from '../../core/hosts/gpuHolders';
import type { HostEntry, HostRegistry } from './hosts';
import {
  formatPortSpecs,
  IDLE_STOP_CHOICES,
  parseGpuAnswer,
  parseCpus,
  parseEnv,
  parseIdleMinutes,
  parsePorts,
  parseSizeMb,
  profileFromAnswers,
  storedProfiles,
  upsertProfile,
  type Parsed,
  type StoredProfile,
} from './model';
import { BACK, inputStep, pickStep, type StepPosition, type StepResult } from './multiStep';
import { hostLabel } from './workspacesTree';

/** What the host offers: its images and GPUs, listed while the flow opens. */
async function inventory(registry: HostRegistry, host: HostEntry): Promise<{ images: string[]; gpuIds: Array<{ label: string; description: string; id: string }> } | undefined> {
  const where = hostLabel(host);
  let images: string[] = [];
  let gpuIds: Array<{ label: string; description: string; id: string }> = [];
  let problem: string | undefined;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('MLOps: listing images and GPUs on {0}', where) }, async () => {
    try {
      const conn = await registry.ensureConnected(host);
      const [list, gpus, workspaces] = await Promise.all([conn.docker().listImages(), probeGpus(conn, 15000), listWorkspaces(conn.docker()).catch(() => [])]);
      images = [...new Set(list.flatMap((i) => i.RepoTags ?? []).filter((t) => t && !t.includes('<none>')))].sort();
      if (gpus.kind === 'gpus') {
        const reserved = reservedGpuIds(workspaces);
        const freeMemoryMiB = setting('gpus.freeMemoryMiB');
        // Who holds each GPU, so a choice by id does not land on a teammate's.
        gpuIds = gpus.gpus.map((g) => {
          const holders = gpuHolders(g, gpus.processes, workspaces);
          const use = gpuUse(g, holders, { freeMemoryMiB, processesKnown: !gpus.processProblem, reserved });
          return { label: vscode.l10n.t('GPU {0}: {1}', g.index, g.name), description: use.free ? vscode.l10n.t('free') : use.why, id: String(g.index) };
        });
      }
    } catch (err) {
      problem = err instanceof Error && /SSH|host key/i.test(err.message) ? err.message : describeEngineError(err, where).message;
    }
  });
  if (problem) {
    const go = vscode.l10n.t('Continue');
    if ((await showWarning(`${problem}`, { modal: true, detail: vscode.l10n.t('Images could not be listed. Continue and type an image name?') }, go)) !== go) return undefined;
  }
  return { images, gpuIds };
}

/** "Stop when idle": never, the usual limits, the one answered before, or typed minutes (Back returns here). */
async function idleStep(pos: StepPosition, current: number): Promise<StepResult<number>> {
  const minutes = (n: number) => (n ? vscode.l10n.t('{0} min', n) : vscode.l10n.t('Never'));
  const items: Array<vscode.QuickPickItem & { value: number | 'custom' }> = [
    ...IDLE_STOP_CHOICES.map((n) => ({ label: minutes(n), value: n })),
    ...(IDLE_STOP_CHOICES.includes(current) ? [] : [{ label: minutes(current), description: vscode.l10n.t('typed before'), value: current }]),
    { label: vscode.l10n.t('Custom…'), description: vscode.l10n.t('a number of minutes'), value: 'custom' },
  ];
  const r = await pickStep(pos, items, {
    placeholder: vscode.l10n.t('Stop when idle: stop the workspace once every GPU of it has been at 0 % this long (a notification a minute before can keep it running)'),
    active: items.find((i) => i.value === current),
  });
  if (!r || r === BACK) return r;
  if (r.value !== 'custom') return r.value;
  const typed = await inputStep(pos, {
    prompt: vscode.l10n.t('Stop when idle after how many minutes with every GPU at 0 %? 0: never.'),
    value: current && !IDLE_STOP_CHOICES.includes(current) ? String(current) : '',
    placeholder: '45',
    validate: (v) => {
      const p = parseIdleMinutes(v);
      return p.ok ? undefined : p.error;
    },
  });
  if (typed === BACK) return idleStep(pos, current); // back to the choices, not the GPUs
  if (typed === undefined) return undefined;
  const p = parseIdleMinutes(typed);
  return p.ok ? p.value : undefined;
}

/**
 * The launch questions, each with Back: image, GPUs, idle auto-stop (skipped without a
 * GPU: nothing could be idle), CPUs, memory, shared memory, environment, ports, command,
 * then a name to save it as a profile.
 */
export async function askLaunch(registry: HostRegistry, host: HostEntry): Promise<(StoredProfile | (LaunchProfile & { mountProject: boolean })) | undefined> {
  const inv = await inventory(registry, host);
  if (!inv) return undefined;
  const where = hostLabel(host);
  const projectPath = host.kind === 'local' ? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath : host.projectPath;
  const a: { image?: string; gpus: GpuRequest; idle: number; cpus: string; memory: string; shm: string; env: string; ports: string; command: string; saveAs: string } = {
    gpus: 'none',
    idle: 0,
    cpus: '',
    memory: '',
    shm: '',
    env: '',
    ports: formatPortSpecs(DEFAULT_PORTS as number[]),
    command: '',
    saveAs: '',
  };
  // Steps are numbered as in the whole flow (1 to 10); without a GPU the idle step (3) is
  // skipped, and the steps after it are shown one lower, out of 9.
  const IDLE_STEP = 3;
  const noIdle = () => a.gpus === 'none';
  const pos = (step: number): StepPosition => ({
    title: vscode.l10n.t('MLOps: Launch Workspace on {0}', where),
    step: noIdle() && step > IDLE_STEP ? step - 1 : step,
    totalSteps: noIdle() ? 9 : 10,
    back: step > 1,
  });
  const check = <T>(parse: (v: string) => Parsed<T>) => (v: string) => {
    const r = parse(v);
    return r.ok ? undefined : r.error;
  };
  // Steps 4 to 10 are text answers kept in `a` (typed again after Back); one helper each.
  const textStep =
    (step: number, key: 'cpus' | 'memory' | 'shm' | 'env' | 'ports' | 'command' | 'saveAs', o: Omit<Parameters<typeof inputStep>[1], 'value'>) =>
    async (): Promise<StepResult<string>> => {
      const r = await inputStep(pos(step), { ...o, value: a[key] });
      if (typeof r === 'string') a[key] = r;
      return r;
    };
  const steps: Array<() => Promise<StepResult<unknown>>> = [
    async () => {
      const base = inv.images.map((label) => ({ label }));
      const r = await pickStep(pos(1), base, {
        placeholder: inv.images.length ? vscode.l10n.t('Image: one on {0}, or type any image name', where) : vscode.l10n.t('No images listed on {0}: type an image name', where),
        active: base.find((b) => b.label === a.image),
        typed: (v) => (v.trim() && !inv.images.includes(v.trim()) ? { label: v.trim(), description: vscode.l10n.t('typed image name') } : undefined),
      });
      if (r && r !== BACK) a.image = r.label;
      return r;
    },
    async () => {
      const items: Array<vscode.QuickPickItem & { value: 'none' | 'all' | 'count' | 'ids' }> = [
        { label: vscode.l10n.t('No GPU'), value: 'none' },
        { label: vscode.l10n.t('All GPUs'), description: '--gpus all', value: 'all' },
        { label: vscode.l10n.t('A number of free GPUs…'), description: vscode.l10n.t('2, or a type: A100:2'), value: 'count' },
        ...(inv.gpuIds.length ? [{ label: vscode.l10n.t('Choose GPUs…'), description: inv.gpuIds.map((g) => g.id).join(', '), value: 'ids' as const }] : []),
      ];
      const r = await pickStep(pos(2), items, { placeholder: inv.gpuIds.length ? vscode.l10n.t('GPUs: {0} on this host', inv.gpuIds.length) : vscode.l10n.t('GPUs: nvidia-smi found no NVIDIA GPU on this host') });
      if (!r || r === BACK) return r;
      if (r.value === 'none' || r.value === 'all') return (a.gpus = r.value);
      if (r.value === 'count') {
        const counted = (v: string) => {
          const r = parseGpuAnswer(v);
          return r.ok && typeof r.value === 'object' && 'count' in r.value ? r.value : undefined;
        };
        const n = await inputStep(pos(2), {
          prompt: vscode.l10n.t('How many GPUs: 2 (any type) or A100:2. Free ones are chosen at launch (no process, memory below mlops.gpus.freeMemoryMiB).'),
          value: '1',
          validate: (v) => (counted(v) ? undefined : vscode.l10n.t('A whole number, 1 or more, or TYPE:COUNT such as A100:2.')),
        });
        if (n === BACK) return steps[1](); // back to the GPU choice, not the image
        if (typeof n === 'string') a.gpus = counted(n)!;
        return n;
      }
      const chosen = await vscode.window.showQuickPick(inv.gpuIds, { canPickMany: true, title: vscode.l10n.t('MLOps: Launch Workspace on {0} — choose GPUs', where), ignoreFocusOut: true });
      if (!chosen?.length) return BACK;
      return (a.gpus = { ids: chosen.map((c) => c.id) });
    },
    async () => {
      const r = await idleStep(pos(IDLE_STEP), a.idle);
      if (typeof r === 'number') a.idle = r;
      return r;
    },
    textStep(4, 'cpus', { prompt: vscode.l10n.t('CPU limit (docker --cpus), e.g. 8 or 0.5. Empty: no limit.'), validate: check(parseCpus) }),
    textStep(5, 'memory', { prompt: vscode.l10n.t('Memory limit (docker --memory), e.g. 32g. Empty: no limit.'), validate: check((v) => parseSizeMb(v, 'memory limit', 6)) }),
    textStep(6, 'shm', {
      prompt: vscode.l10n.t("Shared memory /dev/shm (docker --shm-size), e.g. 8g; PyTorch DataLoader workers need more than Docker's 64 MB. Empty: Docker's default."),
      validate: check((v) => parseSizeMb(v, 'shared memory size')),
    }),
    textStep(7, 'env', { prompt: vscode.l10n.t('Environment variables, NAME=value separated by commas. Empty: none.'), placeholder: 'WANDB_MODE=offline, HF_HOME=/workspace/.hf', validate: check(parseEnv) }),
    textStep(8, 'ports', {
      prompt: vscode.l10n.t('Container ports to publish on 127.0.0.1 of the host (Jupyter 8888, TensorBoard 6006); host:container to fix the host port. Empty: none.'),
      validate: check(parsePorts),
    }),
    textStep(9, 'command', {
      prompt: vscode.l10n.t("Command, run by sh -c. Empty: the image's own command."),
      placeholder: 'jupyter lab --ip=0.0.0.0 --no-browser --allow-root',
    }),
    textStep(10, 'saveAs', {
      prompt: projectPath
        ? vscode.l10n.t('{0} is mounted at /workspace. Name this launch to save it as a profile for MLOps: Relaunch Profile, or leave empty. Enter launches.', projectPath)
        : vscode.l10n.t('Name this launch to save it as a profile for MLOps: Relaunch Profile, or leave empty. Enter launches.'),
      placeholder: vscode.l10n.t('e.g. train-a100'),
      validate: (v) => (v.trim() === '' || /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v.trim()) ? undefined : vscode.l10n.t("Use letters, digits, '_', '.' or '-'.")),
    }),
  ];
  // A skipped step is passed over in the direction the flow goes (Back from the CPU step
  // without a GPU lands on the GPU step).
  for (let i = 0, dir = 1; i < steps.length; ) {
    if (i === IDLE_STEP - 1 && noIdle()) {
      i += dir;
      continue;
    }
    const r = await steps[i]();
    if (r === undefined) return undefined;
    dir = r === BACK ? -1 : 1;
    i = Math.max(0, i + dir);
  }
  const value = <T>(r: Parsed<T>): T => {
    if (!r.ok) throw new ProfileError(r.error);
    return r.value;
  };
  const profile = profileFromAnswers({
    image: a.image!,
    gpus: a.gpus,
    ports: value(parsePorts(a.ports)),
    cpus: value(parseCpus(a.cpus)),
    memoryMb: value(parseSizeMb(a.memory, 'memory limit', 6)),
    shmMb: value(parseSizeMb(a.shm, 'shared memory size')),
    env: value(parseEnv(a.env)),
    command: a.command,
    idleStopMinutes: a.idle,
    mountProject: true,
    saveAs: a.saveAs,
  });
  if (profile.name) {
    const stored: StoredProfile = { ...profile, name: profile.name, host: host.name };
    await updateSetting('workspaces.profiles', upsertProfile(storedProfiles(setting('workspaces.profiles')), stored));
    return stored;
  }
  return profile;
}
