import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { findInterpolations, hasInterpolation, type Interpolation } from './interpolation';
import { joinPath, normalizePath } from './pipelineFs';
import type { ParsedYaml } from './yamlDocument';
import { entries, scalarText, spanOf } from './yamlNodes';
import { pushAll } from '../common/arrays';

export type OutKind = 'outs' | 'metrics' | 'plots';

/** A path written in a stage (a dep or an out), where it is, and what it means. */
export interface PathRef {
  raw: string;
  /** Relative to the dvc.yaml's folder, the stage's wdir applied; undefined when it cannot be (`${}`, a URL, absolute). */
  resolved: string | undefined;
  span: [number, number];
  stage: DvcStage;
}

export interface OutRef extends PathRef {
  kind: OutKind;
}

/** A params key a stage uses, in the params file it comes from. */
export interface ParamRef {
  /** The params file, relative to the dvc.yaml's folder. */
  file: string;
  /** undefined for `- file.yaml:` with no list (every param of the file). */
  key: string | undefined;
  span: [number, number];
  stage: DvcStage;
}

export interface DvcStage {
  name: string;
  keySpan: [number, number];
  pairSpan: [number, number];
  /** The stage definition: the stage map itself, or its `do` for foreach. */
  definition: YAMLMap | undefined;
  /** The map holding `foreach`/`matrix` (the stage map), when templated. */
  template: 'foreach' | 'matrix' | undefined;
  templateNode: Node | undefined;
  /** Relative to the dvc.yaml's folder. */
  wdir: string;
  deps: PathRef[];
  outs: OutRef[];
  params: ParamRef[];
  /** `${...}` in the stage's values, for the undefined-reference check and hover. */
  interpolations: Interpolation[];
  /** Stage-level `vars` node, if any. */
  vars: Node | undefined;
  /**
   * What to add to the ranges of the YAML nodes above (definition, templateNode, vars) to
   * get offsets in the file: 0, except in a stage the incremental validation parsed alone
   * (dvcStageCache.ts) and placed at its offset without copying its nodes.
   */
  nodeOffset: number;
}

export interface DvcModel {
  parsed: ParsedYaml;
  text: string;
  root: YAMLMap | undefined;
  stages: DvcStage[];
  /** Top-level `vars` node (a list). */
  vars: Node | undefined;
}

/** What the semantic checks read of a model: its stages and the top-level vars. */
export type DvcStages = Pick<DvcModel, 'stages' | 'vars'>;

/** `s3://...`, `/abs`, `C:\...`: paths DVC does not take relative to the project. */
function isExternal(p: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

function resolvePath(raw: string, wdir: string): string | undefined {
  if (hasInterpolation(raw) || isExternal(raw) || !raw.trim()) return undefined;
  const r = joinPath(wdir, raw);
  return r.startsWith('..') ? undefined : r;
}

/** The path of a list entry: a string, or the single key of `{path: {options}}`. */
export function listEntryPath(item: unknown): { raw: string; node: Node } | undefined {
  if (isScalar(item)) {
    const raw = scalarText(item);
    return raw !== undefined ? { raw, node: item } : undefined;
  }
  if (isMap(item) && item.items.length >= 1) {
    const key = item.items[0].key;
    const raw = scalarText(key);
    return raw !== undefined ? { raw, node: key as Node } : undefined;
  }
  return undefined;
}

/** Walks every scalar under a node (keys included) for `${...}`. */
function collectInterpolations(node: unknown, text: string, out: Interpolation[], depth = 0): void {
  if (depth > 50 || !node) return;
  if (isScalar(node)) {
    const span = spanOf(node);
    if (span && typeof node.value === 'string' && node.value.includes('${')) pushAll(out, findInterpolations(text.slice(span[0], span[1]), span[0]));
  } else if (isMap(node)) {
    for (const pair of node.items) {
      collectInterpolations(pair.key, text, out, depth + 1);
      collectInterpolations(pair.value, text, out, depth + 1);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) collectInterpolations(item, text, out, depth + 1);
  }
}

/** One stage of the model, from its pair in `stages:`; `text` is what the pair's offsets index. */
export function buildStage(name: string, pair: Pair, text: string): DvcStage {
  const keyNode = pair.key as Node;
  const keySpan = spanOf(keyNode) ?? [0, 0];
  const valueSpan = spanOf(pair.value);
  const body = isMap(pair.value) ? pair.value : undefined;
  const template = body?.has('foreach') ? 'foreach' : body?.has('matrix') ? 'matrix' : undefined;
  const doNode: unknown = body?.get('do', true);
  const definition = template === 'foreach' ? (isMap(doNode) ? doNode : undefined) : body;
  const stage: DvcStage = {
    name,
    keySpan,
    pairSpan: [keySpan[0], valueSpan ? valueSpan[1] : keySpan[1]],
    definition,
    template,
    templateNode: template ? (body?.get(template, true) as Node | undefined) : undefined,
    wdir: '',
    deps: [],
    outs: [],
    params: [],
    interpolations: [],
    vars: definition?.get('vars', true) as Node | undefined,
    nodeOffset: 0,
  };
  if (!definition) return stage;
  const wdirRaw = scalarText(definition.get('wdir', true));
  // A wdir with `${}` is unknowable here: resolve nothing rather than guess.
  const wdirKnown = wdirRaw === undefined || !hasInterpolation(wdirRaw);
  stage.wdir = wdirRaw && wdirKnown ? normalizePath(wdirRaw) : '';
  const resolve = (raw: string) => (wdirKnown ? resolvePath(raw, stage.wdir) : undefined);

  for (const [key, p] of entries(definition)) {
    if (key === 'vars') continue; // vars define names; they are not interpolated
    collectInterpolations(p.value, text, stage.interpolations);
    if (!isSeq(p.value)) continue;
    if (key === 'deps') {
      for (const item of p.value.items) {
        const raw = scalarText(item);
        const span = spanOf(item);
        if (raw !== undefined && span) stage.deps.push({ raw, resolved: resolve(raw), span, stage });
      }
    } else if (key === 'outs' || key === 'metrics' || key === 'plots') {
      for (const item of p.value.items) {
        const entry = listEntryPath(item);
        const span = spanOf(entry?.node);
        if (entry && span) stage.outs.push({ raw: entry.raw, resolved: resolve(entry.raw), span, stage, kind: key });
      }
    } else if (key === 'params') {
      const defaultFile = joinPath(stage.wdir, 'params.yaml');
      for (const item of p.value.items) {
        if (isScalar(item)) {
          const k = scalarText(item);
          const span = spanOf(item);
          if (k !== undefined && span) stage.params.push({ file: defaultFile, key: k, span, stage });
        } else if (isMap(item)) {
          for (const [file, fp] of entries(item)) {
            const fileSpan = spanOf(fp.key);
            const fileRel = wdirKnown && !hasInterpolation(file) ? joinPath(stage.wdir, file) : '';
            if (!fileSpan || !fileRel) continue;
            if (isSeq(fp.value)) {
              for (const keyNode of fp.value.items) {
                const k = scalarText(keyNode);
                const span = spanOf(keyNode);
                if (k !== undefined && span) stage.params.push({ file: fileRel, key: k, span, stage });
              }
            } else {
              stage.params.push({ file: fileRel, key: undefined, span: fileSpan, stage });
            }
          }
        }
      }
    }
  }
  return stage;
}

/** The pipeline as written: stages with their paths, params and references, all with offsets. */
export function buildDvcModel(parsed: ParsedYaml, text: string): DvcModel {
  const root = isMap(parsed.doc.contents) ? parsed.doc.contents : undefined;
  const model: DvcModel = { parsed, text, root, stages: [], vars: root?.get('vars', true) as Node | undefined };
  const stages = root?.get('stages', true);
  if (!isMap(stages)) return model;
  for (const [name, pair] of entries(stages)) {
    if (!spanOf(pair.key)) continue;
    model.stages.push(buildStage(name, pair, text));
  }
  return model;
}

const moved = (span: [number, number], delta: number): [number, number] => [span[0] + delta, span[1] + delta];

/**
 * A copy of a stage with every offset moved by `delta` (the YAML nodes are shared, their
 * move is recorded in nodeOffset): a stage an edit above moved, reused without a re-parse.
 */
export function shiftStage(stage: DvcStage, delta: number): DvcStage {
  const copy: DvcStage = {
    ...stage,
    keySpan: moved(stage.keySpan, delta),
    pairSpan: moved(stage.pairSpan, delta),
    interpolations: stage.interpolations.map((r) => ({ expr: r.expr, start: r.start + delta, end: r.end + delta })),
    nodeOffset: stage.nodeOffset + delta,
  };
  copy.deps = stage.deps.map((d) => ({ ...d, span: moved(d.span, delta), stage: copy }));
  copy.outs = stage.outs.map((o) => ({ ...o, span: moved(o.span, delta), stage: copy }));
  copy.params = stage.params.map((p) => ({ ...p, span: moved(p.span, delta), stage: copy }));
  return copy;
}

/**
 * Moves every offset of a stage by `delta` in place: for a stage only its owner holds (the
 * stage-by-stage validation's cache), without the copy an edit of a 2,000-stage file would
 * otherwise make of every stage below it.
 */
export function moveStage(stage: DvcStage, delta: number): void {
  const move = (span: [number, number]) => {
    span[0] += delta;
    span[1] += delta;
  };
  move(stage.keySpan);
  move(stage.pairSpan);
  for (const r of stage.interpolations) {
    r.start += delta;
    r.end += delta;
  }
  for (const refs of [stage.deps, stage.outs, stage.params]) for (const r of refs) move(r.span);
  stage.nodeOffset += delta;
}
