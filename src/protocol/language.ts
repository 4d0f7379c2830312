// Shared between the language client (extension host) and the language server.

/** Files the MLOps language server attaches to. */
export const PIPELINE_FILE_PATTERNS = ['**/dvc.yaml', '**/MLproject'] as const;

/** Language id contributed for MLproject files (package.json `contributes.languages`). */
export const MLPROJECT_LANGUAGE_ID = 'mlproject';

/** `source` of every diagnostic the server publishes, so tests and users can tell ours apart. */
export const DIAGNOSTIC_SOURCE = 'mlops';
