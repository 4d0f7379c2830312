import type { DvcStage, DvcStages, OutRef } from './dvcModel';
import { findCycles, OutputIndex, upstreamEdges } from './dvcGraph';
import { findInterpolations, isSimpleReference } from './interpolation';
import { isReadableParamsPath, loadParamsFile, lookupKey, type ParamsFile } from './paramsFile';
import { joinPath, type PipelineFs } from './pipelineFs';
import { globalScope, resolve, stageScope, type VarsScope } from './varsContext';
import type { DiagnosticSink } from './yamlNodes';

// Semantic checks: what `dvc repro` would trip over after the schema has passed.

function checkOutputs(sink: DiagnosticSink, model: DvcStages, outputs: OutputIndex): void {
  for (const stage of model.stages) {
    for (const out of stage.outs) {
      if (!out.resolved) continue;
      // Report on the later declaration, naming the earlier one: the first stage is the owner.
      const earlier = outputs.overlapping(out.resolved).filter((o) => o.stage !== stage && o.span[0] < out.span[0]);
      const same = earlier.find((o) => o.resolved === out.resolved);
      if (same) {
        sink.at(out.span, 'error', 'duplicate-out', `'${out.raw}' is already an output of stage '${same.stage.name}'.`);
      } else if (earlier.length) {
        const o = earlier[0];
        sink.at(out.span, 'error', 'overlapping-out', `'${out.raw}' overlaps '${o.raw}', an output of stage '${o.stage.name}'.`);
      }
    }
  }
}

function checkDeps(sink: DiagnosticSink, model: DvcStages, outputs: OutputIndex, fs: PipelineFs): void {
  for (const stage of model.stages) {
    for (const dep of stage.deps) {
      if (!dep.resolved || outputs.overlapping(dep.resolved).length || fs.exists(dep.resolved)) continue;
      sink.at(dep.span, 'warning', 'dep-missing', `Dependency '${dep.raw}' does not exist and no stage outputs it.`);
    }
  }
}

const MAX_CYCLE_NAMES = 8;

function checkCycles(sink: DiagnosticSink, model: DvcStages, outputs: OutputIndex): void {
  for (const cycle of findCycles(upstreamEdges(model, outputs))) {
    // One diagnostic per cycle, on its first stage, the others as related entries: one per
    // stage each repeating the whole cycle was 38 MB for a 2,000-stage cycle.
    const shown = cycle.slice(0, MAX_CYCLE_NAMES).map((s) => `'${s.name}'`);
    const names = shown.join(' → ') + (cycle.length > MAX_CYCLE_NAMES ? ` → … (${cycle.length} stages)` : '');
    const message = cycle.length === 1 ? `Stage ${names} depends on its own output.` : `Stages form a cycle: ${names} → '${cycle[0].name}'.`;
    const related = cycle.slice(1).map((s) => ({ span: s.keySpan, message: `'${s.name}' is in the cycle.` }));
    sink.at(cycle[0].keySpan, 'error', 'cycle', message, related);
  }
}

function checkParams(sink: DiagnosticSink, model: DvcStages, fs: PipelineFs): void {
  const files = new Map<string, ParamsFile | undefined>();
  const load = (path: string) => {
    if (!files.has(path)) files.set(path, loadParamsFile(fs, path));
    return files.get(path);
  };
  for (const stage of model.stages) {
    for (const ref of stage.params) {
      if (!isReadableParamsPath(ref.file) || (ref.key && ref.key.includes('${'))) continue;
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

/** The semantic checks; those that need files are skipped without a file system. */
export function checkDvcSemantics(sink: DiagnosticSink, model: DvcStages, fs: PipelineFs | undefined): void {
  // Each check on its own: one that throws must not take the others' diagnostics along.
  let outputs: OutputIndex | undefined;
  sink.isolate('outputs', () => {
    outputs = new OutputIndex(model, expandedOutputs(model, fs));
    checkOutputs(sink, model, outputs);
  });
  const index = outputs;
  if (index) sink.isolate('cycles', () => checkCycles(sink, model, index));
  sink.isolate('references', () => checkInterpolations(sink, model, fs));
  if (!fs) return;
  if (index) sink.isolate('dependencies', () => checkDeps(sink, model, index, fs));
  sink.isolate('params', () => checkParams(sink, model, fs));
}
