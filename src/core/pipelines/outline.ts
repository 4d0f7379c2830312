import type { DvcModel } from './dvcModel';
import type { LensEntry, SymbolEntry } from './features';
import { buildMlProject } from './mlproject';
import type { ParsedYaml } from './yamlDocument';

/** Commands the extension registers; the lenses carry `[documentUri, stageName]`. */
export const RUN_STAGE_COMMAND = 'mlops.runStage';
export const RUN_PIPELINE_UP_TO_COMMAND = 'mlops.runPipelineUpTo';

export function dvcSymbols(model: DvcModel): SymbolEntry[] {
  const lines = model.parsed.lines;
  return model.stages.map((s) => ({
    name: s.name,
    detail: s.template,
    kind: 'stage',
    range: lines.rangeOf(s.pairSpan[0], s.pairSpan[1]),
    selectionRange: lines.rangeOf(s.keySpan[0], s.keySpan[1]),
  }));
}

export function dvcLenses(model: DvcModel): LensEntry[] {
  const out: LensEntry[] = [];
  for (const s of model.stages) {
    const range = model.parsed.lines.rangeOf(s.keySpan[0], s.keySpan[1]);
    out.push({ range, title: 'Run stage', command: RUN_STAGE_COMMAND, stage: s.name });
    out.push({ range, title: 'Run pipeline up to here', command: RUN_PIPELINE_UP_TO_COMMAND, stage: s.name });
  }
  return out;
}

export function mlprojectSymbols(parsed: ParsedYaml): SymbolEntry[] {
  return buildMlProject(parsed).entryPoints.map((e) => ({
    name: e.name,
    detail: e.parameters.map((p) => p.name).join(', ') || undefined,
    kind: 'entryPoint',
    range: parsed.lines.rangeOf(e.pairSpan[0], e.pairSpan[1]),
    selectionRange: parsed.lines.rangeOf(e.keySpan[0], e.keySpan[1]),
  }));
}
