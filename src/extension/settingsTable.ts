// Every `mlops.*` setting, its type and default, and whether only the user may set it.
// Pure (no `vscode` import) so a unit test can hold it against package.json's
// `contributes.configuration`: the two must list the same keys, defaults and scopes.

/** The value type of each setting (key without the `mlops.` prefix). */
export interface SettingValues {
  'languageServer.enabled': boolean;
  'languageServer.trace.server': 'off' | 'messages' | 'verbose';
  'runs.sources.mlflow': boolean;
  'runs.sources.dvcExperiments': boolean;
  'runs.sources.dvclive': boolean;
  'runs.sources.tensorboard': boolean;
  'runs.keyMetric': string;
  'metrics.lowerIsBetter': string[];
  'metrics.higherIsBetter': string[];
  'mlflow.trackingUri': string;
  'mlflow.maxRuns': number;
  'mlflow.pollIntervalSeconds': number;
  'mlflow.path': string;
  'mlflow.envManager': string;
  'mlserver.path': string;
  'docker.host': string;
  hosts: unknown[];
  'ssh.knownHostsFile': string;
  'ssh.configFile': string;
  'ssh.connectTimeoutSeconds': number;
  'workspaces.callTimeoutSeconds': number;
  'workspaces.gpuRefreshSeconds': number;
  'gpus.freeMemoryMiB': number;
  'workspaces.profiles': unknown[];
  'dvc.path': string;
  clusters: unknown[];
  'jobs.refreshSeconds': number;
  user: string;
  'provenance.enabled': boolean;
  'provenance.mlflowExperiment': string;
  'reproduce.tolerance': number;
  'reproduce.remoteFolder': string;
}

export type SettingKey = keyof SettingValues;

/** The defaults, as package.json declares them (test/unit/extension/settings.test.ts checks). */
export const SETTING_DEFAULTS: { readonly [K in SettingKey]: SettingValues[K] } = {
  'languageServer.enabled': true,
  'languageServer.trace.server': 'off',
  'runs.sources.mlflow': true,
  'runs.sources.dvcExperiments': true,
  'runs.sources.dvclive': true,
  'runs.sources.tensorboard': true,
  'runs.keyMetric': '',
  'metrics.lowerIsBetter': [],
  'metrics.higherIsBetter': [],
  'mlflow.trackingUri': '',
  'mlflow.maxRuns': 10_000,
  'mlflow.pollIntervalSeconds': 15,
  'mlflow.path': '',
  'mlflow.envManager': 'local',
  'mlserver.path': '',
  'docker.host': '',
  hosts: [],
  'ssh.knownHostsFile': '',
  'ssh.configFile': '',
  'ssh.connectTimeoutSeconds': 15,
  'workspaces.callTimeoutSeconds': 20,
  'workspaces.gpuRefreshSeconds': 10,
  'gpus.freeMemoryMiB': 1024,
  'workspaces.profiles': [],
  'dvc.path': '',
  clusters: [],
  'jobs.refreshSeconds': 15,
  user: '',
  'provenance.enabled': true,
  'provenance.mlflowExperiment': '',
  'reproduce.tolerance': 0.000001,
  'reproduce.remoteFolder': '~/.cache/mlops-workbench/reproduce',
};

/**
 * Settings that name an executable, a server, a host, credentials or a launch profile:
 * `machine` scope in package.json, and read from the user's value only, so a cloned
 * repository's .vscode/settings.json cannot choose what we run or where secrets go.
 */
export const MACHINE_SETTINGS: ReadonlySet<SettingKey> = new Set<SettingKey>([
  'mlflow.trackingUri',
  'mlflow.path',
  'mlserver.path',
  'docker.host',
  'hosts',
  'ssh.knownHostsFile',
  'ssh.configFile',
  'workspaces.profiles',
  'dvc.path',
  'clusters',
  'user',
  'reproduce.remoteFolder',
]);

/**
 * `value` when it has the default's shape (a settings.json can hold anything: a string
 * where a number belongs must not reach a timer or a spawn), else the default.
 */
export function settingOrDefault<K extends SettingKey>(key: K, value: unknown): SettingValues[K] {
  const fallback = SETTING_DEFAULTS[key];
  if (value === undefined || value === null) return fallback;
  if (Array.isArray(fallback)) return (Array.isArray(value) ? value : fallback) as SettingValues[K];
  if (typeof value !== typeof fallback) return fallback;
  if (typeof value === 'number' && !Number.isFinite(value)) return fallback;
  return value as SettingValues[K];
}
