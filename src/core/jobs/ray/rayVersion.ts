// `/api/version` of a Ray dashboard: what tells a Ray dashboard from any other server on that
// port, and whether it speaks the Jobs API we use (its `version`, bumped by Ray on
// incompatible changes; Ray's own job client checks the same field).
import { ActionableError } from '../../common/errors';

/** The Jobs API versions whose requests and answers this backend was tested against. */
export const SUPPORTED_API_VERSIONS: readonly string[] = ['4'];
/** Oldest Ray whose dashboard we read (the state API's nodes and job metadata). */
export const MIN_RAY_MAJOR = 2;

export interface RayVersion {
  apiVersion: string;
  rayVersion: string;
  sessionName?: string;
}

export class NotRayDashboardError extends ActionableError {}
export class RayVersionError extends ActionableError {}

export function checkRayVersion(host: string, status: number, text: string): RayVersion {
  const notRay = (why: string) =>
    new NotRayDashboardError(`${host} is not a Ray dashboard (${why}).`, 'Set the Ray dashboard address in MLOps › Clusters: http://HEAD:8265 (ray start --head prints it).');
  if (status === 401 || status === 403) throw new ActionableError(`The Ray dashboard at ${host} refused the request (HTTP ${status}).`, "Set the cluster's auth token: MLOps: Set Ray Cluster Token.");
  if (status !== 200) throw notRay(`/api/version answered HTTP ${status}`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw notRay('/api/version did not answer JSON');
  }
  const o = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  if (typeof o.version !== 'string' || typeof o.ray_version !== 'string') throw notRay('/api/version has no Ray version');
  const major = Number(o.ray_version.split('.')[0]);
  if (!SUPPORTED_API_VERSIONS.includes(o.version) || !(major >= MIN_RAY_MAJOR)) {
    throw new RayVersionError(
      `The Ray dashboard at ${host} runs Ray ${o.ray_version} (Jobs API version ${o.version}); MLOps Workbench speaks Jobs API version ${SUPPORTED_API_VERSIONS.join(', ')} (Ray ${MIN_RAY_MAJOR}.x).`,
      'Use a cluster with a Ray 2.x release, or submit with that Ray\'s own CLI (ray job submit).',
    );
  }
  return { apiVersion: o.version, rayVersion: o.ray_version, ...(typeof o.session_name === 'string' ? { sessionName: o.session_name } : {}) };
}
