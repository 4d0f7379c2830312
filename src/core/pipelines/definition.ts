import { locateInDvc } from './dvcLocate';
import type { DvcModel } from './dvcModel';
import { EMPTY_RANGE, type DefinitionTarget } from './features';
import { buildMlProject, commandReferences } from './mlproject';
import { keyRangeIn, loadParamsFile, splitKeyPath } from './paramsFile';
import type { PipelineFs } from './pipelineFs';
import { globalScope, resolve, stageScope } from './varsContext';
import type { ParsedYaml } from './yamlDocument';
import { spanOf } from './yamlNodes';

function keyIn(fs: PipelineFs, file: string, keyPath: string[]): DefinitionTarget | undefined {
  const params = loadParamsFile(fs, file);
  const range = params && keyRangeIn(params, keyPath);
  return range ? { file, range } : undefined;
}

export function dvcDefinition(model: DvcModel, offset: number, fs: PipelineFs | undefined): DefinitionTarget[] {
  const target = locateInDvc(model, offset);
  if (!target) return [];
  switch (target.kind) {
    case 'dep':
    case 'out': {
      const path = target.ref.resolved;
      if (!path || (fs && !fs.exists(path))) return [];
      return [{ file: path, range: EMPTY_RANGE }];
    }
    case 'param': {
      const { ref } = target;
      if (!fs) return [];
      const hit = ref.key ? keyIn(fs, ref.file, splitKeyPath(ref.key)) : fs.exists(ref.file) ? { file: ref.file, range: EMPTY_RANGE } : undefined;
      return hit ? [hit] : [];
    }
    case 'interpolation': {
      const r = resolve(stageScope(globalScope(model, fs), target.stage, fs), target.ref.expr);
      if (r.status !== 'ok') return [];
      if (!r.def.file) return r.def.span ? [{ file: '', range: model.parsed.lines.rangeOf(r.def.span[0], r.def.span[1]) }] : [];
      if (!fs) return [];
      // Deepest key that exists: `${train.lr}` lands on `lr`, `${item.x}` on its foreach.
      const path = r.def.keyPath ?? [];
      for (let n = path.length; n > 0; n--) {
        const hit = keyIn(fs, r.def.file, path.slice(0, n));
        if (hit) return [hit];
      }
      return [];
    }
    case 'stage':
      return [];
  }
}

export function mlprojectDefinition(parsed: ParsedYaml, text: string, offset: number, fs: PipelineFs | undefined): DefinitionTarget[] {
  const project = buildMlProject(parsed);
  for (const ep of project.entryPoints) {
    const span = spanOf(ep.command);
    if (!span || offset < span[0] || offset > span[1]) continue;
    const ref = commandReferences(text.slice(span[0], span[1]), span[0]).find((r) => offset >= r.start && offset <= r.end);
    const p = ref && ep.parameters.find((x) => x.name === ref.name);
    return p ? [{ file: '', range: parsed.lines.rangeOf(p.keySpan[0], p.keySpan[1]) }] : [];
  }
  // conda_env / python_env → the environment file.
  for (const key of ['conda_env', 'python_env']) {
    const node = project.root?.get(key, true);
    const s = spanOf(node);
    const file = (node as { value?: unknown } | undefined)?.value;
    if (s && typeof file === 'string' && offset >= s[0] && offset <= s[1] && (!fs || fs.exists(file))) return [{ file, range: EMPTY_RANGE }];
  }
  return [];
}
