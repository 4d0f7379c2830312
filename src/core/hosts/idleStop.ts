// Idle auto-stop: a workspace asked to (`idleStopMinutes`) is stopped once every GPU it has
// stayed at 0 % for that long, as seen by the refresh; a minute before, the user is warned
// and may keep it running one more period. Pure: the clock and the probes come in.
import type { GpuInfo } from './gpuProbe';
import type { GpuProcess } from './gpuProcesses';
import { GPUS_LABEL } from './workspaceSpec';
import { isMine } from './ownership';
import type { WorkspaceSummary } from './workspaces';

/** The limit a workspace was launched with, in minutes (workspaceSpec.ts writes it at launch). */
export const IDLE_STOP_LABEL = 'mlops.idleStopMinutes';
export const WARN_BEFORE_MS = 60_000;

/** The limit of a workspace's labels in ms; undefined when none or not a positive number. */
export function idleLimitMs(labels: Readonly<Record<string, string>> | null | undefined): number | undefined {
  const n = Number(labels?.[IDLE_STOP_LABEL]);
  return Number.isFinite(n) && n > 0 ? Math.round(n * 60_000) : undefined;
}

/**
 * The utilisation of each GPU the workspace has: those given to it by id (or all of them),
 * and those its processes run on. Undefined when it has none we can see, or one reads n/a:
 * what cannot be measured is never called idle.
 */
export function workspaceGpuUtil(
  ws: { id: string; labels: Readonly<Record<string, string>> },
  gpus: readonly GpuInfo[],
  processes: readonly GpuProcess[],
): number[] | undefined {
  const label = ws.labels[GPUS_LABEL] ?? '';
  const ids = label.startsWith('device=') ? new Set(label.slice(7).split(',', 64).map((s) => s.trim())) : undefined;
  const held = new Set(processes.filter((p) => p.owner.kind === 'container' && p.owner.containerId === ws.id).map((p) => p.gpuUuid));
  const mine = gpus.filter((g) => label === 'all' || ids?.has(String(g.index)) || (g.uuid && (ids?.has(g.uuid) || held.has(g.uuid))));
  if (!mine.length || mine.some((g) => g.utilizationPct === null)) return undefined;
  return mine.map((g) => g.utilizationPct as number);
}

export interface IdleSample {
  /** Container id. */
  id: string;
  limitMs: number;
  /** Per GPU of the workspace; undefined: not measurable now (resets the count). */
  util: readonly number[] | undefined;
}

/**
 * What one refresh of a host tells the stopper: `me`'s running workspaces that asked for a
 * limit, each with its GPUs' utilisation (undefined without a GPU probe: never idle).
 * A teammate's workspace is never watched, whatever its label says.
 */
export function idleSamples(
  list: ReadonlyArray<Pick<WorkspaceSummary, 'id' | 'state' | 'labels'>>,
  probe: { gpus: readonly GpuInfo[]; processes: readonly GpuProcess[] } | undefined,
  me: string,
): IdleSample[] {
  const out: IdleSample[] = [];
  for (const ws of list) {
    const limitMs = idleLimitMs(ws.labels);
    if (!limitMs || ws.state !== 'running' || !isMine(ws, me)) continue;
    out.push({ id: ws.id, limitMs, util: probe ? workspaceGpuUtil(ws, probe.gpus, probe.processes) : undefined });
  }
  return out;
}

export type IdleAction = { kind: 'warn'; id: string; stopAt: number } | { kind: 'stop'; id: string };

interface Track {
  idleSince: number;
  limitMs: number;
  warned: boolean;
  stopped: boolean;
}

export class IdleStopper {
  private readonly tracks = new Map<string, Track>();

  /**
   * One refresh of one host: every watched workspace running there. Returns what to do now;
   * each warning and each stop is returned once per idle stretch.
   */
  observe(now: number, samples: readonly IdleSample[], scope?: (id: string) => boolean): IdleAction[] {
    const seen = new Set(samples.map((s) => s.id));
    // A workspace gone from the host's list (stopped, removed) starts afresh if it comes back.
    for (const id of [...this.tracks.keys()]) if (!seen.has(id) && (!scope || scope(id))) this.tracks.delete(id);
    const out: IdleAction[] = [];
    for (const s of samples) {
      const idle = s.util !== undefined && s.util.length > 0 && s.util.every((u) => u === 0);
      if (!idle) {
        this.tracks.delete(s.id);
        continue;
      }
      let t = this.tracks.get(s.id);
      if (!t) this.tracks.set(s.id, (t = { idleSince: now, limitMs: s.limitMs, warned: false, stopped: false }));
      t.limitMs = s.limitMs;
      const idleFor = now - t.idleSince;
      if (t.stopped) continue;
      if (idleFor >= s.limitMs) {
        t.stopped = true;
        out.push({ kind: 'stop', id: s.id });
      } else if (!t.warned && idleFor >= s.limitMs - WARN_BEFORE_MS) {
        t.warned = true;
        out.push({ kind: 'warn', id: s.id, stopAt: t.idleSince + s.limitMs });
      }
    }
    return out;
  }

  /** "Keep running": the count starts again now, so the stop moves one whole period away. */
  postpone(id: string, now: number): void {
    const t = this.tracks.get(id);
    if (t) Object.assign(t, { idleSince: now, warned: false, stopped: false });
  }

  /** How long the workspace has been idle, for its tooltip. */
  idleFor(id: string, now: number): number | undefined {
    const t = this.tracks.get(id);
    return t ? now - t.idleSince : undefined;
  }

  /** The countdown of a workspace idle now (undefined while it works or is not watched). */
  countdown(id: string, now: number): IdleCountdown | undefined {
    const t = this.tracks.get(id);
    if (!t || t.stopped) return undefined;
    const idleMs = Math.max(0, now - t.idleSince);
    return { idleMs, idleMinutes: Math.floor(idleMs / 60_000), limitMinutes: Math.round(t.limitMs / 60_000), leftMs: Math.max(0, t.limitMs - idleMs) };
  }
}

/** "idle 12 min · stops at 30": whole minutes idle so far, the limit, and the time left. */
export interface IdleCountdown {
  idleMs: number;
  idleMinutes: number;
  limitMinutes: number;
  leftMs: number;
}
