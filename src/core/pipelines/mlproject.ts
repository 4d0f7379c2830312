import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import { unknownKeyMessage } from './editDistance';
import type { PipelineFs } from './pipelineFs';
import type { ParsedYaml } from './yamlDocument';
import { DiagnosticSink, entries, lastEntries, lastValue, scalarText, spanOf, typeName } from './yamlNodes';

// MLflow's MLproject file (mlflow/projects/_project_spec.py): name, entry_points with
// typed parameters and a command, and one environment. PyYAML keeps the last of duplicate
// keys, so the model reads every map through lastEntries/lastValue, as MLflow sees it.

export const MLPROJECT_KEYS = ['name', 'entry_points', 'conda_env', 'python_env', 'docker_env'] as const;
export const ENTRY_POINT_KEYS = ['parameters', 'command'] as const;
export const PARAMETER_KEYS = ['type', 'default'] as const;
export const PARAMETER_TYPES = ['float', 'int', 'string', 'str', 'path', 'uri'] as const;
export const DOCKER_ENV_KEYS = ['image', 'volumes', 'environment', 'run_params'] as const;

export interface MlParameter {
  name: string;
  keySpan: [number, number];
  type: string;
  default: unknown;
}

export interface MlEntryPoint {
  name: string;
  keySpan: [number, number];
  pairSpan: [number, number];
  parameters: MlParameter[];
  command: Node | undefined;
}

export interface MlProject {
  root: YAMLMap | undefined;
  entryPoints: MlEntryPoint[];
}

/** `{name}` references in a command (Python format syntax; `{{` is a literal brace). */
export function commandReferences(source: string, base: number): { name: string; start: number; end: number }[] {
  const out: { name: string; start: number; end: number }[] = [];
  for (const m of source.matchAll(/\{\{|\}\}|\{([^{}]*)\}/g)) {
    if (m[1] === undefined) continue;
    const i = m.index ?? 0;
    out.push({ name: m[1].trim(), start: base + i, end: base + i + m[0].length });
  }
  return out;
}

export function buildMlProject(parsed: ParsedYaml): MlProject {
  const root = isMap(parsed.doc.contents) ? parsed.doc.contents : undefined;
  const project: MlProject = { root, entryPoints: [] };
  const eps = root && lastValue(root, 'entry_points');
  if (!isMap(eps)) return project;
  for (const [name, pair] of lastEntries(eps)) {
    const keySpan = spanOf(pair.key);
    if (!keySpan) continue;
    const body = isMap(pair.value) ? pair.value : undefined;
    const params: MlParameter[] = [];
    const paramsNode = body && lastValue(body, 'parameters');
    if (isMap(paramsNode)) {
      for (const [pname, pp] of lastEntries(paramsNode)) {
        const span = spanOf(pp.key);
        if (!span) continue;
        const v = pp.value;
        const type = isMap(v) ? (scalarText(lastValue(v, 'type')) ?? 'string') : (scalarText(v) ?? 'string');
        const def = isMap(v) && v.has('default') ? (lastValue(v, 'default') as Node | null)?.toJSON?.() : undefined;
        params.push({ name: pname, keySpan: span, type, default: def });
      }
    }
    const valueSpan = spanOf(pair.value);
    project.entryPoints.push({
      name,
      keySpan,
      pairSpan: [keySpan[0], valueSpan ? valueSpan[1] : keySpan[1]],
      parameters: params,
      command: (body && lastValue(body, 'command')) as Node | undefined,
    });
  }
  return project;
}

function defaultFits(type: string, node: unknown): boolean {
  if (!isScalar(node) || node.value === null) return true;
  const v = node.value;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (type === 'float') return Number.isFinite(n);
  if (type === 'int') return Number.isInteger(n);
  return true;
}

/** MLflow's loader reads the keys it knows and ignores the rest: a typo is likely, an error it is not. */
function ignoredKeyMessage(key: string, where: string, allowed: readonly string[]): string {
  return `MLflow ignores this key. ${unknownKeyMessage(key, where, allowed)}`;
}

function checkParameters(sink: DiagnosticSink, node: unknown, ep: string): void {
  if (!isMap(node)) {
    sink.at(node, 'error', 'wrong-type', `The parameters of entry point '${ep}' must be a mapping, not ${typeName(node)}.`);
    return;
  }
  for (const [name, pair] of lastEntries(node)) {
    const v = pair.value;
    let typeNode: unknown = v;
    if (isMap(v)) {
      for (const [k, kp] of entries(v)) if (!(PARAMETER_KEYS as readonly string[]).includes(k)) sink.at(kp.key, 'warning', 'ignored-key', ignoredKeyMessage(k, `parameter '${name}'`, PARAMETER_KEYS));
      typeNode = lastValue(v, 'type');
    } else if (!isScalar(v) || typeof v.value !== 'string') {
      // MLflow's Parameter() takes a type name or a mapping, and calls .get() on anything else.
      sink.at(v ?? pair.key, 'error', 'wrong-type', `Parameter '${name}' must be a type name or {type, default}, not ${typeName(v)}.`);
      continue;
    }
    const type = scalarText(typeNode) ?? 'string';
    // MLflow treats only path and uri specially and passes any other type through.
    if (typeNode !== undefined && typeNode !== null && !(PARAMETER_TYPES as readonly string[]).includes(type)) {
      sink.at(typeNode, 'hint', 'bad-param-type', `MLflow passes parameters of type '${type}' through unchecked; it checks only path and uri (float, int, string are the documented types).`);
      continue;
    }
    const def = isMap(v) ? lastValue(v, 'default') : undefined;
    // MLflow does not check defaults; the script's float()/int() would refuse this one.
    if (def !== undefined && !defaultFits(type, def)) sink.at(def, 'warning', 'bad-default', `Default ${scalarText(def) ?? ''} of parameter '${name}' is not a${type === 'int' ? 'n int' : ' float'}.`);
  }
}

function checkEntryPoint(sink: DiagnosticSink, text: string, ep: MlEntryPoint, body: unknown): void {
  if (!isMap(body)) {
    sink.at(body ?? ep.keySpan, 'error', 'wrong-type', `Entry point '${ep.name}' must be a mapping with a command.`);
    return;
  }
  for (const [k, kp] of entries(body)) if (!(ENTRY_POINT_KEYS as readonly string[]).includes(k)) sink.at(kp.key, 'warning', 'ignored-key', ignoredKeyMessage(k, `entry point '${ep.name}'`, ENTRY_POINT_KEYS));
  if (body.has('parameters')) checkParameters(sink, lastValue(body, 'parameters'), ep.name);
  const cmd = ep.command;
  if (!body.has('command')) {
    sink.at(ep.keySpan, 'error', 'missing-command', `Entry point '${ep.name}' has no 'command'.`);
    return;
  }
  if (!isScalar(cmd) || typeof cmd.value !== 'string') {
    sink.at(cmd ?? ep.keySpan, 'error', 'wrong-type', `The command of entry point '${ep.name}' must be a string.`);
    return;
  }
  const span = spanOf(cmd);
  if (!span) return;
  const known = new Set(ep.parameters.map((p) => p.name));
  for (const ref of commandReferences(text.slice(span[0], span[1]), span[0])) {
    if (!known.has(ref.name)) sink.at([ref.start, ref.end], 'error', 'undefined-param', `Command uses {${ref.name}}, which is no parameter of entry point '${ep.name}'.`);
  }
}

function checkEnvFile(sink: DiagnosticSink, node: unknown, key: string, fs: PipelineFs | undefined): void {
  const file = scalarText(node);
  if (file === undefined) {
    sink.at(node, 'error', 'wrong-type', `'${key}' must be a file name, not ${typeName(node)}.`);
    return;
  }
  if (fs && !fs.exists(file)) sink.at(node, 'error', 'env-file-missing', `Environment file '${file}' does not exist.`);
}

export function checkMlProject(sink: DiagnosticSink, parsed: ParsedYaml, text: string, fs: PipelineFs | undefined): void {
  const root = parsed.doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    // MLflow's loader calls .keys() on what PyYAML gives, and an empty file gives None.
    if (!parsed.doc.errors.length) sink.at([0, Math.min(text.length, 1)], 'error', 'empty-mlproject', 'MLproject is empty: MLflow cannot load it (give at least name and entry_points).');
    return;
  }
  if (!isMap(root)) {
    sink.at(root, 'error', 'wrong-type', `MLproject must be a mapping (name, entry_points, ...), not ${typeName(root)}.`);
    return;
  }
  const project = buildMlProject(parsed);
  // PyYAML keeps the last of duplicate keys and says nothing: a likely mistake, not a refusal.
  for (const d of parsed.duplicateKeys) sink.at(d.span, 'warning', 'duplicate-key', `Duplicate key: MLflow uses the last '${d.key}' and ignores the earlier ones.`);
  const envs: Node[] = [];
  for (const [key, pair] of lastEntries(root)) {
    const v = pair.value;
    if (!(MLPROJECT_KEYS as readonly string[]).includes(key)) sink.at(pair.key, 'warning', 'ignored-key', ignoredKeyMessage(key, 'MLproject', MLPROJECT_KEYS));
    else if (key === 'name' && !isScalar(v)) sink.at(v ?? pair.key, 'warning', 'wrong-type', `'name' should be a string (MLflow keeps whatever it is as the project name).`);
    else if (key === 'conda_env' || key === 'python_env') {
      envs.push(pair.key as Node);
      checkEnvFile(sink, v, key, fs);
    } else if (key === 'docker_env') {
      envs.push(pair.key as Node);
      if (!isMap(v)) sink.at(v ?? pair.key, 'error', 'wrong-type', `'docker_env' must be a mapping with an image.`);
      else {
        for (const [k, kp] of entries(v)) if (!(DOCKER_ENV_KEYS as readonly string[]).includes(k)) sink.at(kp.key, 'warning', 'ignored-key', ignoredKeyMessage(k, 'docker_env', DOCKER_ENV_KEYS));
        if (!v.has('image')) sink.at(pair.key, 'error', 'missing-image', `'docker_env' has no 'image'.`);
      }
    } else if (key === 'entry_points' && !isMap(v)) sink.at(v ?? pair.key, 'error', 'wrong-type', `'entry_points' must be a mapping of names to entry points.`);
  }
  // MLflow's loader refuses a project with more than one environment field.
  for (const extra of envs.slice(1)) sink.at(extra, 'error', 'multiple-envs', 'An MLproject has at most one of conda_env, python_env and docker_env.');
  const eps = lastValue(root, 'entry_points');
  if (!isMap(eps)) return;
  for (const ep of project.entryPoints) {
    const pair = eps.items.find((p) => spanOf(p.key)?.[0] === ep.keySpan[0]);
    checkEntryPoint(sink, text, ep, pair?.value);
  }
}
