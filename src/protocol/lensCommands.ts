// Code lenses of dvc.yaml and MLproject: the language server puts these commands on the
// stage and entry-point keys, the extension registers them. A lens only carries JSON, so
// its arguments are the document URI as a string and the name under the lens. The
// extension checks them on receipt (parseLensArgs): a server from another build, or a
// `command:` link, may send something else.

export const RUN_STAGE_COMMAND = 'mlops.runStage';
export const RUN_PIPELINE_UP_TO_COMMAND = 'mlops.runPipelineUpTo';
/** The client shows this lens only while a workspace of ours runs: the server cannot know. */
export const RUN_IN_WORKSPACE_COMMAND = 'mlops.runStageInWorkspace';
export const RUN_ENTRY_POINT_COMMAND = 'mlops.runMlflowEntryPoint';
export const RUN_ENTRY_POINT_WITH_PARAMETERS_COMMAND = 'mlops.runMlflowEntryPointWithParameters';
/** The client shows these two only while a cluster is configured (mlops.clusters): the server cannot know. */
export const RUN_STAGE_ON_CLUSTER_COMMAND = 'mlops.runStageOnCluster';
export const RUN_ENTRY_POINT_ON_CLUSTER_COMMAND = 'mlops.runEntryPointOnCluster';

export type LensCommand =
  | typeof RUN_STAGE_COMMAND
  | typeof RUN_PIPELINE_UP_TO_COMMAND
  | typeof RUN_IN_WORKSPACE_COMMAND
  | typeof RUN_ENTRY_POINT_COMMAND
  | typeof RUN_ENTRY_POINT_WITH_PARAMETERS_COMMAND
  | typeof RUN_STAGE_ON_CLUSTER_COMMAND
  | typeof RUN_ENTRY_POINT_ON_CLUSTER_COMMAND;

/** Every lens command's arguments: the pipeline file, then the stage (dvc.yaml) or entry point (MLproject). */
export type LensArgs = [documentUri: string, target: string];

export function lensArgs(documentUri: string, target: string): LensArgs {
  return [documentUri, target];
}

// A URI with a scheme (`file:`, `vscode-remote:`, `untitled:`): what LSP sends as a document URI.
const URI_WITH_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** The lens arguments, or undefined when `args` is not that shape (extra trailing arguments are left to the caller). */
export function parseLensArgs(args: readonly unknown[]): LensArgs | undefined {
  const [uri, target] = args;
  if (typeof uri !== 'string' || !URI_WITH_SCHEME.test(uri)) return undefined;
  if (typeof target !== 'string' || !target.trim()) return undefined;
  return [uri, target];
}
