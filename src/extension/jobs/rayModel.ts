// How a Ray cluster reads in the Jobs view: Nodes (alive / dead, CPUs, GPUs, memory used /
// total), Jobs (running and pending, everyone's: a Ray cluster is shared and has no users),
// Ended jobs (Ray keeps them until deleted). No `vscode` import, like jobsModel.ts.
import { formatDuration } from '../../core/common/format';
import type { ClusterJob, ClusterNode, ClusterSnapshot } from '../../core/jobs/types';
import { activeJobs, isActive, type ItemView, type L10n } from './jobsModel';

const gib = (mib: number) => (mib / 1024).toFixed(1);

/** `mlops.job.<active|ended>.<ours|foreign>.ray`: the Slurm menus match the prefix, Ray's own (logs, delete) the suffix. */
export function rayJobContext(job: Pick<ClusterJob, 'state' | 'ours' | 'user'>, me: string): string {
  return `mlops.job.${isActive(job.state) ? 'active' : 'ended'}.${job.ours && job.user === me ? 'ours' : 'foreign'}.ray`;
}

export function rayNodeView(l10n: L10n, n: ClusterNode): ItemView {
  const alive = n.state === 'alive';
  const parts = alive
    ? [
        l10n.t('CPU {0}/{1}', n.cpusAllocated, n.cpusTotal),
        ...n.gpus.map((g) => l10n.t('{0} {1}/{2}', g.type || 'GPU', g.used, g.total)),
        l10n.t('memory {0}/{1} GiB', gib(n.memoryAllocatedMiB), gib(n.memoryMiB)),
      ]
    : [n.state];
  const tooltip = [n.name, l10n.t('State: {0}', n.state), n.reason ?? '', l10n.t('Used / total of what jobs asked for (logical resources), as `ray status -v` shows.')].filter(Boolean).join('\n');
  return { label: n.name, description: parts.join(' · '), tooltip, icon: alive ? 'vm-running' : 'vm-outline', ...(alive ? {} : { color: 'errorForeground' }), contextValue: 'mlops.rayNode' };
}

/** The entrypoint as the user would read it: without our private-copy lines and the results step. */
export function shownEntrypoint(e: string): string {
  const lines = e.split('\n').filter((l) => !l.startsWith('MLOPS_JOB_DIR=$(mktemp') && !l.startsWith('trap \'cd / && rm -rf "$MLOPS_JOB_DIR"\''));
  return lines.join('\n').replace(/ && \{ "\$\(command -v python3[\s\S]*$/, '');
}

export function rayJobView(l10n: L10n, j: ClusterJob & { entrypoint?: string }, me: string): ItemView {
  const elapsed = j.elapsedSec !== undefined ? formatDuration(j.elapsedSec * 1000) : '';
  const exit = j.exitCode ? l10n.t('exit {0}', j.exitCode) : '';
  const grid = j.arrayJobId ? l10n.t('{0} {1}', j.arrayJobId, j.arrayTaskId ?? '') : '';
  const parts = [j.raw.toLowerCase(), exit, elapsed, grid, j.ours ? (j.user !== me ? l10n.t('by {0}', j.user) : '') : l10n.t('not from MLOps')];
  const tooltip = [
    `${j.id} — ${j.raw}`,
    j.entrypoint ? l10n.t('Entrypoint: {0}', shownEntrypoint(j.entrypoint).slice(0, 2000)) : '',
    j.arrayJobId ? l10n.t('Combination {0} of grid {1}', j.arrayTaskId ?? '?', j.arrayJobId) : '',
    j.startTime ? l10n.t('Started {0}', j.startTime) : '',
    j.endTime ? l10n.t('Ended {0}', j.endTime) : '',
    j.gpus ? l10n.t('Asked for: {0}', j.gpus) : '',
    j.reason ? l10n.t('Message: {0}', j.reason.slice(0, 2000)) : '',
    j.ours ? '' : l10n.t('Not submitted from MLOps Workbench: stopping or deleting it asks first.'),
  ]
    .filter(Boolean)
    .join('\n');
  const icon = j.state === 'pending' ? { icon: 'clock' } : j.state === 'running' ? { icon: 'sync~spin', color: 'charts.blue' } : j.state === 'completed' ? { icon: 'pass', color: 'testing.iconPassed' } : j.state === 'cancelled' ? { icon: 'circle-slash' } : { icon: 'error', color: 'testing.iconFailed' };
  return { label: `${j.name}`, description: [j.id, ...parts].filter(Boolean).join(' · '), tooltip, ...icon, contextValue: rayJobContext(j, me) };
}

/**
 * The jobs of one grid (Ray has no arrays: one job per combination sharing our grid label)
 * side by side, where the first of them stands, in task order; the rest keep their order.
 */
export function groupGrids<T extends Pick<ClusterJob, 'arrayJobId' | 'arrayTaskId'>>(jobs: readonly T[]): T[] {
  const task = (j: T) => Number(/^(\d+)/.exec(j.arrayTaskId ?? '')?.[1] ?? 0);
  const grids = new Map<string, T[]>();
  for (const j of jobs) if (j.arrayJobId) grids.set(j.arrayJobId, [...(grids.get(j.arrayJobId) ?? []), j]);
  const out: T[] = [];
  for (const j of jobs) {
    if (!j.arrayJobId) out.push(j);
    else if (grids.has(j.arrayJobId)) {
      out.push(...grids.get(j.arrayJobId)!.sort((a, b) => task(a) - task(b)));
      grids.delete(j.arrayJobId);
    }
  }
  return out;
}

/** Ended jobs, newest first (Ray keeps them in its job list until deleted), a grid's together. */
export function rayEndedJobs(s: ClusterSnapshot, limit = 50): ClusterJob[] {
  return groupGrids(s.jobs.filter((j) => !isActive(j.state)).sort((a, b) => (b.endTime ?? '').localeCompare(a.endTime ?? ''))).slice(0, limit);
}

export function rayGroupViews(l10n: L10n, s: ClusterSnapshot): { partitions: ItemView; jobs: ItemView; history: ItemView } {
  const nodes = s.partitions[0]?.nodes ?? [];
  const alive = nodes.filter((n) => n.state === 'alive').length;
  const gpus = s.partitions[0]?.gpus ?? [];
  const active = activeJobs(s);
  const running = active.filter((j) => j.state === 'running').length;
  return {
    partitions: {
      label: l10n.t('Nodes'),
      description: [l10n.t('{0} alive', alive), nodes.length > alive ? l10n.t('{0} dead', nodes.length - alive) : '', ...gpus.map((g) => l10n.t('{0} {1}/{2} free', g.type || 'GPU', g.total - g.used, g.total))].filter(Boolean).join(' · '),
      icon: 'server-environment',
      contextValue: 'mlops.jobsGroup',
    },
    jobs: { label: l10n.t('Jobs'), description: active.length ? l10n.t('{0} running · {1} pending', running, active.length - running) : l10n.t('none'), icon: 'list-unordered', contextValue: 'mlops.jobsGroup' },
    history: { label: l10n.t('Ended jobs'), description: String(rayEndedJobs(s).length), tooltip: l10n.t('Ray keeps ended jobs until they are deleted.'), icon: 'history', contextValue: 'mlops.jobsGroup' },
  };
}
