// The stages DVC actually runs: foreach/matrix expanded and `${}` substituted, the way
// dvc/parsing does it, so status, the Pipelines view and reruns all see `train@small`
// and the real paths instead of the template.
import { isMap, type Node } from 'yaml';
import type { DvcModel, DvcStage } from './dvcModel';
import { findInterpolations } from './interpolation';
import { lookupPath, splitKeyPath } from './paramsFile';
import { joinPath, type PipelineFs } from './pipelineFs';
import { globalScope, stageScope } from './varsContext';
import { entries } from './yamlNodes';

export interface ExpandedStage {
  /** As DVC names it: `train`, `train@small`, `train@lr0.1-true`. */
  name: string;
  /** Where it is written in dvc.yaml. */
  source: DvcStage;
  /** The `foreach`/`matrix` key (`small`) for an expanded stage. */
  key?: string;
  cmd: string;
  /** As written (`.` when absent), relative to the dvc.yaml's folder. */
  wdir: string;
  deps: string[];
  outs: { path: string; cache: boolean }[];
  /** One entry per params file, keys as DVC records them. */
  params: { file: string; keys: string[] | 'all' }[];
  frozen: boolean;
  alwaysChanged: boolean;
  /** A `${}` that could not be resolved is left in place; status for it is a guess. */
  unresolved: boolean;
}

interface Var {
  value: unknown;
  /** The params/vars file it came from, relative to the dvc.yaml; '' for inline vars. */
  file: string;
}

const MAX_EXPANSIONS = 1000;
const DEFAULT_PARAMS = 'params.yaml';

function toJs(node: unknown): unknown {
  try {
    return (node as Node | undefined)?.toJSON?.();
  } catch {
    return undefined;
  }
}

/** DVC's to_str: booleans lowercase, everything else as Python would print simple values. */
function toStr(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const isComposite = (v: unknown) => !!v && typeof v === 'object';

class Resolver {
  unresolved = false;
  constructor(private readonly vars: Map<string, Var>) {}

  lookup(expr: string): { found: boolean; value?: unknown } {
    const [head, ...rest] = splitKeyPath(expr.trim());
    const v = head === undefined ? undefined : this.vars.get(head);
    if (!v) return { found: false };
    const hit = lookupPath(v.value, rest);
    if (!hit.found) return { found: false };
    return { found: true, value: hit.value };
  }

  /** A whole-string `${x}` keeps x's type; inside a longer string it becomes text. */
  value(v: unknown): unknown {
    if (typeof v === 'string') {
      const refs = findInterpolations(v, 0);
      if (!refs.length) return v.replace(/\\\$\{/g, '${');
      if (refs.length === 1 && refs[0].start === 0 && refs[0].end === v.length) {
        const r = this.lookup(refs[0].expr);
        if (r.found) return r.value;
        this.unresolved = true;
        return v;
      }
      let out = '';
      let last = 0;
      for (const ref of refs) {
        const r = this.lookup(ref.expr);
        if (!r.found) this.unresolved = true;
        out += v.slice(last, ref.start) + (r.found ? toStr(r.value) : v.slice(ref.start, ref.end));
        last = ref.end;
      }
      return out + v.slice(last);
    }
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[String(this.value(k))] = this.value(x);
      return o;
    }
    return v;
  }
}

function stageVars(model: DvcModel, stage: DvcStage, fs: PipelineFs | undefined): Map<string, Var> {
  const scope = stageScope(globalScope(model, fs), { ...stage, template: undefined, templateNode: undefined }, fs);
  const vars = new Map<string, Var>();
  for (const [name, e] of scope.vars) vars.set(name, { value: e.values[0], file: e.def.file });
  return vars;
}

/** The `name@key` → item pairs a foreach/matrix generates, as dvc/parsing names them. */
function iterations(stage: DvcStage, resolver: Resolver): { key: string; item: unknown; mapKey?: string }[] | undefined {
  const node = stage.templateNode;
  if (stage.template === 'foreach') {
    let iterable: unknown = toJs(node);
    if (typeof iterable === 'string') iterable = resolver.value(iterable);
    if (Array.isArray(iterable)) {
      // Simple lists are keyed by their values, lists of maps or lists by their index.
      const byIndex = iterable.some(isComposite);
      // Only the stages kept are built: a crafted list can be far longer than the cap.
      return iterable.slice(0, MAX_EXPANSIONS).map((item, i) => ({ key: byIndex ? String(i) : toStr(item), item }));
    }
    if (iterable && typeof iterable === 'object') {
      const its: { key: string; item: unknown; mapKey: string }[] = [];
      for (const k in iterable) {
        if (its.length >= MAX_EXPANSIONS) break;
        if (Object.hasOwn(iterable, k)) its.push({ key: k, item: (iterable as Record<string, unknown>)[k], mapKey: k });
      }
      return its;
    }
    return undefined;
  }
  if (stage.template === 'matrix' && isMap(node)) {
    // Every dimension's values first, and their product checked against the cap before
    // any combination is built: 1,000 × 16,000 from an 89 KB params.yaml exhausted the heap.
    const dims: { dim: string; values: unknown[] }[] = [];
    let size = 1;
    for (const [dim, pair] of entries(node)) {
      let values: unknown = toJs(pair.value);
      if (typeof values === 'string') values = resolver.value(values);
      if (!Array.isArray(values)) return undefined;
      size *= values.length;
      if (size > MAX_EXPANSIONS) return undefined;
      dims.push({ dim, values });
    }
    let combos: { frags: string[]; item: Record<string, unknown> }[] = [{ frags: [], item: {} }];
    for (const { dim, values } of dims) {
      combos = combos.flatMap((c) => values.map((v, i) => ({ frags: [...c.frags, isComposite(v) ? `${dim}${i}` : toStr(v)], item: { ...c.item, [dim]: v } })));
    }
    return combos.map((c) => ({ key: c.frags.join('-'), item: c.item }));
  }
  return undefined;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function build(name: string, source: DvcStage, body: Record<string, unknown>, r: Resolver, key?: string): ExpandedStage {
  const s = r.value(body) as Record<string, unknown>;
  const outs: ExpandedStage['outs'] = [];
  for (const kind of ['outs', 'metrics', 'plots']) {
    for (const o of asList(s[kind])) {
      if (typeof o === 'string') outs.push({ path: o, cache: kind === 'outs' });
      else if (o && typeof o === 'object') {
        const [p, opts] = Object.entries(o)[0] ?? [];
        if (p) outs.push({ path: p, cache: (opts as { cache?: boolean } | null)?.cache ?? kind === 'outs' });
      }
    }
  }
  // One entry per params file: DVC records and compares a file's keys together.
  const byFile = new Map<string, string[] | 'all'>();
  const track = (file: string, keys: string[] | 'all') => {
    const had = byFile.get(file);
    byFile.set(file, had === 'all' || keys === 'all' ? 'all' : [...new Set([...(had ?? []), ...keys])]);
  };
  for (const p of asList(s.params)) {
    if (typeof p === 'string') track(DEFAULT_PARAMS, [p]);
    else if (p && typeof p === 'object') {
      for (const [file, keys] of Object.entries(p)) track(file, Array.isArray(keys) && keys.length ? keys.map(String) : 'all');
    }
  }
  const wdir = typeof s.wdir === 'string' ? s.wdir : '.';
  return {
    name,
    source,
    key,
    cmd: Array.isArray(s.cmd) ? s.cmd.map(toStr).join(' && ') : s.cmd === undefined ? '' : toStr(s.cmd),
    wdir,
    deps: asList(s.deps).filter((d): d is string => typeof d === 'string'),
    outs,
    params: [...byFile].map(([file, keys]) => ({ file, keys })),
    frozen: s.frozen === true,
    alwaysChanged: s.always_changed === true,
    unresolved: r.unresolved,
  };
}

/**
 * Every stage DVC would run, in file order. `fs` reads params.yaml and vars files; without
 * it, `${}` from files stays unresolved. Never throws on a broken file.
 */
export function expandStages(model: DvcModel, fs: PipelineFs | undefined): ExpandedStage[] {
  const out: ExpandedStage[] = [];
  for (const stage of model.stages) {
    try {
      if (!stage.definition) continue;
      const vars = stageVars(model, stage, fs);
      const body = toJs(stage.definition) as Record<string, unknown> | undefined;
      if (!body || typeof body !== 'object') continue;
      delete body.vars;
      if (!stage.template) {
        out.push(build(stage.name, stage, body, new Resolver(vars)));
        continue;
      }
      if (stage.template === 'matrix') {
        delete body.matrix;
      }
      const its = iterations(stage, new Resolver(vars)) ?? [];
      for (const it of its.slice(0, MAX_EXPANSIONS)) {
        const local = new Map(vars);
        local.set('item', { value: it.item, file: '' });
        if (it.mapKey !== undefined) local.set('key', { value: it.mapKey, file: '' });
        out.push(build(`${stage.name}@${it.key}`, stage, body, new Resolver(local), it.key));
      }
    } catch {
      // A file DVC itself would reject: its stage is left out; diagnostics explain why.
    }
  }
  return out;
}

/** Upstream stages of each expanded stage: those whose outputs a dep is at, in or above. */
export function expandedUpstream(stages: ExpandedStage[]): Map<string, string[]> {
  const exact = new Map<string, string[]>();
  const under = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, k: string, v: string) => m.set(k, [...(m.get(k) ?? []), v]);
  const norm = (s: ExpandedStage, p: string) => joinPath(s.wdir === '.' ? '' : s.wdir, p);
  const parents = (p: string) => p.split('/').slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join('/'));
  for (const s of stages) {
    for (const o of s.outs) {
      const p = norm(s, o.path);
      add(exact, p, s.name);
      for (const parent of parents(p)) add(under, parent, s.name);
    }
  }
  const result = new Map<string, string[]>();
  for (const s of stages) {
    const ups = new Set<string>();
    for (const d of s.deps) {
      const dep = norm(s, d);
      for (const key of [dep, ...parents(dep)]) for (const n of exact.get(key) ?? []) ups.add(n);
      for (const n of under.get(dep) ?? []) ups.add(n);
    }
    ups.delete(s.name);
    result.set(s.name, [...ups]);
  }
  return result;
}
