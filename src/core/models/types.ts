// One shape for every model registry the Models view reads: MLflow's (mlflow.db, a tracking
// server, the mlruns/ file store) and a DVC project's GTO tags. Times are epoch ms.

export type RegistryKind = 'mlflow-sqlite' | 'mlflow-rest' | 'mlflow-file' | 'gto';

export interface ModelVersion {
  /** The registered model's name. */
  name: string;
  /** MLflow: "1", "2"…; GTO: "v1.2.3". */
  version: string;
  aliases: string[];
  /** MLflow's legacy stage ("None", "Staging", "Production", "Archived") or GTO's stage; '' when none. */
  stage: string;
  tags: Record<string, string>;
  /** MLflow: READY, PENDING_REGISTRATION, FAILED_REGISTRATION; GTO: registered. */
  status: string;
  created?: number;
  updated?: number;
  description: string;
  /** `source` as the registry holds it (models:/m-…, runs:/…/model, a path). */
  source: string;
  /** Where the version's files lie, when the registry says (MLflow's storage_location). */
  storageLocation?: string;
  runId?: string;
  /** MLflow 3: the logged model the version was made from. */
  modelId?: string;
  /** GTO: the git tag and the commit it names. */
  gitTag?: string;
  commit?: string;
}

export interface RegisteredModel {
  name: string;
  description: string;
  created?: number;
  updated?: number;
  tags: Record<string, string>;
  /** alias → version. */
  aliases: Record<string, string>;
  /** Newest first (by version number for MLflow, by semver for GTO). */
  versions: ModelVersion[];
  /** GTO: the artifact's path and type from dvc.yaml. */
  path?: string;
  type?: string;
}

/** MLflow 3's LoggedModel (`logged_models`, `logged-models/search`), registered or not. */
export interface LoggedModel {
  id: string;
  name: string;
  experimentId: string;
  runId?: string;
  /** MLflow's LoggedModelStatus name: PENDING, READY, FAILED, UNSPECIFIED. */
  status: string;
  created?: number;
  artifactLocation: string;
  tags: Record<string, string>;
}

export interface RegistryListing {
  models: RegisteredModel[];
  loggedModels: LoggedModel[];
  /** Damage met on the way (a meta.yaml that does not parse): the rest still lists. */
  warnings: string[];
}

/** LoggedModelStatus: a proto number in the stores, a name over REST. */
export function loggedModelStatus(value: unknown): string {
  const names: Record<string, string> = { '0': 'UNSPECIFIED', '1': 'PENDING', '2': 'READY', '3': 'FAILED' };
  const s = String(value ?? '');
  // The REST API names them LOGGED_MODEL_READY…, the Python client LoggedModelStatus.READY.
  return names[s] ?? (s.replace(/^LoggedModelStatus\./, '').replace(/^LOGGED_MODEL_/, '') || 'UNSPECIFIED');
}

/** MLflow's numeric versions newest first; anything else after them, by text. */
export function compareVersionsDesc(a: ModelVersion, b: ModelVersion): number {
  const na = Number(a.version);
  const nb = Number(b.version);
  if (Number.isFinite(na) && Number.isFinite(nb)) return nb - na;
  return b.version.localeCompare(a.version, undefined, { numeric: true });
}

/** Fills each version's aliases from its model's alias map and sorts the versions. */
export function finishModel(model: RegisteredModel): RegisteredModel {
  const byVersion = new Map<string, string[]>();
  for (const [alias, version] of Object.entries(model.aliases)) {
    const list = byVersion.get(version) ?? [];
    list.push(alias);
    byVersion.set(version, list);
  }
  for (const v of model.versions) {
    const aliases = byVersion.get(v.version);
    // Most versions hold none: keep the empty array each reader made rather than a new one.
    v.aliases = aliases ? aliases.sort() : v.aliases.length ? [] : v.aliases;
  }
  model.versions.sort(compareVersionsDesc);
  return model;
}
