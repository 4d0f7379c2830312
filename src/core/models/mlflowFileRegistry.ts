// The model registry of MLflow's file store, as MLflow writes it:
//   models/<name>/meta.yaml                 the model (description, times, aliases: {alias: version})
//   models/<name>/tags/<key>                its tags, one file each
//   models/<name>/version-<n>/meta.yaml     a version (stage, status, source, run_id, storage_location)
//   models/<name>/version-<n>/tags/<key>
//   <exp_id>/models/<model_id>/meta.yaml    MLflow 3 logged models (+ tags/)
// Files go through the Runs view's file-store helpers (bounded reads, inside the store only);
// a broken meta.yaml becomes a warning naming it and its model or version is left out.
import * as path from 'node:path';
import { dirs, readKeyValues, readMeta } from '../runs/mlflow/fileStoreSource';
import type { SourceWarning } from '../runs/types';
import { finishModel, loggedModelStatus, type LoggedModel, type ModelVersion, type RegisteredModel, type RegistryListing } from './types';

/** Far beyond any real registry; a store with more folders than this is not read further. */
const MAX_ENTRIES = 20_000;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const num = (v: unknown): number | undefined => (v === undefined || v === null || str(v).trim() === '' || Number.isNaN(Number(v)) ? undefined : Number(v));

export async function readFileRegistry(store: string): Promise<RegistryListing> {
  const warnings: string[] = [];
  const warn = (w: SourceWarning) => warnings.push(`${w.file}: ${w.message}`);
  const models: RegisteredModel[] = [];
  const modelsDir = path.join(store, 'models');
  for (const folder of (await dirs(modelsDir, warn)).slice(0, MAX_ENTRIES)) {
    const dir = path.join(modelsDir, folder);
    const meta = await readMeta(path.join(dir, 'meta.yaml'), store, warn, true);
    if (!meta) continue;
    const aliases: Record<string, string> = {};
    if (meta.aliases && typeof meta.aliases === 'object' && !Array.isArray(meta.aliases)) {
      for (const [alias, version] of Object.entries(meta.aliases as Record<string, unknown>)) aliases[alias] = str(version);
    }
    const model: RegisteredModel = {
      name: str(meta.name) || folder,
      description: str(meta.description),
      created: num(meta.creation_timestamp),
      updated: num(meta.last_updated_timestamp),
      tags: await readKeyValues(path.join(dir, 'tags'), store, warn),
      aliases,
      versions: [],
    };
    const versionDirs = (await dirs(dir, warn)).filter((d) => /^version-\d+$/.test(d)).slice(0, MAX_ENTRIES);
    for (const vd of versionDirs) {
      const v = await readVersion(path.join(dir, vd), model.name, store, warn);
      if (v) model.versions.push(v);
    }
    models.push(finishModel(model));
  }
  const loggedModels = await readLoggedModels(store, warn);
  return { models: models.sort((a, b) => a.name.localeCompare(b.name)), loggedModels, warnings };
}

async function readVersion(dir: string, name: string, store: string, warn: (w: SourceWarning) => void): Promise<ModelVersion | undefined> {
  const meta = await readMeta(path.join(dir, 'meta.yaml'), store, warn);
  if (!meta) return undefined;
  // The file store keeps deleted versions as folders marked current_stage: Deleted_Internal.
  if (str(meta.current_stage) === 'Deleted_Internal') return undefined;
  const source = str(meta.source);
  return {
    name,
    version: str(meta.version) || path.basename(dir).slice('version-'.length),
    aliases: [],
    stage: str(meta.current_stage) || 'None',
    tags: await readKeyValues(path.join(dir, 'tags'), store, warn),
    status: str(meta.status) || 'READY',
    created: num(meta.creation_timestamp),
    updated: num(meta.last_updated_timestamp),
    description: str(meta.description),
    source,
    storageLocation: str(meta.storage_location) || undefined,
    runId: str(meta.run_id) || undefined,
    modelId: str(meta.model_id) || (source.startsWith('models:/m-') ? source.slice('models:/'.length) : undefined),
  };
}

async function readLoggedModels(store: string, warn: (w: SourceWarning) => void): Promise<LoggedModel[]> {
  const out: LoggedModel[] = [];
  const experiments = (await dirs(store, warn)).filter((d) => d !== 'models' && !d.startsWith('.'));
  for (const exp of experiments.slice(0, MAX_ENTRIES)) {
    const base = path.join(store, exp, 'models');
    for (const id of (await dirs(base, warn)).filter((d) => d.startsWith('m-')).slice(0, MAX_ENTRIES)) {
      const meta = await readMeta(path.join(base, id, 'meta.yaml'), store, warn, true);
      if (!meta || (meta.lifecycle_stage && str(meta.lifecycle_stage) !== 'active')) continue;
      out.push({
        id: str(meta.model_id) || id,
        name: str(meta.name),
        experimentId: str(meta.experiment_id) || exp,
        runId: str(meta.source_run_id) || undefined,
        status: loggedModelStatus(meta.status),
        created: num(meta.creation_timestamp),
        artifactLocation: str(meta.artifact_location),
        tags: await readKeyValues(path.join(base, id, 'tags'), store, warn),
      });
    }
  }
  return out.sort((a, b) => (b.created ?? 0) - (a.created ?? 0));
}
