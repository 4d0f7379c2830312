// The shape of dvc.yaml in DVC 3.x (dvc/schema.py and the dvc.yaml reference), as the
// key lists that structure checks, "did you mean" and completion share.

export const TOP_LEVEL_KEYS = ['stages', 'vars', 'params', 'metrics', 'plots', 'artifacts', 'datasets'] as const;

export const STAGE_KEYS = ['cmd', 'wdir', 'deps', 'params', 'outs', 'metrics', 'plots', 'frozen', 'always_changed', 'desc', 'meta', 'vars'] as const;

/** Keys a foreach stage has besides its `do` definition. */
export const FOREACH_KEYS = ['foreach', 'do'] as const;

export const OUT_OPTION_KEYS = ['cache', 'persist', 'remote', 'push', 'desc', 'type', 'labels', 'meta'] as const;

/** Plot outputs also take the plot properties. */
export const PLOT_OPTION_KEYS = [...OUT_OPTION_KEYS, 'template', 'x', 'y', 'x_label', 'y_label', 'title', 'header'] as const;

/** Top-level `plots:` entries: `{id: {x, y, template, ...}}`. */
export const TOP_PLOT_KEYS = ['x', 'y', 'template', 'title', 'x_label', 'y_label'] as const;

export const ARTIFACT_KEYS = ['path', 'type', 'desc', 'labels', 'meta'] as const;

export const BOOLEAN_OUT_OPTIONS = new Set(['cache', 'persist', 'push']);
export const STRING_OUT_OPTIONS = new Set(['remote', 'desc', 'type', 'template', 'x_label', 'y_label', 'title']);

/** DVC refuses these in stage names (they separate stage addresses: `dvc.yaml:name`, `name@key`). */
export const INVALID_STAGE_NAME_CHARS = /[\\/@:]/;

/** One-line docs for completion and hover of keys. */
export const KEY_DOCS: Record<string, string> = {
  stages: 'The pipeline stages, by name.',
  vars: 'Values for `${...}` interpolation: mappings, or files such as `params.yaml` (optionally `file.yaml:key1,key2`).',
  params: 'Parameter keys the stage depends on (from params.yaml), or `file.yaml: [keys]`.',
  metrics: 'Metrics files (JSON/YAML/TOML) the stage writes.',
  plots: 'Plot files the stage writes, or plot definitions (x, y, template).',
  artifacts: 'Named models and datasets of the project (path, type, desc, labels, meta).',
  datasets: 'Datasets used by the project.',
  cmd: 'The command(s) to run: a string, or a list run one after another.',
  wdir: 'Folder to run the command in, relative to dvc.yaml.',
  deps: 'Files and folders the stage depends on.',
  outs: 'Files and folders the stage produces (cached by DVC).',
  frozen: 'When true, `dvc repro` never reruns this stage.',
  always_changed: 'When true, the stage is always considered changed.',
  desc: 'A description of the stage.',
  meta: 'Anything; DVC ignores it.',
  foreach: 'Generates one stage per item of a list or mapping (`${item}`, `${key}`).',
  do: 'The stage definition each `foreach` item is run with.',
  matrix: 'Generates one stage per combination of the listed values (`${item.<name>}`).',
  cache: 'Whether DVC caches this output (default true).',
  persist: 'Keep the output between runs instead of deleting it before the command.',
  remote: 'The remote this output is pushed to.',
  push: 'Whether `dvc push` uploads this output (default true).',
  type: 'The output type (for artifacts).',
  labels: 'Labels (for artifacts).',
  template: 'Plot template: linear, simple, scatter, smooth, confusion, bar_horizontal...',
  x: 'The field (or {file: field}) for the x axis.',
  y: 'The field(s) (or {file: fields}) for the y axis.',
};
