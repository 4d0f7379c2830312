// Which pipeline file a path names, apart from the language service: the extension asks it
// at activation (which documents the language client serves), and importing it from the
// language service would put the YAML parser and every check into the activation bundle.

export type PipelineFileKind = 'dvc.yaml' | 'MLproject';

/** Which pipeline file a path or URI names, by its base name; undefined for others. */
export function pipelineFileKind(pathOrUri: string): PipelineFileKind | undefined {
  const base = pathOrUri.split(/[\\/]/).pop() ?? '';
  if (base === 'dvc.yaml') return 'dvc.yaml';
  if (base === 'MLproject') return 'MLproject';
  return undefined;
}
