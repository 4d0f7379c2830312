import { isScalar } from 'yaml';
import type { DvcModel } from './dvcModel';
import type { LensEntry, SymbolEntry } from './features';
import { buildMlProject } from './mlproject';
import type { ParsedYaml } from './yamlDocument';
// The lens commands are a contract with the extension, which registers them: src/protocol.
import {
  RUN_ENTRY_POINT_COMMAND,
  RUN_ENTRY_POINT_ON_CLUSTER_COMMAND,
  RUN_ENTRY_POINT_WITH_PARAMETERS_COMMAND,
  RUN_IN_WORKSPACE_COMMAND,
  RUN_PIPELINE_UP_TO_COMMAND,
  RUN_STAGE_COMMAND,
  RUN_STAGE_ON_CLUSTER_COMMAND,
} from '../../protocol/lensCommands';

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
    out.push({ range, title: 'Run stage', command: RUN_STAGE_COMMAND, target: s.name });
    out.push({ range, title: 'Run pipeline up to here', command: RUN_PIPELINE_UP_TO_COMMAND, target: s.name });
    // Last, so the lenses before it stay put under the mouse when it comes and goes.
    out.push({ range, title: 'Run in workspace', command: RUN_IN_WORKSPACE_COMMAND, target: s.name });
    out.push({ range, title: 'Run on cluster', command: RUN_STAGE_ON_CLUSTER_COMMAND, target: s.name });
  }
  return out;
}

/**
 * "Run entry point" (defaults; only parameters without one are asked for) and, where
 * there are parameters, "Run with parameters…". An entry point without a command string
 * gets none: MLflow could only refuse it, and a diagnostic already says why.
 */
export function mlprojectLenses(parsed: ParsedYaml): LensEntry[] {
  const out: LensEntry[] = [];
  for (const e of buildMlProject(parsed).entryPoints) {
    if (!isScalar(e.command) || typeof e.command.value !== 'string') continue;
    const range = parsed.lines.rangeOf(e.keySpan[0], e.keySpan[1]);
    out.push({ range, title: 'Run entry point', command: RUN_ENTRY_POINT_COMMAND, target: e.name });
    if (e.parameters.length) out.push({ range, title: 'Run with parameters…', command: RUN_ENTRY_POINT_WITH_PARAMETERS_COMMAND, target: e.name });
    out.push({ range, title: 'Run on cluster', command: RUN_ENTRY_POINT_ON_CLUSTER_COMMAND, target: e.name });
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
