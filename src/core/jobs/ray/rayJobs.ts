// Ray's job records (`GET /api/jobs/`, `/api/jobs/<id>`) read into the engine-neutral
// ClusterJob. Untrusted JSON: every field is checked for its type, a record that is not an
// object is skipped, and the list is cut at MAX_JOBS with a warning.
import type { ClusterJob, ClusterWarning, JobState } from '../types';

/** The metadata keys of our label: which jobs this extension submitted, and for whom. */
export const OUR_LABEL = 'mlops-workbench';
export const OWNER_LABEL = 'mlops-workbench-user';
export const NAME_LABEL = 'mlops-workbench-name';
/** A grid's jobs share this label (Ray has no job arrays); `mlops-grid-task` is `i/n`. */
export const GRID_LABEL = 'mlops-grid';
export const GRID_TASK_LABEL = 'mlops-grid-task';

export const MAX_JOBS = 20000;

/** A record of the dashboard's job list, as far as we read it. */
export interface RayJobInfo {
  type?: string;
  job_id?: string | null;
  submission_id?: string | null;
  status?: string;
  entrypoint?: string;
  message?: string | null;
  error_type?: string | null;
  start_time?: number | null;
  end_time?: number | null;
  metadata?: Record<string, string> | null;
  driver_exit_code?: number | null;
  driver_node_id?: string | null;
}

/** Ray's JobStatus (PENDING, RUNNING, STOPPED, SUCCEEDED, FAILED) in our words. */
export function rayState(status: string): JobState {
  switch (status) {
    case 'PENDING':
      return 'pending';
    case 'RUNNING':
      return 'running';
    case 'SUCCEEDED':
      return 'completed';
    case 'STOPPED':
      return 'cancelled';
    case 'FAILED':
      return 'failed';
    default:
      return 'other';
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const iso = (ms: number | undefined): string | undefined => (ms && ms > 0 ? new Date(ms).toISOString().slice(0, 19) : undefined);

/** The name shown: our label's, else the entrypoint's first words. */
function nameOf(entrypoint: string, meta: Record<string, string>): string {
  return meta[NAME_LABEL] || entrypoint.trim().split(/\s+/).slice(0, 3).join(' ').slice(0, 60) || 'job';
}

/** Ray's extras on a job, beside the neutral fields. */
export interface RayJobExtras {
  entrypoint: string;
  errorType?: string;
  /** A driver run by hand (not through the Jobs API): no stop, no logs here. */
  driverOnly: boolean;
}
export type RayJob = ClusterJob & RayJobExtras;

export function parseRayJob(raw: unknown, now = Date.now()): RayJob | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  // Jobs submitted through the Jobs API have a submission id; a driver run by hand (`python
  // script.py` with ray.init on the head) has only a job id and can be neither stopped nor logged here.
  const id = str(r.submission_id) ?? str(r.job_id);
  if (!id) return undefined;
  const status = str(r.status) ?? 'UNKNOWN';
  const meta: Record<string, string> = {};
  if (typeof r.metadata === 'object' && r.metadata !== null) for (const [k, v] of Object.entries(r.metadata)) if (typeof v === 'string') meta[k] = v;
  const entrypoint = str(r.entrypoint) ?? '';
  const start = num(r.start_time);
  const end = num(r.end_time);
  const state = rayState(status);
  const exit = num(r.driver_exit_code);
  const message = str(r.message);
  return {
    id,
    jobId: id,
    name: nameOf(entrypoint, meta),
    user: meta[OWNER_LABEL] ?? '',
    state,
    raw: status,
    partition: '',
    nodeList: str(r.driver_node_id)?.slice(0, 12) ?? '',
    ...(start ? { elapsedSec: Math.max(0, Math.round(((end && end > 0 ? end : now) - start) / 1000)) } : {}),
    ...(iso(start) ? { startTime: iso(start), submitTime: iso(start) } : {}),
    ...(iso(end) ? { endTime: iso(end) } : {}),
    ...(exit !== undefined && state !== 'running' ? { exitCode: exit } : {}),
    ...(message ? { reason: message.slice(0, 20000) } : {}),
    ours: meta[OUR_LABEL] === '1',
    ...(meta[GRID_LABEL] ? { arrayJobId: meta[GRID_LABEL].slice(0, 64), ...(meta[GRID_TASK_LABEL] ? { arrayTaskId: meta[GRID_TASK_LABEL].slice(0, 20) } : {}) } : {}),
    entrypoint,
    ...(str(r.error_type) ? { errorType: str(r.error_type) } : {}),
    driverOnly: str(r.type) !== undefined && str(r.type) !== 'SUBMISSION',
  };
}


export function parseRayJobs(raw: unknown, now = Date.now()): { jobs: RayJob[]; warnings: ClusterWarning[] } {
  const warnings: ClusterWarning[] = [];
  if (!Array.isArray(raw)) return { jobs: [], warnings: [{ part: 'jobs', message: 'the dashboard\'s job list is not a list' }] };
  const jobs: RayJob[] = [];
  let skipped = 0;
  for (const r of raw.slice(0, MAX_JOBS)) {
    const j = parseRayJob(r, now);
    if (j) jobs.push(j);
    else skipped++;
  }
  if (raw.length > MAX_JOBS) warnings.push({ part: 'jobs', message: `${raw.length} jobs; the first ${MAX_JOBS} are shown` });
  if (skipped) warnings.push({ part: 'jobs', message: `${skipped} job record(s) of an unknown shape skipped` });
  return { jobs, warnings };
}
