import { OUT_OPTION_KEYS, KEY_DOCS, PLOT_OPTION_KEYS, STAGE_KEYS, TOP_LEVEL_KEYS } from './dvcSchema';
import type { DvcModel } from './dvcModel';
import type { CompletionEntry } from './features';
import { buildMlProject, ENTRY_POINT_KEYS, MLPROJECT_KEYS, PARAMETER_KEYS, PARAMETER_TYPES } from './mlproject';
import { allKeyPaths, loadParamsFile, showValue } from './paramsFile';
import { joinPath, type PipelineFs } from './pipelineFs';
import { globalScope, scopeNames, stageScope } from './varsContext';
import type { ParsedYaml } from './yamlDocument';
import { cursorContext, type CursorContext } from './yamlPath';

const BOOLEAN_KEYS = new Set(['cache', 'persist', 'push', 'frozen', 'always_changed']);
const PLOT_TEMPLATES = ['linear', 'simple', 'scatter', 'smooth', 'confusion', 'confusion_normalized', 'bar_horizontal', 'bar_horizontal_sorted'];
const OUT_LISTS = new Set(['outs', 'metrics', 'plots']);

function keys(names: readonly string[], present: Set<string> = new Set()): CompletionEntry[] {
  return names.filter((n) => !present.has(n)).map((n) => ({ label: n, kind: 'key', documentation: KEY_DOCS[n], insertText: `${n}: ` }));
}

/** Text of an unclosed `${` before the cursor, or undefined. */
function openInterpolation(lineBefore: string): string | undefined {
  const open = lineBefore.lastIndexOf('${');
  return open >= 0 && lineBefore.indexOf('}', open) < 0 ? lineBefore.slice(open + 2) : undefined;
}

function pathCompletions(fs: PipelineFs, typed: string, from: number, wdir: string): CompletionEntry[] {
  if (!fs.list) return [];
  const slash = typed.lastIndexOf('/');
  const dir = slash >= 0 ? typed.slice(0, slash + 1) : '';
  let names: string[];
  try {
    names = fs.list(joinPath(wdir, dir));
  } catch {
    return [];
  }
  return names
    .filter((n) => !n.startsWith('.'))
    .map((n) => ({ label: dir + n, kind: n.endsWith('/') ? 'folder' : 'file', replaceFrom: from }));
}

/** Stage keys already written, so completion does not offer them twice. */
function presentKeys(model: DvcModel, offset: number): Set<string> {
  const stage = model.stages.find((s) => offset >= s.pairSpan[0] && offset <= s.pairSpan[1]);
  const present = new Set<string>();
  if (stage?.definition) for (const p of stage.definition.items) present.add(String((p.key as { value?: unknown })?.value));
  return present;
}

export function dvcCompletion(model: DvcModel, text: string, offset: number, fs: PipelineFs | undefined): CompletionEntry[] {
  const ctx = cursorContext(text, offset);
  const stage = model.stages.find((s) => s.name === ctx.path[1] && ctx.path[0] === 'stages');
  const wdir = stage?.wdir ?? '';

  const interp = openInterpolation(ctx.lineBefore);
  if (interp !== undefined) {
    const global = globalScope(model, fs);
    const scope = stage ? stageScope(global, stage, fs) : global;
    const from = offset - interp.length;
    return scopeNames(scope).map(({ name, value }) => ({ label: name, kind: 'variable', detail: showValue(value), replaceFrom: from }));
  }

  const { path } = ctx;
  const last = path[path.length - 1];
  const inStage = path[0] === 'stages' && path.length >= 2;
  const stageDepth = inStage && path[2] === 'do' ? 3 : 2; // keys of the definition sit here

  if (ctx.valueKey !== undefined && !ctx.isItem) return valueCompletions(ctx);
  if (ctx.valueKey !== undefined && ctx.isItem) {
    // `- path: ` inside outs: nothing to offer for the value of a path key.
    return valueCompletions(ctx);
  }

  if (path.length === 0 && !ctx.isItem) return keys(TOP_LEVEL_KEYS);
  if (inStage && path.length === 2 && !ctx.isItem) return [...keys(STAGE_KEYS, presentKeys(model, offset)), ...keys(['foreach', 'do', 'matrix'])];
  if (inStage && path.length === 3 && path[2] === 'do' && !ctx.isItem) return keys(STAGE_KEYS, presentKeys(model, offset));

  if (inStage && path.length === stageDepth + 1 && ctx.isItem) {
    const typed = ctx.lineBefore.replace(/^\s*-\s*/, '');
    const from = offset - typed.length;
    if (last === 'deps' && fs) return pathCompletions(fs, typed, from, wdir);
    if (last === 'params' && fs) {
      const file = loadParamsFile(fs, joinPath(wdir, 'params.yaml'));
      return allKeyPaths(file?.data).map((k) => ({ label: k, kind: 'param', detail: showValue(keyValue(file?.data, k)), replaceFrom: from }));
    }
  }
  if (inStage && path.length === stageDepth + 2 && path[stageDepth] === 'params' && ctx.isItem && fs) {
    const typed = ctx.lineBefore.replace(/^\s*-\s*/, '');
    const file = loadParamsFile(fs, joinPath(wdir, last));
    return allKeyPaths(file?.data).map((k) => ({ label: k, kind: 'param', detail: showValue(keyValue(file?.data, k)), replaceFrom: offset - typed.length }));
  }
  if (inStage && path.length === stageDepth + 2 && OUT_LISTS.has(path[stageDepth]) && !ctx.isItem) {
    return keys(path[stageDepth] === 'plots' ? PLOT_OPTION_KEYS : OUT_OPTION_KEYS);
  }
  return [];
}

function keyValue(data: unknown, dotted: string): unknown {
  let cur = data;
  for (const k of dotted.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

function valueCompletions(ctx: CursorContext): CompletionEntry[] {
  const key = ctx.valueKey ?? '';
  if (BOOLEAN_KEYS.has(key)) return ['true', 'false'].map((v) => ({ label: v, kind: 'value' }));
  if (key === 'template') return PLOT_TEMPLATES.map((v) => ({ label: v, kind: 'value' }));
  return [];
}

export function mlprojectCompletion(parsed: ParsedYaml, text: string, offset: number, fs: PipelineFs | undefined): CompletionEntry[] {
  const ctx = cursorContext(text, offset);
  const { path } = ctx;
  const open = ctx.lineBefore.lastIndexOf('{');
  if (open >= 0 && ctx.lineBefore.indexOf('}', open) < 0 && path[0] === 'entry_points' && (ctx.valueKey === 'command' || path[2] === 'command')) {
    const ep = buildMlProject(parsed).entryPoints.find((e) => e.name === path[1]);
    return (ep?.parameters ?? []).map((p) => ({ label: p.name, kind: 'param', detail: p.type, insertText: `${p.name}}` }));
  }
  if (ctx.valueKey !== undefined) {
    if (ctx.valueKey === 'type' || (path[0] === 'entry_points' && path[2] === 'parameters' && path.length === 3)) {
      return PARAMETER_TYPES.filter((t) => t !== 'str').map((t) => ({ label: t, kind: 'value' }));
    }
    if ((ctx.valueKey === 'conda_env' || ctx.valueKey === 'python_env') && path.length === 0 && fs?.list) {
      return fs.list('').filter((n) => /\.ya?ml$/.test(n)).map((n) => ({ label: n, kind: 'file' }));
    }
    return [];
  }
  if (path.length === 0) return keys(MLPROJECT_KEYS);
  if (path[0] === 'entry_points' && path.length === 2) return keys(ENTRY_POINT_KEYS);
  if (path[0] === 'entry_points' && path[2] === 'parameters' && path.length === 4) return keys(PARAMETER_KEYS);
  return [];
}
