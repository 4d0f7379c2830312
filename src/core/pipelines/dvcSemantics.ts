import type { DvcStage, DvcStages, OutRef } from './dvcModel';
import { findCycles, OutputIndex, upstreamEdges } from './dvcGraph';
import { findInterpolations, isSimpleReference } from './interpolation';
import { isReadableParamsPath, loadParamsFile, lookupKey, type ParamsFile } from './paramsFile';
import { joinPath, type PipelineFs } from './pipelineFs';
import { globalScope, resolve, stageScope, type VarsScope } from './varsContext';
import type { DiagnosticSink } from './yamlNodes';

// Semantic checks: what `dvc repro` would trip over after the schema has passed.

// The checks across stages (duplicate and overlapping outputs, cycles, deps no stage makes)
// give findings that name their place by stage and entry, not by offset: an edit that
// leaves every stage's outputs and deps as they were (most edits) reuses them, wherever
// the stages have moved (GraphMemo).

/** A place in the model: a stage's name, or its `i`th output or dep. */
interface Place {
  stage: number;
  what: 'name' | 'out' | 'dep';
  i: number;
}

interface Finding {
  at: Place;
  severity: 'error';
  code: string;
  message: string;
  related?: { at: Place; message: string }[];
}

interface GraphFindings {
  outputs: Finding[];
  /** Computed in their own isolate, after the outputs. */
  cycles?: Finding[];
  /** Per stage, per dep: whether some output (of any stage) overlaps it. */
  produced: boolean[][];
}

function spanAt(model: DvcStages, at: Place): [number, number] {
  const stage = model.stages[at.stage];
  return at.what === 'name' ? stage.keySpan : at.what === 'out' ? stage.outs[at.i].span : stage.deps[at.i].span;
}

function report(sink: DiagnosticSink, model: DvcStages, findings: Finding[]): void {
  for (const f of findings) sink.at(spanAt(model, f.at), f.severity, f.code, f.message, f.related?.map((r) => ({ span: spanAt(model, r.at), message: r.message })));
}

function findOutputs(model: DvcStages, outputs: OutputIndex): Finding[] {
  const found: Finding[] = [];
  model.stages.forEach((stage, s) => {
    stage.outs.forEach((out, i) => {
      if (!out.resolved) return;
      // Report on the later declaration, naming the earlier one: the first stage is the owner.
      const earlier = outputs.overlapping(out.resolved).filter((o) => o.stage !== stage && o.span[0] < out.span[0]);
      const same = earlier.find((o) => o.resolved === out.resolved);
      const at: Place = { stage: s, what: 'out', i };
      if (same) {
        found.push({ at, severity: 'error', code: 'duplicate-out', message: `'${out.raw}' is already an output of stage '${same.stage.name}'.` });
      } else if (earlier.length) {
        const o = earlier[0];
        found.push({ at, severity: 'error', code: 'overlapping-out', message: `'${out.raw}' overlaps '${o.raw}', an output of stage '${o.stage.name}'.` });
      }
    });
  });
  return found;
}

function findProduced(model: DvcStages, outputs: OutputIndex): boolean[][] {
  return model.stages.map((stage) => stage.deps.map((dep) => !!dep.resolved && outputs.overlapping(dep.resolved).length > 0));
}

function checkDeps(sink: DiagnosticSink, model: DvcStages, produced: boolean[][], fs: PipelineFs): void {
  model.stages.forEach((stage, s) => {
    stage.deps.forEach((dep, i) => {
      if (!dep.resolved || produced[s][i] || fs.exists(dep.resolved)) return;
      sink.at(dep.span, 'warning', 'dep-missing', `Dependency '${dep.raw}' does not exist and no stage outputs it.`);
    });
  });
}

const MAX_CYCLE_NAMES = 8;

function findCyclesIn(model: DvcStages, outputs: OutputIndex): Finding[] {
  const indexOf = new Map(model.stages.map((s, i) => [s, i]));
  const name = (s: DvcStage): Place => ({ stage: indexOf.get(s)!, what: 'name', i: 0 });
  return findCycles(upstreamEdges(model, outputs)).map((cycle) => {
    // One diagnostic per cycle, on its first stage, the others as related entries: one per
    // stage each repeating the whole cycle was 38 MB for a 2,000-stage cycle.
    const shown = cycle.slice(0, MAX_CYCLE_NAMES).map((s) => `'${s.name}'`);
    const names = shown.join(' → ') + (cycle.length > MAX_CYCLE_NAMES ? ` → … (${cycle.length} stages)` : '');
    const message = cycle.length === 1 ? `Stage ${names} depends on its own output.` : `Stages form a cycle: ${names} → '${cycle[0].name}'.`;
    const related = cycle.slice(1).map((s) => ({ at: name(s), message: `'${s.name}' is in the cycle.` }));
    return { at: name(cycle[0]), severity: 'error' as const, code: 'cycle', message, related };
  });
}

/** What the graph checks read of one stage: equal keys, equal findings (dvcStageCache keeps one per stage text). */
export function graphKeyOf(stage: DvcStage): string {
  return JSON.stringify([stage.name, stage.outs.map((o) => [o.raw, o.resolved ?? null, o.kind]), stage.deps.map((d) => [d.raw, d.resolved ?? null])]);
}

/**
 * The graph findings of the last validation and what they were found from: each stage's
 * graph key (in order) and the outputs `${}` expanded to. Equal inputs, equal findings.
 */
export class GraphMemo {
  private keys: string[] = [];
  private extra = '';
  private findings: GraphFindings | undefined;

  /** The findings kept for these inputs, if they are the same as last time. */
  reuse(keys: string[], extra: string): GraphFindings | undefined {
    if (!this.findings || extra !== this.extra || keys.length !== this.keys.length) return undefined;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== this.keys[i]) return undefined;
    return this.findings;
  }

  keep(keys: string[], extra: string, findings: GraphFindings): void {
    this.keys = keys;
    this.extra = extra;
    this.findings = findings;
  }
}

function checkParams(sink: DiagnosticSink, model: DvcStages, fs: PipelineFs): void {
  // Per params file, asked once per validation rather than once per key (4,000 keys in a
  // 2,000-stage file): whether it is a kind we read, and the file loaded when a key needs it.
  const readable = new Map<string, boolean>();
  const files = new Map<string, ParamsFile | undefined>();
  const load = (path: string) => {
    if (!files.has(path)) files.set(path, loadParamsFile(fs, path));
    return files.get(path);
  };
  for (const stage of model.stages) {
    for (const ref of stage.params) {
      let ok = readable.get(ref.file);
      if (ok === undefined) readable.set(ref.file, (ok = isReadableParamsPath(ref.file)));
      if (!ok || (ref.key && ref.key.includes('${'))) continue;
      const file = load(ref.file);
      if (!file) {
        // One that exists but was refused (a FIFO, too large) gets its own warning instead.
        if (!fs.refused?.().has(ref.file)) sink.at(ref.span, 'error', 'params-file-missing', `Params file '${ref.file}' does not exist.`);
        continue;
      }
      if (ref.key === undefined || !file.data) continue;
      const found = lookupKey(file.data, ref.key);
      if (!found.found) sink.at(ref.span, 'error', 'param-missing', `Param '${ref.key}' is not in ${ref.file} ('${found.missing}' is missing).`);
    }
  }
}

function checkInterpolations(sink: DiagnosticSink, model: DvcStages, fs: PipelineFs | undefined): void {
  const global = globalScope(model, fs, sink);
  for (const stage of model.stages as DvcStage[]) {
    if (!stage.interpolations.length && !stage.vars) continue;
    const scope = stageScope(global, stage, fs, sink);
    for (const ref of stage.interpolations) {
      if (!ref.expr) {
        sink.at([ref.start, ref.end], 'error', 'undefined-var', 'Empty `${}` reference.');
        continue;
      }
      if (!isSimpleReference(ref.expr)) continue;
      const r = resolve(scope, ref.expr);
      if (r.status === 'undefined') {
        const hint = r.missing === 'item' || r.missing === 'key' ? ` ('${r.missing}' exists only in foreach and matrix stages)` : '';
        sink.at([ref.start, ref.end], 'error', 'undefined-var', `Undefined reference '${r.missing}' in \${${ref.expr}}${hint}.`);
      }
    }
  }
}

const MAX_EXPANSIONS = 64;

/**
 * The paths an output written with `${}` stands for (`models/model-${item}.pkl` over a
 * foreach list gives one per item), so a dep on one of them is known to be produced.
 * Gives up (returns none) when a reference is unknown or not a plain value.
 */
function expand(raw: string, scope: VarsScope): string[] {
  let paths = [''];
  let last = 0;
  for (const ref of findInterpolations(raw, 0)) {
    const r = resolve(scope, ref.expr);
    if (r.status !== 'ok' || !r.values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) return [];
    const literal = raw.slice(last, ref.start);
    // Checked before the product is built: a foreach list can be very long.
    if (paths.length * r.values.length > MAX_EXPANSIONS) return [];
    paths = paths.flatMap((p) => r.values.map((v) => p + literal + String(v)));
    if (paths.length > MAX_EXPANSIONS) return [];
    last = ref.end;
  }
  return paths.map((p) => p + raw.slice(last));
}

function expandedOutputs(model: DvcStages, fs: PipelineFs | undefined): OutRef[] {
  const extra: OutRef[] = [];
  let global: VarsScope | undefined;
  for (const stage of model.stages) {
    const templated = stage.outs.filter((o) => !o.resolved && o.raw.includes('${'));
    if (!templated.length) continue;
    global ??= globalScope(model, fs);
    const scope = stageScope(global, stage, fs);
    for (const out of templated) {
      for (const p of expand(out.raw, scope)) if (!p.includes('${')) extra.push({ ...out, resolved: joinPath(stage.wdir, p) });
    }
  }
  return extra;
}

/**
 * The semantic checks; those that need files are skipped without a file system. `memo`
 * (the stage-by-stage validation's, with each stage's graphKeyOf) carries the graph
 * findings over from the last edit.
 */
export function checkDvcSemantics(sink: DiagnosticSink, model: DvcStages, fs: PipelineFs | undefined, memo?: { keys: string[]; state: GraphMemo }): void {
  // Each check on its own: one that throws must not take the others' diagnostics along.
  let graph: GraphFindings | undefined;
  let extra: OutRef[] = [];
  let extraKey = '';
  let index: OutputIndex | undefined;
  sink.isolate('outputs', () => {
    extra = expandedOutputs(model, fs);
    const indexOf = extra.length ? new Map(model.stages.map((s, i) => [s, i])) : undefined;
    extraKey = extra.length ? JSON.stringify(extra.map((o) => [indexOf!.get(o.stage), o.raw, o.resolved])) : '';
    graph = memo?.state.reuse(memo.keys, extraKey);
    if (!graph) {
      const outputs = (index = new OutputIndex(model, extra));
      graph = { outputs: findOutputs(model, outputs), produced: findProduced(model, outputs) };
    }
    report(sink, model, graph.outputs);
  });
  const found = graph;
  if (!found) return void checkRest(sink, model, fs);
  sink.isolate('cycles', () => {
    found.cycles ??= findCyclesIn(model, index ?? new OutputIndex(model, extra));
    // Kept only once complete: a check that threw is run (and reported) again next time.
    memo?.state.keep(memo.keys, extraKey, found);
    report(sink, model, found.cycles);
  });
  checkRest(sink, model, fs, found.produced);
}

/** The checks after the graph's: references, deps (given which ones stages produce), params. */
function checkRest(sink: DiagnosticSink, model: DvcStages, fs: PipelineFs | undefined, produced?: boolean[][]): void {
  sink.isolate('references', () => checkInterpolations(sink, model, fs));
  if (!fs) return;
  if (produced) sink.isolate('dependencies', () => checkDeps(sink, model, produced, fs));
  sink.isolate('params', () => checkParams(sink, model, fs));
}
