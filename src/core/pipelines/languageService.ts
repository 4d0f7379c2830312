import type { PipelineDiagnostic } from './diagnostics';
import { parseYaml } from './yamlDocument';

export type PipelineFileKind = 'dvc.yaml' | 'MLproject';

/** Which pipeline file a path or URI names, by its base name; undefined for others. */
export function pipelineFileKind(pathOrUri: string): PipelineFileKind | undefined {
  const base = pathOrUri.split(/[\\/]/).pop() ?? '';
  if (base === 'dvc.yaml') return 'dvc.yaml';
  if (base === 'MLproject') return 'MLproject';
  return undefined;
}

/**
 * Validates a pipeline file's text. Pure and synchronous so it is tested on fixtures
 * and shared by the server and the benchmark. Today: YAML syntax; the schema and
 * semantic checks build on the same parse.
 */
export function validatePipelineFile(pathOrUri: string, text: string): PipelineDiagnostic[] {
  if (!pipelineFileKind(pathOrUri)) return [];
  return parseYaml(text).diagnostics;
}
