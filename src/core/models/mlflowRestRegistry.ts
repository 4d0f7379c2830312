// The model registry of an MLflow tracking server over its REST API: registered models (their
// aliases and tags come with them), every version through model-versions/search, paged, and
// MLflow 3's logged models (logged-models/search, per experiment). A server older than the
// logged-models endpoint answers 404 there: it simply has none.
//
// The server's own work per version (its ORM rows, then protobuf → JSON) is most of a big
// listing's time, and one search runs on one of its workers: a registry of thousands of
// versions is asked in version-number ranges at once, one search per range, so that a server
// with several workers and cores answers them side by side. The ranges cover every number
// (the last is open-ended), so the answer is the same whatever the estimate was.
import { MlflowRestError, type MlflowRestClient } from '../runs/mlflow/mlflowRestClient';
import { finishModel, loggedModelStatus, type LoggedModel, type ModelVersion, type RegisteredModel, type RegistryListing } from './types';

interface KeyValue {
  key: string;
  value?: string;
}

interface RestRegisteredModel {
  name: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  description?: string;
  tags?: KeyValue[];
  aliases?: { alias: string; version: string }[];
  /** The newest version of each stage. */
  latest_versions?: { version: string }[];
}

interface RestModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  tags?: KeyValue[];
  storage_location?: string;
  model_id?: string;
}

interface RestLoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    artifact_uri?: string;
    creation_timestamp_ms?: number | string;
    status?: string;
    source_run_id?: string;
    tags?: KeyValue[];
  };
}

export interface RestRegistryOptions {
  /** Results per page (default: 1,000 registered models, MLflow's cap, and 10,000 versions). */
  pageSize?: number;
  /** How many version-number ranges to ask at once (default: one per ~1,000 versions the first page of models suggests, at most 4). */
  versionParts?: number;
  signal?: AbortSignal;
}

const time = (v: number | string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

export async function readRestRegistry(client: MlflowRestClient, options: RestRegistryOptions = {}): Promise<RegistryListing> {
  const pageSize = options.pageSize ?? 1000;
  const signal = options.signal;
  const models = new Map<string, RegisteredModel>();
  const versions: ModelVersion[] = [];
  const warnings: string[] = [];
  // The versions are asked as soon as the first page of models says how many to expect
  // (registered-models/search is the quick one), and the logged models after them: on a busy
  // server the small searches would otherwise hold up the one the rest waits for.
  let versionsRead: Promise<void> | undefined;
  let loggedRead: Promise<LoggedModel[]> | undefined;
  const readVersions = (first: RestRegisteredModel[]) => {
    const cuts = versionCuts(first, options.versionParts);
    const versionPage = options.pageSize ?? 10_000;
    versionsRead = searchVersions(client, cuts, versionPage, signal)
      .catch((err: unknown) => {
        // A server older than the version_number filter: every version in one search.
        if (!cuts.length || !(err instanceof MlflowRestError) || (err.status !== 400 && err.errorCode !== 'INVALID_PARAMETER_VALUE')) throw err;
        return searchVersions(client, [], versionPage, signal);
      })
      .then((found) => {
        for (const v of found) versions.push(toVersion(v));
      });
    // Not left unhandled while the models' pages are still read; awaited below.
    versionsRead.catch(() => undefined);
    loggedRead = readLoggedModels(client, pageSize, signal).catch((err: unknown) => {
      if (err instanceof MlflowRestError && err.notFound) return [];
      warnings.push(`logged models: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    });
  };
  await pages<{ registered_models?: RestRegisteredModel[] }>(
    (page_token) => client.get('api/2.0/mlflow/registered-models/search', { max_results: Math.min(pageSize, 1000), page_token }, signal),
    (page) => {
      for (const m of page.registered_models ?? []) {
        const aliases: Record<string, string> = {};
        for (const a of m.aliases ?? []) aliases[a.alias] = String(a.version);
        models.set(m.name, { name: m.name, created: time(m.creation_timestamp), updated: time(m.last_updated_timestamp), description: m.description ?? '', tags: tagMap(m.tags), aliases, versions: [] });
      }
      if (!versionsRead) readVersions(page.registered_models ?? []);
    },
  );
  const [, loggedModels] = await Promise.all([versionsRead, loggedRead ?? []]);
  for (const v of versions) models.get(v.name)?.versions.push(v);
  return { models: [...models.values()].map(finishModel).sort((a, b) => a.name.localeCompare(b.name)), loggedModels, warnings };
}

/** At most this many searches at once (MLflow's server starts 4 workers by default). */
const MAX_PARTS = 4;
/** Versions a search is worth splitting off for: below this, one more request costs more than it saves. */
const VERSIONS_PER_PART = 1000;

/**
 * Version numbers to cut the search at, from the newest version each model of the first
 * page names (latest_versions: the newest of each stage), so that each range holds about as
 * many versions. Empty: one search. A guess only steers the balance, never the answer.
 */
export function versionCuts(firstPage: RestRegisteredModel[], parts?: number): number[] {
  const newest = firstPage.map((m) => Math.max(0, ...(m.latest_versions ?? []).map((v) => Number(v.version)).filter((n) => Number.isSafeInteger(n))));
  const total = newest.reduce((a, b) => a + b, 0);
  const want = Math.min(MAX_PARTS, Math.max(1, Math.floor(parts ?? total / VERSIONS_PER_PART)));
  const below = (c: number) => newest.reduce((n, m) => n + Math.min(m, c), 0);
  const top = Math.max(0, ...newest);
  const cuts: number[] = [];
  for (let k = 1; k < want; k++) {
    // The smallest number with at least k/want of the versions at or below it (binary search: numbers can be large).
    let lo = 1;
    let hi = top;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (below(mid) >= (k * total) / want) hi = mid;
      else lo = mid + 1;
    }
    if (lo < top && lo > (cuts.at(-1) ?? 0)) cuts.push(lo);
  }
  return cuts;
}

/** model-versions/search filters for the ranges between the cuts: up to the first, between two, above the last. */
export function versionRangeFilters(cuts: number[]): string[] {
  return [...cuts, undefined].map((hi, i) => [i ? `version_number > ${cuts[i - 1]}` : '', hi === undefined ? '' : `version_number <= ${hi}`].filter(Boolean).join(' AND '));
}

/** Every version: one search, or one per range between the cuts (the last one open-ended), at once; every search ended before it answers. */
async function searchVersions(client: MlflowRestClient, cuts: number[], pageSize: number, signal: AbortSignal | undefined): Promise<RestModelVersion[]> {
  const filters = cuts.length ? versionRangeFilters(cuts) : [undefined];
  const found: RestModelVersion[] = [];
  const settled = await Promise.allSettled(
    filters.map((filter) =>
      pages<{ model_versions?: RestModelVersion[] }>(
        // Versions come many more to a page (MLflow allows 200,000): fewer round trips.
        (page_token) => client.get('api/2.0/mlflow/model-versions/search', { max_results: pageSize, filter, page_token }, signal),
        (page) => {
          for (const v of page.model_versions ?? []) found.push(v);
        },
      ),
    ),
  );
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return found;
}

function toVersion(v: RestModelVersion): ModelVersion {
  const source = v.source ?? '';
  return {
    name: v.name,
    version: String(v.version),
    aliases: [],
    stage: v.current_stage || 'None',
    tags: tagMap(v.tags),
    status: v.status || 'READY',
    created: time(v.creation_timestamp),
    updated: time(v.last_updated_timestamp),
    description: v.description ?? '',
    source,
    storageLocation: v.storage_location || undefined,
    runId: v.run_id || undefined,
    modelId: v.model_id || (source.startsWith('models:/m-') ? source.slice('models:/'.length) : undefined),
  };
}

async function readLoggedModels(client: MlflowRestClient, pageSize: number, signal?: AbortSignal): Promise<LoggedModel[]> {
  const ids: string[] = [];
  await pages<{ experiments?: { experiment_id: string }[] }>(
    (page_token) => client.post('api/2.0/mlflow/experiments/search', { max_results: 1000, page_token }, signal),
    (page) => void ids.push(...(page.experiments ?? []).map((e) => String(e.experiment_id))),
  );
  const out: LoggedModel[] = [];
  // The server takes at most 100 experiments a search.
  for (let i = 0; i < ids.length; i += 100) {
    await pages<{ models?: RestLoggedModel[] }>(
      (page_token) => client.post('api/2.0/mlflow/logged-models/search', { experiment_ids: ids.slice(i, i + 100), max_results: Math.min(pageSize, 100), page_token }, signal),
      (page) => {
        for (const { info } of page.models ?? []) {
          out.push({
            id: info.model_id,
            name: info.name,
            experimentId: String(info.experiment_id),
            runId: info.source_run_id || undefined,
            status: loggedModelStatus(info.status),
            created: time(info.creation_timestamp_ms),
            artifactLocation: info.artifact_uri ?? '',
            tags: tagMap(info.tags),
          });
        }
      },
    );
  }
  return out.sort((a, b) => (b.created ?? 0) - (a.created ?? 0));
}

function tagMap(tags: KeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) out[t.key] = t.value ?? '';
  return out;
}

/** Follows next_page_token to the last page; a token seen before ends the walk (a server that loops). */
async function pages<P>(fetchPage: (token: string | undefined) => Promise<P & { next_page_token?: string }>, take: (page: P) => void): Promise<void> {
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    take(page);
    token = page.next_page_token || undefined;
    if (token && seen.has(token)) break;
    if (token) seen.add(token);
  } while (token);
}
