import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { DvcStage, DvcStages } from './dvcModel';
import { isSimpleReference } from './interpolation';
import { isReadableParamsPath, loadParamsFile, lookupPath, splitKeyPath, type ParamsFile } from './paramsFile';
import { joinPath, type PipelineFs } from './pipelineFs';
import { DiagnosticSink, entries, scalarText, spanOf } from './yamlNodes';

/** Where a `${name}` is defined: a key in this dvc.yaml, or a key path in another file. */
export interface VarDefinition {
  /** '' for the dvc.yaml itself; else relative to its folder. */
  file: string;
  span?: [number, number];
  keyPath?: string[];
}

interface VarEntry {
  /** Candidate values: one for plain vars, every item for `foreach`'s `item`. */
  values: unknown[];
  /** False when the values are not known here (a `${}` foreach): any sub-path is accepted. */
  known: boolean;
  def: VarDefinition;
}

/** The names `${...}` can use at some place, and whether that list is complete. */
export interface VarsScope {
  vars: Map<string, VarEntry>;
  /** False when a vars file could not be read: an unknown name may come from it. */
  complete: boolean;
}

export type Resolution =
  | { status: 'ok'; values: unknown[]; def: VarDefinition }
  | { status: 'undefined'; missing: string }
  | { status: 'unknown' };

function toJs(node: unknown): unknown {
  try {
    return (node as Node)?.toJSON?.() ?? (isScalar(node) ? node.value : undefined);
  } catch {
    return undefined;
  }
}

function addFile(scope: VarsScope, file: ParamsFile, keys: string[] | undefined): void {
  if (!file.data) return;
  for (const k of keys ?? Object.keys(file.data)) {
    const top = splitKeyPath(k)[0];
    if (top === undefined || !(top in file.data)) continue;
    scope.vars.set(top, { values: [file.data[top]], known: true, def: { file: file.path, keyPath: [top] } });
  }
}

/** A node's offsets in the file, its ranges being `offset` off (DvcStage.nodeOffset). */
function spanAt(node: unknown, offset: number): [number, number] | undefined {
  const span = spanOf(node);
  return span && offset ? [span[0] + offset, span[1] + offset] : span;
}

/** Adds a `vars:` list: `- file.yaml`, `- file.yaml:a,b`, or `- {name: value}`. */
function addVarsList(scope: VarsScope, node: unknown, wdir: string, fs: PipelineFs | undefined, sink: DiagnosticSink | undefined, offset = 0): void {
  if (!isSeq(node)) return;
  for (const item of node.items) {
    if (isMap(item)) {
      for (const [key, pair] of entries(item)) scope.vars.set(key, { values: [toJs(pair.value)], known: true, def: { file: '', span: spanAt(pair.key, offset) } });
      continue;
    }
    const spec = scalarText(item);
    if (spec === undefined) continue;
    const colon = spec.indexOf(':');
    const fileName = colon > 0 ? spec.slice(0, colon) : spec;
    const keys = colon > 0 ? spec.slice(colon + 1).split(',').map((k) => k.trim()).filter(Boolean) : undefined;
    const path = joinPath(wdir, fileName);
    const file = fs && isReadableParamsPath(path) ? loadParamsFile(fs, path) : undefined;
    if (!file) {
      scope.complete = false;
      if (fs && isReadableParamsPath(path) && !fs.exists(path)) sink?.at(spanAt(item, offset), 'error', 'vars-file-missing', `Vars file '${fileName}' does not exist.`);
      continue;
    }
    addFile(scope, file, keys);
  }
}

/** Names every stage can use: params.yaml (DVC loads it by default) and the top-level vars. */
export function globalScope(model: DvcStages, fs: PipelineFs | undefined, sink?: DiagnosticSink): VarsScope {
  const scope: VarsScope = { vars: new Map(), complete: !!fs };
  if (fs) {
    const params = loadParamsFile(fs, 'params.yaml');
    if (params) addFile(scope, params, undefined);
    // There but not read (a FIFO, over the cap): its names are unknown, not undefined.
    else if (fs.refused?.().has('params.yaml')) scope.complete = false;
  }
  addVarsList(scope, model.vars, '', fs, sink);
  return scope;
}

function valuesOf(node: unknown): { values: unknown[]; keys?: string[] } | undefined {
  if (isSeq(node)) return { values: node.items.map(toJs) };
  if (isMap(node)) {
    const keys = [...entries(node)].map(([k]) => k);
    return { values: node.items.map((p) => toJs(p.value)), keys };
  }
  return undefined;
}

/** The scope inside one stage: the global names, the stage's vars, and foreach/matrix items. */
export function stageScope(global: VarsScope, stage: DvcStage, fs: PipelineFs | undefined, sink?: DiagnosticSink): VarsScope {
  const scope: VarsScope = { vars: new Map(global.vars), complete: global.complete };
  addVarsList(scope, stage.vars, stage.wdir, fs, sink, stage.nodeOffset);
  const node = stage.templateNode;
  const def: VarDefinition = { file: '', span: spanAt(node, stage.nodeOffset) };
  if (stage.template === 'foreach') {
    const v = valuesOf(node);
    if (!v) {
      // `foreach: ${list}`: resolve the list if we can, otherwise accept any item path.
      const ref = scalarText(node)?.match(/^\$\{\s*(.*?)\s*\}$/)?.[1];
      const r = ref ? resolve(scope, ref) : undefined;
      const listed = r?.status === 'ok' ? r.values[0] : undefined;
      const values = Array.isArray(listed) ? listed : listed && typeof listed === 'object' ? Object.values(listed) : undefined;
      scope.vars.set('item', { values: values ?? [], known: !!values, def });
      scope.vars.set('key', { values: [], known: false, def });
    } else {
      scope.vars.set('item', { values: v.values, known: true, def });
      if (v.keys) scope.vars.set('key', { values: v.keys, known: true, def });
    }
  } else if (stage.template === 'matrix' && isMap(node)) {
    // `${item.<dimension>}`: one candidate per value of each dimension.
    const dims: Record<string, unknown> = {};
    let known = true;
    for (const [dim, pair] of entries(node)) {
      const v = valuesOf(pair.value);
      if (!v) known = false;
      dims[dim] = v?.values[0];
    }
    scope.vars.set('item', { values: [dims], known, def });
    // DVC sets `key` for matrix stages as for foreach (the generated name's suffix, e.g. `a-1`).
    scope.vars.set('key', { values: [], known: false, def });
  }
  return scope;
}

/** What `${expr}` stands for in a scope. */
export function resolve(scope: VarsScope, expr: string): Resolution {
  if (!isSimpleReference(expr)) return { status: 'unknown' };
  const [head, ...rest] = splitKeyPath(expr);
  const entry = scope.vars.get(head);
  if (!entry) return scope.complete ? { status: 'undefined', missing: head } : { status: 'unknown' };
  if (!entry.known || rest.length === 0) return { status: 'ok', values: entry.values, def: entry.def };
  const hits: unknown[] = [];
  let missing = '';
  for (const v of entry.values) {
    const r = lookupPath(v, rest);
    if (r.found) hits.push(r.value);
    else missing = `${head}.${r.missing}`;
  }
  if (hits.length) return { status: 'ok', values: hits, def: { ...entry.def, keyPath: entry.def.keyPath ? [...entry.def.keyPath, ...rest] : undefined } };
  // Matrix values are only sampled (first of each dimension): deeper paths stay unchecked.
  if (entry.values.length === 0) return { status: 'unknown' };
  return { status: 'undefined', missing };
}

/** Every name path in a scope, for `${` completion. */
export function scopeNames(scope: VarsScope): { name: string; value: unknown }[] {
  const out: { name: string; value: unknown }[] = [];
  const walk = (prefix: string, value: unknown, depth: number) => {
    out.push({ name: prefix, value });
    if (depth > 6 || !value || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(`${prefix}.${k}`, v, depth + 1);
  };
  for (const [name, entry] of scope.vars) walk(name, entry.values[0], 0);
  return out;
}
