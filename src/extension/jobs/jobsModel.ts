// How a cluster's snapshot reads in the Jobs view: cluster → Partitions / My jobs / History, each item's label, description, icon and context value. No `vscode` import:
// the translator is passed in (VS Code's `vscode.l10n` in the view, a formatter in the
// tests), so unit tests and the integration test against a real Slurm build the same nodes.
import { formatBytes, formatDuration } from '../../core/common/format';
import type { L10n } from '../../core/common/l10n';
import type { ClusterJob, ClusterSnapshot, GpuCount, JobRecord, JobState, Partition } from '../../core/jobs/types';

export type { L10n };

/** What a tree item shows; the view turns it into a vscode.TreeItem. */
export interface ItemView {
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon id. */
  icon: string;
  /** A theme color id for the icon. */
  color?: string;
  contextValue?: string;
}

const ACTIVE: ReadonlySet<JobState> = new Set(['pending', 'running', 'completing', 'suspended']);
export const isActive = (state: JobState): boolean => ACTIVE.has(state);

/** Finished jobs shown under a cluster, newest first. */
export const HISTORY_SHOWN = 50;

/** Whose a job is: submitted by us, the user's own but not from us, or another user's (read-only). */
export function jobOwnership(job: Pick<ClusterJob, 'ours' | 'user'>, me: string): 'ours' | 'foreign' | 'other' {
  return job.user !== me ? 'other' : job.ours ? 'ours' : 'foreign';
}

/**
 * `mlops.job.<active|ended>.<ours|foreign|other>[.running]`: the menus pick on it. Another
 * user's job gets no cancel or requeue; a shell opens only on a running job of the user's.
 */
export function jobContext(job: Pick<ClusterJob, 'state' | 'ours' | 'user'>, me: string): string {
  return `mlops.job.${isActive(job.state) ? 'active' : 'ended'}.${jobOwnership(job, me)}${job.state === 'running' ? '.running' : ''}`;
}

// A switch per state, like the Workspaces view's stateIcon (workspaces/model.ts): other
// states and icons, so duplicates' pair between the two stays.
function stateIcon(state: JobState): { icon: string; color?: string } {
  switch (state) {
    case 'pending':
      return { icon: 'clock' };
    case 'running':
    case 'completing':
      return { icon: 'sync~spin', color: 'charts.blue' };
    case 'completed':
      return { icon: 'pass', color: 'testing.iconPassed' };
    case 'cancelled':
      return { icon: 'circle-slash' };
    case 'suspended':
      return { icon: 'debug-pause' };
    default:
      return { icon: 'error', color: 'testing.iconFailed' };
  }
}

const dur = (sec: number | undefined | null): string => (sec === undefined || sec === null ? '' : formatDuration(sec * 1000));

/** `elapsed / limit`: `1m 05s / 5m 00s`, `1m 05s / no limit`. */
export function elapsedOfLimit(l10n: L10n, elapsedSec: number | undefined, limitSec: number | null | undefined): string {
  const e = dur(elapsedSec ?? 0);
  if (limitSec === undefined) return e;
  return limitSec === null ? l10n.t('{0} / no limit', e) : `${e} / ${dur(limitSec)}`;
}

function gpuText(l10n: L10n, g: GpuCount): string {
  return l10n.t('{0} {1}/{2} free', g.type || 'gpu', g.total - g.used, g.total);
}

/** Nodes by state: idle, allocated (mixed counts too), and the rest (down, drained). */
export function nodeCounts(p: Partition): { idle: number; alloc: number; other: number } {
  const c = { idle: 0, alloc: 0, other: 0 };
  for (const n of p.nodes) {
    const s = n.state.toLowerCase().replace(/[*~#!%$@^-]+$/, '');
    if (s === 'idle') c.idle++;
    else if (s === 'allocated' || s === 'alloc' || s === 'mixed' || s === 'mix' || s === 'completing' || s === 'comp') c.alloc++;
    else c.other++;
  }
  return c;
}

export function partitionView(l10n: L10n, p: Partition): ItemView {
  const c = nodeCounts(p);
  const parts = [l10n.t('{0} idle', c.idle), l10n.t('{0} alloc', c.alloc)];
  if (c.other) parts.push(l10n.t('{0} down/drained', c.other));
  parts.push(...p.gpus.map((g) => gpuText(l10n, g)));
  if (p.availability !== 'up') parts.unshift(p.availability);
  const tooltip = [
    p.isDefault ? l10n.t('Partition {0} (the default)', p.name) : l10n.t('Partition {0}', p.name),
    l10n.t('Time limit: {0}', p.maxTimeSec === null ? l10n.t('none') : dur(p.maxTimeSec)),
    ...p.nodes.map((n) => `${n.name}: ${n.state}${n.reason ? ` (${n.reason})` : ''} · CPUs ${n.cpusAllocated}/${n.cpusTotal}${n.gpus.map((g) => ` · ${g.type || 'gpu'} ${g.used}/${g.total}`).join('')}`),
  ].join('\n');
  return { label: p.isDefault ? `${p.name}*` : p.name, description: parts.join(' · '), tooltip, icon: p.availability === 'up' ? 'server' : 'warning', contextValue: 'mlops.partition' };
}

/** The exit status when it says something: a signal, or a non-zero code (0 is what `completed` already says). */
function exitText(l10n: L10n, j: { exitCode?: number; signal?: number }): string | undefined {
  if (j.signal) return l10n.t('signal {0}', j.signal);
  return j.exitCode ? l10n.t('exit {0}', j.exitCode) : undefined;
}

/** A job of the queue: pending with its reason, running with its node and elapsed / limit. */
export function jobView(l10n: L10n, j: ClusterJob, me: string): ItemView {
  let description: string;
  if (j.state === 'pending') description = j.reason && j.reason !== 'None' ? l10n.t('pending ({0})', j.reason) : l10n.t('pending');
  else if (j.state === 'running' || j.state === 'completing') description = l10n.t('{0} on {1} · {2}', j.state, j.nodeList || '?', elapsedOfLimit(l10n, j.elapsedSec, j.timeLimitSec));
  else description = [j.state, exitText(l10n, j), dur(j.elapsedSec)].filter(Boolean).join(' · ');
  const owner = j.user !== me ? l10n.t('by {0} · ', j.user) : '';
  if (!j.ours || j.user !== me) description = `${owner}${description}${j.ours ? '' : l10n.t(' · not from MLOps')}`;
  const tooltip = [
    `${j.id} ${j.name} — ${j.raw}`,
    l10n.t('Owner: {0} · partition {1}', j.user, j.partition),
    j.gpus ? l10n.t('Asked for: {0}', j.gpus) : '',
    j.workDir ? l10n.t('Folder: {0}', j.workDir) : '',
    j.stdoutPath ? l10n.t('Output: {0}', j.stdoutPath) : '',
    j.submitTime ? l10n.t('Submitted {0}', j.submitTime) : '',
    j.user !== me
      ? l10n.t("Another user's job: shown read-only (no cancel, requeue or shell).")
      : j.ours
        ? ''
        : l10n.t('Not submitted from MLOps Workbench: cancelling it asks for confirmation naming its owner.'),
  ]
    .filter(Boolean)
    .join('\n');
  return { label: `${j.id} ${j.name}`, description, tooltip, ...stateIcon(j.state), contextValue: jobContext(j, me) };
}

/** A finished job of the history: state, exit code, elapsed and peak memory; `source` says where it came from. */
export function recordView(l10n: L10n, r: JobRecord, me?: string): ItemView {
  const rss = r.maxRssBytes !== undefined ? l10n.t('max RSS {0}', formatBytes(r.maxRssBytes)) : undefined;
  const owner = me !== undefined && r.user && r.user !== me ? l10n.t('by {0}', r.user) : undefined;
  const description = [owner, r.state, exitText(l10n, r), dur(r.elapsedSec), rss].filter(Boolean).join(' · ');
  const from = r.source === 'jobcomp' ? l10n.t('From the completion log (no memory figures).') : l10n.t('From accounting (sacct).');
  const id = r.arrayJobId !== undefined ? `${r.arrayJobId}_${r.arrayTaskId}` : r.jobId;
  const tooltip = [
    `${id} ${r.name} — ${r.raw}`,
    r.user ? l10n.t('Owner: {0} · partition {1}', r.user, r.partition) : '',
    r.startTime && r.endTime ? l10n.t('{0} → {1}', r.startTime, r.endTime) : '',
    r.tres ? l10n.t('Given: {0}', r.tres) : '',
    r.workDir ? l10n.t('Folder: {0}', r.workDir) : '',
    from,
  ]
    .filter(Boolean)
    .join('\n');
  return { label: `${id} ${r.name}`, description, tooltip, ...stateIcon(r.state), contextValue: 'mlops.jobRecord' };
}

/** The user's jobs that have not ended: running first, then pending, newest first within each. */
export function activeJobs(s: ClusterSnapshot): ClusterJob[] {
  const rank = (j: ClusterJob) => (j.state === 'pending' ? 1 : 0);
  return s.jobs.filter((j) => isActive(j.state)).sort((a, b) => rank(a) - rank(b) || b.id.localeCompare(a.id, undefined, { numeric: true }));
}

/**
 * Finished jobs, newest first: the history, then the ended jobs the queue still shows
 * (within MinJobAge) that the history does not have yet.
 */
export function finishedJobs(s: ClusterSnapshot): Array<JobRecord | ClusterJob> {
  const known = new Set(s.history.map((h) => h.jobId));
  const queued = s.jobs.filter((j) => !isActive(j.state) && !known.has(j.jobId));
  const all: Array<JobRecord | ClusterJob> = [...s.history, ...queued];
  return all.sort((a, b) => (b.endTime ?? '').localeCompare(a.endTime ?? '') || b.jobId.localeCompare(a.jobId, undefined, { numeric: true })).slice(0, HISTORY_SHOWN);
}

/** The group headers under a cluster. */
export function groupViews(l10n: L10n, s: ClusterSnapshot, allUsers = false): { partitions: ItemView; jobs: ItemView; history: ItemView } {
  const mine = activeJobs(s);
  const running = mine.filter((j) => j.state === 'running').length;
  const source = s.historySource === 'jobcomp' ? l10n.t('completion log') : s.historySource === 'sacct' ? l10n.t('accounting') : l10n.t('ended jobs Slurm still remembers');
  const without =
    s.historySource === 'sacct'
      ? ''
      : l10n.t('This cluster has no job accounting (slurmdbd), so sacct cannot answer: the history is what Slurm still remembers (scontrol, MinJobAge) and its completion log, without memory figures.');
  return {
    partitions: { label: l10n.t('Partitions'), description: String(s.partitions.length), icon: 'server-environment', contextValue: 'mlops.jobsGroup' },
    jobs: {
      label: allUsers ? l10n.t('Jobs of all users') : l10n.t('My jobs'),
      description: mine.length ? l10n.t('{0} running · {1} pending', running, mine.length - running) : l10n.t('none'),
      icon: 'list-unordered',
      contextValue: 'mlops.jobsGroup',
    },
    history: {
      label: l10n.t('History'),
      description: source,
      tooltip: [l10n.t('Finished jobs, newest first, from the {0}.', source), without].filter(Boolean).join('\n'),
      icon: 'history',
      contextValue: 'mlops.jobsGroup',
    },
  };
}

/**
 * The line under a cluster whose read failed: what failed and what to do next. The error's
 * own next step where it has one (Slurm's, Ray's); otherwise the login host did not answer,
 * refused, or turned the key down, so the step is about reaching it over SSH.
 */
export function clusterErrorText(l10n: L10n, host: string, message: string, nextStep: string | undefined, ray = false): string {
  const next = nextStep ?? (ray ? undefined : l10n.t('Check that the login host {0} answers (ssh {0} in a terminal) and that your key or agent is loaded, then run MLOps: Refresh Jobs.', host));
  return next ? `${message} ${next}` : message;
}

/** The cluster's own line: its Slurm name and version, or why it cannot be reached. */
export function clusterView(l10n: L10n, name: string, host: string, s: ClusterSnapshot | undefined, error: string | undefined): ItemView {
  // A Ray backend names its version itself (`Ray 2.60.0`) and its session, not a cluster name.
  const ray = s?.version?.startsWith('Ray ') === true;
  const facts = s ? (ray ? s.version! : [s.clusterName, s.version ? `Slurm ${s.version}` : undefined].filter(Boolean).join(' · ')) : '';
  if (error) return { label: name, description: l10n.t('unreachable'), tooltip: `${host}\n\n${error}`, icon: 'cloud', color: 'errorForeground', contextValue: 'mlops.cluster' };
  return { label: name, description: s ? facts || l10n.t('connected') : l10n.t('not connected'), tooltip: host, icon: 'cloud', ...(s ? { color: 'testing.iconPassed' } : {}), contextValue: 'mlops.cluster' };
}

/**
 * The snapshot to show after a refresh: a part that failed this time (slurmctld down:
 * sinfo and squeue fail, sacct still answers) keeps what the last good answer said, with a
 * warning saying since when, instead of an empty list.
 */
export function keepLastGood(l10n: L10n, prev: ClusterSnapshot | undefined, next: ClusterSnapshot, prevAt: string): ClusterSnapshot {
  if (!prev) return next;
  const failed = (part: string) => next.warnings.some((w) => w.part === part && / failed: /.test(w.message));
  const out = { ...next, warnings: [...next.warnings] };
  if (failed('jobs') && next.jobs.length === 0 && prev.jobs.length) {
    out.jobs = prev.jobs;
    out.warnings.push({ part: 'jobs', message: l10n.t('showing the jobs as they were at {0}', prevAt) });
  }
  if (failed('partitions') && next.partitions.length === 0 && prev.partitions.length) {
    out.partitions = prev.partitions;
    out.warnings.push({ part: 'partitions', message: l10n.t('showing the partitions as they were at {0}', prevAt) });
  }
  if (failed('history') && next.history.length === 0 && prev.history.length) {
    out.history = prev.history;
    out.historySource = prev.historySource;
    out.warnings.push({ part: 'history', message: l10n.t('showing the history as it was at {0}', prevAt) });
  }
  return out;
}
