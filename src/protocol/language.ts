// Shared between the language client (extension host) and the language server.

/** Files the MLOps language server attaches to. */
export const PIPELINE_FILE_PATTERNS = ['**/dvc.yaml', '**/MLproject'] as const;

/** Language id contributed for MLproject files (package.json `contributes.languages`). */
export const MLPROJECT_LANGUAGE_ID = 'mlproject';

/** `source` of every diagnostic the server publishes, so tests and users can tell ours apart. */
export const DIAGNOSTIC_SOURCE = 'mlops';

/**
 * The server's initializationOptions. `filesWatched`: the client sends a watched-file event
 * for every file that changes (the extension watches them all), so the server may keep what
 * it learnt of the disk until one arrives instead of asking again every few seconds.
 */
export interface ServerInitOptions {
  filesWatched?: boolean;
}

export function readServerInitOptions(value: unknown): ServerInitOptions {
  const v = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  return { filesWatched: v.filesWatched === true };
}
