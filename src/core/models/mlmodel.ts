// What the Models view shows of a model's `MLmodel` file (YAML, written by MLflow beside the
// model's files): its flavors, its signature (inputs/outputs/params, each a JSON text inside
// the YAML) and where its input example lies. The file comes from a repository or a server,
// so it is read bounded and parsed as untrusted YAML; what does not parse is left out.
import * as path from 'node:path';
import { readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import { parseYamlData } from '../common/yamlData';
import type { MlModelInfo, SignatureField } from './mlmodelInfo';

export type { MlModelInfo, SignatureField };
export { localFolder, signatureLines } from './mlmodelInfo';

export function parseMlModel(text: string): MlModelInfo {
  const data = parseYamlData(text) as Record<string, unknown> | null;
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('MLmodel is not a YAML mapping');
  const flavors = data.flavors && typeof data.flavors === 'object' ? (data.flavors as Record<string, unknown>) : {};
  const pyfunc = flavors.python_function as Record<string, unknown> | undefined;
  const sig = data.signature as Record<string, unknown> | undefined;
  const example = data.saved_input_example_info as Record<string, unknown> | undefined;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    flavors: Object.keys(flavors),
    loaderModule: str(pyfunc?.loader_module),
    mlflowVersion: str(data.mlflow_version),
    runId: str(data.run_id),
    modelId: str(data.model_id),
    signature: sig && typeof sig === 'object' ? { inputs: fields(sig.inputs), outputs: fields(sig.outputs), params: fields(sig.params) } : undefined,
    inputExample: str(example?.artifact_path),
    servingInputExample: str(example?.serving_input_path),
    sizeBytes: typeof data.model_size_bytes === 'number' ? data.model_size_bytes : undefined,
  };
}

/** A signature part: MLflow stores a JSON list of column or tensor specs as a string. */
function fields(value: unknown): SignatureField[] {
  if (typeof value !== 'string' || !value) return [];
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  return list.slice(0, 10_000).map((f: Record<string, unknown>) => {
    const tensor = f?.['tensor-spec'] as { dtype?: string; shape?: number[] } | undefined;
    return {
      name: typeof f?.name === 'string' ? f.name : undefined,
      type: tensor ? `tensor<${String(tensor.dtype ?? '?')}>` : String(f?.type ?? '?'),
      shape: Array.isArray(tensor?.shape) ? tensor.shape.map(Number) : undefined,
      optional: f?.required === false ? true : undefined,
    };
  });
}

/** The MLmodel in a local folder (an artifact folder of a run or a registered version). */
export async function readMlModel(folder: string): Promise<MlModelInfo> {
  return parseMlModel(await readBoundedText(path.join(folder, 'MLmodel'), { cap: YAML_JSON_CAP }));
}
