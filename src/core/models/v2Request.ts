// Bodies of the V2 (Open Inference) protocol that MLServer speaks: `POST
// /v2/models/<name>/infer` with `{"inputs": [{name, shape, datatype, data}], "parameters"}`.
// Try Model builds one from the same example it gives MLflow's scoring server (its
// `dataframe_split` or `inputs`), typed by the model's signature; and shows the answer's
// `outputs` by name.
import type { MlModelInfo, SignatureField } from './mlmodel';

export interface V2Tensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
  parameters?: Record<string, unknown>;
}

// A body holding more tensors than this is not something typed into a form.
const MAX_INPUTS = 1000;
// The V2 datatypes (Open Inference protocol, "Tensor Data Types").
const DATATYPES = new Set(['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES']);

/** The V2 datatype of an MLflow signature type (column `double`, tensor `tensor<float32>` …). */
export function v2Datatype(type: string | undefined): string | undefined {
  if (!type) return undefined;
  const t = /^tensor<(.+)>$/.exec(type)?.[1] ?? type;
  const map: Record<string, string> = {
    double: 'FP64',
    float64: 'FP64',
    float: 'FP32',
    float32: 'FP32',
    float16: 'FP16',
    long: 'INT64',
    int64: 'INT64',
    integer: 'INT32',
    int32: 'INT32',
    int16: 'INT16',
    int8: 'INT8',
    uint8: 'UINT8',
    uint16: 'UINT16',
    uint32: 'UINT32',
    uint64: 'UINT64',
    boolean: 'BOOL',
    bool: 'BOOL',
    string: 'BYTES',
    str: 'BYTES',
    binary: 'BYTES',
    bytes: 'BYTES',
    object: 'BYTES',
    datetime: 'BYTES',
  };
  return map[t];
}

/** A datatype from the values themselves, when the signature does not say. */
function guessDatatype(values: unknown[]): string {
  if (values.length && values.every((v) => typeof v === 'boolean')) return 'BOOL';
  if (values.length && values.every((v) => typeof v === 'number')) return values.every((v) => Number.isInteger(v)) ? 'INT64' : 'FP64';
  return 'BYTES';
}

/** Flattens nested arrays row-major (V2 `data` is flat) and reads their shape; iterative. */
function flatten(value: unknown): { shape: number[]; data: unknown[] } {
  const shape: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  let level: unknown[] = [value];
  for (let d = 0; d < shape.length; d++) level = level.flatMap((v) => (Array.isArray(v) ? v : [v]));
  return { shape: shape.length ? shape : [1], data: shape.length ? level : [value] };
}

function columnType(info: MlModelInfo | undefined, name: string): string | undefined {
  return v2Datatype(info?.signature?.inputs.find((f) => f.name === name)?.type);
}

function tensorType(info: MlModelInfo | undefined, f: SignatureField | undefined): string | undefined {
  return v2Datatype(f?.type) ?? v2Datatype(info?.signature?.inputs[0]?.type);
}

/**
 * The V2 request for a body of MLflow's scoring server: `dataframe_split` /
 * `dataframe_records` → one 1-d input per column, marked as a pandas frame (`content_type:
 * "pd"`, the codec MLServer's MLflow runtime rebuilds the frame with); `inputs` (a tensor,
 * or a dict of named tensors) → one input each. Undefined for what has none of these.
 */
export function v2FromMlflowBody(body: Record<string, unknown>, info?: MlModelInfo): { inputs: V2Tensor[]; parameters?: Record<string, unknown> } | undefined {
  let columns: string[] | undefined;
  let rows: unknown[][] | undefined;
  const split = body.dataframe_split as { columns?: unknown[]; data?: unknown[] } | undefined;
  if (split && Array.isArray(split.data)) {
    const width = Array.isArray(split.data[0]) ? (split.data[0] as unknown[]).length : 1;
    columns = Array.isArray(split.columns) ? split.columns.map(String) : Array.from({ length: width }, (_, i) => String(i));
    rows = split.data.map((r) => (Array.isArray(r) ? r : [r]));
  } else if (Array.isArray(body.dataframe_records)) {
    const records = body.dataframe_records.filter((r): r is Record<string, unknown> => !!r && typeof r === 'object' && !Array.isArray(r));
    columns = [...new Set(records.flatMap((r) => Object.keys(r)))].slice(0, MAX_INPUTS);
    rows = records.map((r) => columns!.map((c) => r[c] ?? null));
  }
  if (columns && rows) {
    const inputs = columns.slice(0, MAX_INPUTS).map((name, i): V2Tensor => {
      const data = rows!.map((r) => r[i] ?? null);
      return { name, shape: [data.length], datatype: columnType(info, name) ?? guessDatatype(data), data };
    });
    return { inputs, parameters: { content_type: 'pd' } };
  }
  const tensors = body.inputs ?? body.instances;
  if (tensors === undefined) return undefined;
  const sig = info?.signature?.inputs ?? [];
  if (Array.isArray(tensors) || typeof tensors !== 'object' || tensors === null) {
    const { shape, data } = flatten(tensors);
    return { inputs: [{ name: sig[0]?.name ?? 'input-0', shape, datatype: tensorType(info, sig[0]) ?? guessDatatype(data), data }] };
  }
  const inputs = Object.entries(tensors as Record<string, unknown>)
    .slice(0, MAX_INPUTS)
    .map(([name, value]): V2Tensor => {
      const { shape, data } = flatten(value);
      return { name, shape, datatype: tensorType(info, sig.find((f) => f.name === name)) ?? guessDatatype(data), data };
    });
  return { inputs };
}

/** Checks the editor's text is a V2 request (`inputs`: name, shape, datatype, data each). */
export function checkV2Body(text: string): { body: string } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { error: `Not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'A V2 request is a JSON object with an "inputs" list.' };
  const inputs = (parsed as { inputs?: unknown }).inputs;
  if (!Array.isArray(inputs) || !inputs.length) return { error: 'A V2 request needs a non-empty "inputs" list of {name, shape, datatype, data}.' };
  if (inputs.length > MAX_INPUTS) return { error: `A V2 request here takes at most ${MAX_INPUTS} inputs.` };
  for (const [i, t] of inputs.entries()) {
    const o = (t && typeof t === 'object' ? t : {}) as Record<string, unknown>;
    const where = `inputs[${i}]${typeof o.name === 'string' ? ` ("${o.name}")` : ''}`;
    if (typeof o.name !== 'string' || !o.name) return { error: `${where} needs a "name".` };
    if (!Array.isArray(o.shape) || !o.shape.every((d) => Number.isInteger(d) && d >= 0)) return { error: `${where} needs a "shape": a list of sizes.` };
    if (typeof o.datatype !== 'string' || !DATATYPES.has(o.datatype)) return { error: `${where} needs a "datatype", one of ${[...DATATYPES].join(', ')}.` };
    if (!('data' in o)) return { error: `${where} needs "data".` };
  }
  return { body: JSON.stringify(parsed) };
}

/**
 * What Try Model shows of a V2 answer: each output's data by its name (one output: its
 * data alone, like MLflow's `predictions`). Undefined when the answer has no `outputs`.
 */
export function v2Outputs(answer: unknown): unknown {
  const outputs = answer && typeof answer === 'object' ? (answer as { outputs?: unknown }).outputs : undefined;
  if (!Array.isArray(outputs)) return undefined;
  const named = outputs.filter((o): o is { name: string; data: unknown } => !!o && typeof o === 'object' && typeof (o as { name?: unknown }).name === 'string');
  if (named.length === 1) return named[0].data;
  return Object.fromEntries(named.map((o) => [o.name, o.data]));
}
