// The body sent to MLflow's scoring server (`POST /invocations`): MLflow's own serving
// example when the model has one, else built from its input example or signature, in the
// formats the server takes (JSON `dataframe_split` / `inputs`, or CSV with a header row).
import * as path from 'node:path';
import { readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import type { MlModelInfo, SignatureField } from './mlmodel';

export type RequestFormat = 'json' | 'csv';

export const CONTENT_TYPE: Record<RequestFormat, string> = { json: 'application/json', csv: 'text/csv' };

/** The keys one of which a JSON body of the scoring server must have (MLflow 2+). */
export const JSON_INPUT_KEYS = ['dataframe_split', 'dataframe_records', 'inputs', 'instances'] as const;

// Rows a built body holds, and the cap on an example's rows we put in the editor.
const SIGNATURE_ROWS = 1;
const MAX_EXAMPLE_ROWS = 1000;

/**
 * A body from the saved input example (`input_example.json`, MLflow's own text): a
 * pandas split (`{columns, data}`) becomes `dataframe_split`, an array `inputs`; a body
 * already in the server's shape stays as it is.
 */
export function bodyFromInputExample(example: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(example)) return { inputs: example.slice(0, MAX_EXAMPLE_ROWS) };
  if (!example || typeof example !== 'object') return undefined;
  const o = example as Record<string, unknown>;
  if (JSON_INPUT_KEYS.some((k) => k in o)) return o;
  if (Array.isArray(o.data)) {
    const split: Record<string, unknown> = { data: o.data.slice(0, MAX_EXAMPLE_ROWS) };
    if (Array.isArray(o.columns)) split.columns = o.columns;
    if (Array.isArray(o.index)) split.index = o.index.slice(0, MAX_EXAMPLE_ROWS);
    return { dataframe_split: split };
  }
  // A dict of named tensors or columns: the `inputs` of MLflow's tensor format.
  return { inputs: o };
}

/** A placeholder of a signature type: what the user overwrites. */
function placeholder(type: string): unknown {
  if (/^(double|float|tensor<float)/.test(type)) return 0.0;
  if (/^(long|integer|int|tensor<int|tensor<uint)/.test(type)) return 0;
  if (/^(boolean|tensor<bool)/.test(type)) return false;
  if (type === 'datetime') return '2024-01-01T00:00:00';
  return '';
}

function tensorOf(f: SignatureField): unknown {
  // -1 is the batch dimension; other unknown sizes become 1.
  const dims = (f.shape ?? [-1]).map((d) => (d < 0 ? SIGNATURE_ROWS : Math.min(d, 64)));
  const build = (i: number): unknown => (i >= dims.length ? placeholder(f.type) : Array.from({ length: dims[i] }, () => build(i + 1)));
  return build(0);
}

/** A body built from the signature: named columns → one `dataframe_split` row; tensors → `inputs`. */
export function bodyFromSignature(info: MlModelInfo): Record<string, unknown> | undefined {
  const inputs = info.signature?.inputs ?? [];
  if (!inputs.length) return undefined;
  if (inputs.every((f) => f.type.startsWith('tensor<'))) {
    if (inputs.length === 1 && !inputs[0].name) return { inputs: tensorOf(inputs[0]) };
    return { inputs: Object.fromEntries(inputs.map((f, i) => [f.name ?? `input_${i}`, tensorOf(f)])) };
  }
  const columns = inputs.map((f, i) => f.name ?? String(i));
  return { dataframe_split: { columns, data: [inputs.map((f) => placeholder(f.type))] } };
}

/** Parses the editor's JSON and checks it has one of the scoring server's input keys. */
export function checkJsonBody(text: string): { body: string } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { error: `Not valid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: `The body must be a JSON object with one of ${JSON_INPUT_KEYS.join(', ')}.` };
  const keys = JSON_INPUT_KEYS.filter((k) => k in (parsed as object));
  if (keys.length !== 1) return { error: `The body must have exactly one of ${JSON_INPUT_KEYS.join(', ')}${keys.length ? ` (it has ${keys.join(', ')})` : ''}.` };
  return { body: JSON.stringify(parsed) };
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A `dataframe_split` body as CSV (header row, then the rows): the scoring server's text/csv. */
export function splitToCsv(body: Record<string, unknown>): string | undefined {
  const split = body.dataframe_split as { columns?: unknown[]; data?: unknown[] } | undefined;
  if (!split || !Array.isArray(split.data) || !Array.isArray(split.columns)) return undefined;
  const lines = [split.columns.map(csvCell).join(',')];
  for (const row of split.data) lines.push((Array.isArray(row) ? row : [row]).map(csvCell).join(','));
  return lines.join('\n') + '\n';
}

export type ExampleSource = 'serving example' | 'input example' | 'signature' | 'none';

/**
 * What the Try Model editor starts with, for a model folder and its parsed MLmodel: MLflow's
 * own serving example (`serving_input_example.json`, exactly what its server takes), else
 * the input example converted, else a row built from the signature, else an empty body.
 */
export async function exampleRequest(folder: string, info: MlModelInfo): Promise<{ text: string; source: ExampleSource }> {
  const read = async (name?: string): Promise<unknown> => {
    if (!name || path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) return undefined;
    try {
      return JSON.parse(await readBoundedText(path.join(folder, name), { cap: YAML_JSON_CAP }));
    } catch {
      return undefined;
    }
  };
  const pretty = (v: unknown) => JSON.stringify(v, null, 2);
  const serving = await read(info.servingInputExample);
  if (serving && typeof serving === 'object' && JSON_INPUT_KEYS.some((k) => k in (serving as object))) return { text: pretty(serving), source: 'serving example' };
  const fromExample = bodyFromInputExample(await read(info.inputExample));
  if (fromExample) return { text: pretty(fromExample), source: 'input example' };
  const fromSignature = bodyFromSignature(info);
  if (fromSignature) return { text: pretty(fromSignature), source: 'signature' };
  return { text: pretty({ dataframe_split: { columns: [], data: [] } }), source: 'none' };
}
