// What an `MLmodel` holds once parsed (mlmodel.ts parses it), and the helpers the Models
// view uses on it: kept apart from the parser so that dist/lazy/modelsLib.js, which the view
// requires at its first listing, does not carry the YAML parser (~5 ms of a window's first
// listing to load).

export interface SignatureField {
  name?: string;
  type: string;
  /** Tensors: dtype and shape. */
  shape?: number[];
  optional?: boolean;
}

export interface MlModelInfo {
  flavors: string[];
  /** The python_function loader (mlflow.sklearn…), when the model has that flavor. */
  loaderModule?: string;
  mlflowVersion?: string;
  runId?: string;
  modelId?: string;
  signature?: { inputs: SignatureField[]; outputs: SignatureField[]; params: SignatureField[] };
  /** Relative to the MLmodel folder. */
  inputExample?: string;
  servingInputExample?: string;
  sizeBytes?: number;
}

/** One line per field, for tooltips and the diff of two versions' signatures. */
export function signatureLines(info: MlModelInfo): string[] {
  const s = info.signature;
  if (!s) return [];
  const line = (f: SignatureField) => `${f.name ?? '(unnamed)'}: ${f.type}${f.shape ? ` [${f.shape.join(', ')}]` : ''}${f.optional ? ' (optional)' : ''}`;
  return [
    ...s.inputs.map((f) => `input  ${line(f)}`),
    ...s.outputs.map((f) => `output ${line(f)}`),
    ...s.params.map((f) => `param  ${line(f)}`),
  ];
}

/** A local folder for a storage location: `file://` URIs and plain paths; undefined for remote stores. */
export function localFolder(location: string | undefined): string | undefined {
  if (!location) return undefined;
  if (location.startsWith('file://')) {
    try {
      return decodeURIComponent(new URL(location).pathname);
    } catch {
      return undefined;
    }
  }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) ? undefined : location;
}
