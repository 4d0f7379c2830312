import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { unknownKeyMessage } from './editDistance';
import {
  ARTIFACT_KEYS,
  BOOLEAN_OUT_OPTIONS,
  FOREACH_KEYS,
  INVALID_STAGE_NAME_CHARS,
  OUT_OPTION_KEYS,
  PLOT_OPTION_KEYS,
  STAGE_KEYS,
  STRING_OUT_OPTIONS,
  TOP_LEVEL_KEYS,
  TOP_PLOT_KEYS,
} from './dvcSchema';
import { hasInterpolation } from './interpolation';
import { DiagnosticSink, entries, isStringScalar, scalarText, typeName } from './yamlNodes';

// Structure checks: what DVC's schema would reject before running anything.

const isBool = (n: unknown) => isScalar(n) && typeof n.value === 'boolean';
const isNull = (n: unknown) => n === null || n === undefined || (isScalar(n) && n.value === null);
/** A whole-value `${...}` may stand for a list or a mapping; it is checked by interpolation. */
const isReference = (n: unknown) => isStringScalar(n) && hasInterpolation(String((n as { value: string }).value));

function wrongType(sink: DiagnosticSink, node: unknown, what: string, expected: string): void {
  sink.at(node, 'error', 'wrong-type', `${what} must be ${expected}, not ${typeName(node)}.`);
}

function checkKeys(sink: DiagnosticSink, map: YAMLMap, allowed: readonly string[], where: string): void {
  for (const [key, pair] of entries(map)) {
    if (!allowed.includes(key)) sink.at(pair.key, 'error', 'unknown-key', unknownKeyMessage(key, where, allowed));
  }
}

function checkStringList(sink: DiagnosticSink, node: unknown, what: string): void {
  if (isReference(node)) return;
  if (!isSeq(node)) return wrongType(sink, node, `'${what}'`, 'a list of paths');
  for (const item of node.items) if (!isScalar(item) || isNull(item)) wrongType(sink, item, `An entry of '${what}'`, 'a path');
}

function checkOutOptions(sink: DiagnosticSink, options: unknown, kind: string): void {
  if (isNull(options)) return;
  if (!isMap(options)) return wrongType(sink, options, `The options of a '${kind}' entry`, 'a mapping');
  const allowed = kind === 'plots' ? PLOT_OPTION_KEYS : OUT_OPTION_KEYS;
  for (const [key, pair] of entries(options)) {
    // DVC 3's schema still takes DVC 2's `checkpoint: <bool>` (and ignores it).
    if (key === 'checkpoint') {
      if (!isBool(pair.value)) wrongType(sink, pair.value ?? pair.key, `'checkpoint'`, 'true or false');
      else sink.at(pair.key, 'hint', 'deprecated-key', `'checkpoint' is DVC 2 syntax: DVC 3 accepts it and ignores it.`);
      continue;
    }
    if (!(allowed as readonly string[]).includes(key)) sink.at(pair.key, 'error', 'unknown-key', unknownKeyMessage(key, `a '${kind}' entry`, allowed));
    if (BOOLEAN_OUT_OPTIONS.has(key) && !isBool(pair.value) && !isReference(pair.value)) wrongType(sink, pair.value, `'${key}'`, 'true or false');
    if (STRING_OUT_OPTIONS.has(key) && !isScalar(pair.value)) wrongType(sink, pair.value, `'${key}'`, 'a string');
    if (key === 'labels' && !isSeq(pair.value)) wrongType(sink, pair.value, `'labels'`, 'a list');
  }
}

function checkOuts(sink: DiagnosticSink, node: unknown, kind: string): void {
  if (isReference(node)) return;
  if (!isSeq(node)) return wrongType(sink, node, `'${kind}'`, 'a list of paths');
  for (const item of node.items) {
    if (isScalar(item) && !isNull(item)) continue;
    if (isMap(item) && item.items.length === 1 && isScalar(item.items[0].key)) {
      checkOutOptions(sink, item.items[0].value, kind);
      continue;
    }
    wrongType(sink, item, `An entry of '${kind}'`, 'a path or `path: {options}`');
  }
}

function checkParams(sink: DiagnosticSink, node: unknown): void {
  if (isReference(node)) return;
  if (!isSeq(node)) return wrongType(sink, node, `'params'`, 'a list of keys or `file: [keys]`');
  for (const item of node.items) {
    if (isScalar(item) && !isNull(item)) continue;
    if (isMap(item)) {
      for (const pair of item.items) {
        if (!isNull(pair.value) && !isSeq(pair.value) && !isReference(pair.value)) wrongType(sink, pair.value, `The keys of a params file`, 'a list');
        if (isSeq(pair.value)) for (const k of pair.value.items) if (!isScalar(k) || isNull(k)) wrongType(sink, k, 'A params key', 'a string');
      }
      continue;
    }
    wrongType(sink, item, `An entry of 'params'`, 'a key or `file: [keys]`');
  }
}

function checkVars(sink: DiagnosticSink, node: unknown): void {
  if (!isSeq(node)) return wrongType(sink, node, `'vars'`, 'a list of files and mappings');
  for (const item of node.items) {
    if (!isStringScalar(item) && !isMap(item)) wrongType(sink, item, `An entry of 'vars'`, 'a file name or a mapping');
  }
}

function checkStageDefinition(sink: DiagnosticSink, def: YAMLMap, nameNode: Node, extraKeys: readonly string[], where: string): void {
  checkKeys(sink, def, [...STAGE_KEYS, ...extraKeys], where);
  if (!def.has('cmd')) sink.at(nameNode, 'error', 'missing-cmd', `Stage '${scalarText(nameNode)}' has no 'cmd'.`);
  for (const [key, pair] of entries(def)) {
    const v = pair.value;
    switch (key) {
      case 'cmd':
        if (isSeq(v)) {
          for (const c of v.items) if (!isScalar(c) || isNull(c)) wrongType(sink, c, 'A command', 'a string');
        } else if (!isScalar(v) || isNull(v)) wrongType(sink, v ?? pair.key, `'cmd'`, 'a string or a list of strings');
        break;
      case 'wdir':
      case 'desc':
        if (!isScalar(v) || isNull(v)) wrongType(sink, v ?? pair.key, `'${key}'`, 'a string');
        break;
      case 'frozen':
      case 'always_changed':
        if (!isBool(v) && !isReference(v)) wrongType(sink, v ?? pair.key, `'${key}'`, 'true or false');
        break;
      case 'deps':
      case 'outs':
      case 'metrics':
      case 'plots':
      case 'params':
        // DVC's stage schema wants a list: a key left empty (every entry commented out) is null, which DVC refuses.
        if (isNull(v)) {
          sink.at(pair.key, 'error', 'wrong-type', `'${key}' is empty (null): DVC needs a list here; remove the key or add an entry.`);
          break;
        }
        if (key === 'deps') checkStringList(sink, v, key);
        else if (key === 'params') checkParams(sink, v);
        else checkOuts(sink, v, key);
        break;
      case 'vars':
        checkVars(sink, v);
        break;
    }
  }
}

function checkForeach(sink: DiagnosticSink, stage: YAMLMap, nameNode: Node, name: string): void {
  checkKeys(sink, stage, FOREACH_KEYS, `foreach stage '${name}'`);
  const foreach = stage.get('foreach', true);
  if (isSeq(foreach) || isMap(foreach)) {
    if (foreach.items.length === 0) sink.at(foreach, 'error', 'bad-foreach', `'foreach' of stage '${name}' is empty: it generates no stage.`);
  } else if (!isReference(foreach)) {
    sink.at(foreach ?? nameNode, 'error', 'bad-foreach', `'foreach' must be a list, a mapping or a \`\${...}\` reference, not ${typeName(foreach)}.`);
  }
  const doNode = stage.get('do', true);
  if (!stage.has('do')) sink.at(nameNode, 'error', 'bad-foreach', `Stage '${name}' has 'foreach' but no 'do'.`);
  else if (!isMap(doNode)) wrongType(sink, doNode ?? nameNode, `'do'`, 'a stage definition (a mapping)');
  else checkStageDefinition(sink, doNode, nameNode, [], `the 'do' of stage '${name}'`);
}

function checkMatrix(sink: DiagnosticSink, stage: YAMLMap, name: string): void {
  const matrix = stage.get('matrix', true);
  if (isReference(matrix)) return;
  if (!isMap(matrix) || matrix.items.length === 0) {
    sink.at(matrix ?? stage, 'error', 'bad-matrix', `'matrix' of stage '${name}' must be a mapping of names to lists of values.`);
    return;
  }
  for (const pair of matrix.items) {
    const v = pair.value;
    if (isSeq(v) && v.items.length === 0) sink.at(v, 'error', 'bad-matrix', `Matrix dimension '${scalarText(pair.key)}' is empty: the stage generates nothing.`);
    else if (!isSeq(v) && !isReference(v)) sink.at(v ?? pair.key, 'error', 'bad-matrix', `Matrix dimension '${scalarText(pair.key)}' must be a list or a \`\${...}\` reference, not ${typeName(v)}.`);
  }
}

/** The schema checks of one entry of `stages:` (what DVC's schema says about that stage alone). */
export function checkStage(sink: DiagnosticSink, pair: Pair): void {
  const nameNode = pair.key as Node;
  const name = scalarText(nameNode);
  if (name === undefined) return;
  if (!name.trim() || INVALID_STAGE_NAME_CHARS.test(name)) {
    sink.at(nameNode, 'error', 'invalid-stage-name', `Invalid stage name '${name}': it must not be empty nor contain \\ / @ or :.`);
  }
  const body = pair.value;
  if (!isMap(body)) return wrongType(sink, body ?? nameNode, `Stage '${name}'`, 'a mapping with at least a cmd');
  const hasForeach = body.has('foreach');
  const hasMatrix = body.has('matrix');
  if (hasForeach && hasMatrix) sink.at(nameNode, 'error', 'bad-matrix', `Stage '${name}' has both 'foreach' and 'matrix'; use one.`);
  if (hasForeach) checkForeach(sink, body, nameNode, name);
  else {
    if (hasMatrix) checkMatrix(sink, body, name);
    checkStageDefinition(sink, body, nameNode, hasMatrix ? ['matrix'] : [], `stage '${name}'`);
  }
}

function checkStages(sink: DiagnosticSink, stages: unknown): void {
  if (!isMap(stages)) return isNull(stages) ? undefined : wrongType(sink, stages, `'stages'`, 'a mapping of stage names to stages');
  for (const pair of stages.items) checkStage(sink, pair);
}

function checkTopPlots(sink: DiagnosticSink, node: unknown): void {
  if (!isSeq(node)) return wrongType(sink, node, `'plots'`, 'a list');
  for (const item of node.items) {
    if (isScalar(item) && !isNull(item)) continue;
    if (isMap(item) && item.items.length === 1) {
      const def = item.items[0].value;
      if (isNull(def)) continue;
      if (!isMap(def)) {
        wrongType(sink, def, 'A plot definition', 'a mapping (x, y, template...)');
        continue;
      }
      checkKeys(sink, def, TOP_PLOT_KEYS, `plot '${scalarText(item.items[0].key)}'`);
      for (const [key, p] of entries(def)) {
        if ((key === 'x' || key === 'y') && !isScalar(p.value) && !isMap(p.value) && !isSeq(p.value)) wrongType(sink, p.value ?? p.key, `'${key}'`, 'a field, a list of fields or {file: fields}');
        if (key !== 'x' && key !== 'y' && !isScalar(p.value)) wrongType(sink, p.value ?? p.key, `'${key}'`, 'a string');
      }
      continue;
    }
    wrongType(sink, item, `An entry of 'plots'`, 'a path or `id: {x, y, template}`');
  }
}

function checkArtifacts(sink: DiagnosticSink, node: unknown): void {
  if (!isMap(node)) return wrongType(sink, node, `'artifacts'`, 'a mapping of names to artifacts');
  for (const [name, pair] of entries(node)) {
    const a = pair.value;
    if (!isMap(a)) {
      wrongType(sink, a ?? pair.key, `Artifact '${name}'`, 'a mapping with a path');
      continue;
    }
    checkKeys(sink, a, ARTIFACT_KEYS, `artifact '${name}'`);
    if (!a.has('path')) sink.at(pair.key, 'error', 'missing-path', `Artifact '${name}' has no 'path'.`);
  }
}

/**
 * Schema checks of a dvc.yaml document root. `stagesChecked`, when given, stands in for
 * the checks of the `stages` pair it is called with (their results cached stage by stage).
 */
export function checkDvcStructure(sink: DiagnosticSink, root: unknown, stagesChecked?: (pair: Pair) => boolean): void {
  if (isNull(root)) return;
  if (!isMap(root)) return wrongType(sink, root, 'dvc.yaml', 'a mapping (stages, vars, params, metrics, plots, artifacts)');
  checkKeys(sink, root, TOP_LEVEL_KEYS, 'dvc.yaml');
  for (const [key, pair] of entries(root)) {
    const v = pair.value;
    if (key === 'stages') {
      if (!stagesChecked?.(pair)) checkStages(sink, v);
    }
    else if (key === 'vars') checkVars(sink, v);
    else if ((key === 'params' || key === 'metrics') && !isNull(v)) checkStringList(sink, v, key);
    else if (key === 'plots' && !isNull(v)) checkTopPlots(sink, v);
    else if (key === 'artifacts' && !isNull(v)) checkArtifacts(sink, v);
  }
}
