// The model registry of an MLflow tracking server over its REST API: registered models (their
// aliases and tags come with them), every version through model-versions/search, paged, and
// MLflow 3's logged models (logged-models/search, per experiment). A server older than the
// logged-models endpoint answers 404 there: it simply has none.
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
  signal?: AbortSignal;
}

const time = (v: number | string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

export async function readRestRegistry(client: MlflowRestClient, options: RestRegistryOptions = {}): Promise<RegistryListing> {
  const pageSize = options.pageSize ?? 1000;
  const signal = options.signal;
  const models = new Map<string, RegisteredModel>();
  const versions: ModelVersion[] = [];
  const warnings: string[] = [];
  // The three listings at once: the server's own work per row is most of the time.
  const [, , loggedModels] = await Promise.all([
    pages<{ registered_models?: RestRegisteredModel[] }>(
      (page_token) => client.get('api/2.0/mlflow/registered-models/search', { max_results: Math.min(pageSize, 1000), page_token }, signal),
      (page) => {
        for (const m of page.registered_models ?? []) {
          const aliases: Record<string, string> = {};
          for (const a of m.aliases ?? []) aliases[a.alias] = String(a.version);
          models.set(m.name, { name: m.name, created: time(m.creation_timestamp), updated: time(m.last_updated_timestamp), description: m.description ?? '', tags: tagMap(m.tags), aliases, versions: [] });
        }
      },
    ),
    pages<{ model_versions?: RestModelVersion[] }>(
      // Versions come many more to a page (MLflow allows 200,000): fewer round trips.
      (page_token) => client.get('api/2.0/mlflow/model-versions/search', { max_results: options.pageSize ?? 10_000, page_token }, signal),
      (page) => {
        for (const v of page.model_versions ?? []) versions.push(toVersion(v));
      },
    ),
    readLoggedModels(client, pageSize, signal).catch((err: unknown) => {
      if (err instanceof MlflowRestError && err.notFound) return [];
      warnings.push(`logged models: ${err instanceof Error ? err.message : String(err)}`);
      return [];
    }),
  ]);
  for (const v of versions) models.get(v.name)?.versions.push(v);
  return { models: [...models.values()].map(finishModel).sort((a, b) => a.name.localeCompare(b.name)), loggedModels, warnings };
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
