import { isNode } from 'yaml';
import { formatBytes, plural } from '../common/format';
import { hasNonPlainKey } from '../common/yamlData';
import { readDvcLock } from './lockEntries';
import { locateInDvc } from './dvcLocate';
import type { DvcModel } from './dvcModel';
import type { HoverResult } from './features';
import { buildMlProject, commandReferences } from './mlproject';
import { loadParamsFile, lookupPath, showValue, splitKeyPath } from './paramsFile';
import type { PipelineFs } from './pipelineFs';
import { globalScope, resolve, stageScope } from './varsContext';
import type { ParsedYaml } from './yamlDocument';
import { scalarText, spanOf } from './yamlNodes';

const code = (s: string) => '`' + s.replace(/`/g, "'") + '`';

export function dvcHover(model: DvcModel, offset: number, fs: PipelineFs | undefined): HoverResult | undefined {
  const target = locateInDvc(model, offset);
  if (!target) return undefined;
  const range = (span: [number, number]) => model.parsed.lines.rangeOf(span[0], span[1]);
  switch (target.kind) {
    case 'interpolation': {
      const scope = stageScope(globalScope(model, fs), target.stage, fs);
      const r = resolve(scope, target.ref.expr);
      const where = r.status === 'ok' ? (r.def.file ? ` (from ${r.def.file})` : ' (vars in dvc.yaml)') : '';
      const text =
        r.status === 'ok'
          ? r.values.length > 1
            ? `${code('${' + target.ref.expr + '}')} takes ${r.values.length} values: ${r.values.slice(0, 5).map((v) => code(showValue(v))).join(', ')}${r.values.length > 5 ? ', ...' : ''}`
            : `${code('${' + target.ref.expr + '}')} = ${code(showValue(r.values[0]))}${where}`
          : r.status === 'undefined'
            ? `${code(r.missing)} is not defined`
            : `${code('${' + target.ref.expr + '}')}: value not known here`;
      return { markdown: text, range: range([target.ref.start, target.ref.end]) };
    }
    case 'param': {
      const { ref } = target;
      if (!fs || !ref.key) return { markdown: `Params from ${code(ref.file)}`, range: range(ref.span) };
      const file = loadParamsFile(fs, ref.file);
      const found = file?.data ? lookupPath(file.data, splitKeyPath(ref.key)) : undefined;
      const text = !file ? `${code(ref.file)} does not exist` : found?.found ? `${code(ref.key)} = ${code(showValue(found.value))} (${ref.file})` : `${code(ref.key)} is not in ${ref.file}`;
      return { markdown: text, range: range(ref.span) };
    }
    case 'dep':
    case 'out': {
      const { ref } = target;
      const label = target.kind === 'dep' ? 'Dependency' : `Output (${target.ref.kind})`;
      const entry = fs ? readDvcLock(fs).get(ref.stage.name)?.get(ref.raw) : undefined;
      const lines = [`${label} ${code(ref.raw)}`];
      if (entry) {
        const parts = [entry.md5 ? `md5 ${code(entry.md5)}` : undefined, entry.size !== undefined ? formatBytes(entry.size) : undefined, entry.nfiles !== undefined ? plural(entry.nfiles, 'file') : undefined];
        lines.push(`dvc.lock: ${parts.filter(Boolean).join(', ')}`);
      } else if (fs) lines.push('Not recorded in dvc.lock yet.');
      return { markdown: lines.join('\n\n'), range: range(ref.span) };
    }
    case 'stage': {
      const { stage } = target;
      const def = stage.definition;
      const cmdNode = def?.get('cmd', true);
      // A list-of-commands cmd is shown as JSON; one with a collection as a key would take seconds to stringify.
      const cmd = scalarText(cmdNode) ?? (isNode(cmdNode) && !hasNonPlainKey(cmdNode) ? showValue((cmdNode as { toJSON: () => unknown }).toJSON()) : undefined);
      const desc = scalarText(def?.get('desc', true));
      const lines = [`Stage ${code(stage.name)}${stage.template ? ` (${stage.template})` : ''}`];
      if (desc) lines.push(desc);
      if (cmd) lines.push(code(cmd));
      lines.push(`${stage.deps.length} deps, ${stage.outs.length} outputs, ${stage.params.length} params`);
      return { markdown: lines.join('\n\n'), range: range(stage.keySpan) };
    }
  }
}

export function mlprojectHover(parsed: ParsedYaml, text: string, offset: number): HoverResult | undefined {
  for (const ep of buildMlProject(parsed).entryPoints) {
    if (offset < ep.pairSpan[0] || offset > ep.pairSpan[1]) continue;
    const describe = (name: string) => {
      const p = ep.parameters.find((x) => x.name === name);
      if (!p) return `${code(name)} is no parameter of ${code(ep.name)}`;
      return `Parameter ${code(p.name)}: ${p.type}${p.default !== undefined ? `, default ${code(showValue(p.default))}` : ', required'}`;
    };
    const span = spanOf(ep.command);
    if (span && offset >= span[0] && offset <= span[1]) {
      const ref = commandReferences(text.slice(span[0], span[1]), span[0]).find((r) => offset >= r.start && offset <= r.end);
      if (ref) return { markdown: describe(ref.name), range: parsed.lines.rangeOf(ref.start, ref.end) };
    }
    const p = ep.parameters.find((x) => offset >= x.keySpan[0] && offset <= x.keySpan[1]);
    if (p) return { markdown: describe(p.name), range: parsed.lines.rangeOf(p.keySpan[0], p.keySpan[1]) };
    if (offset <= ep.keySpan[1]) {
      const names = ep.parameters.map((x) => x.name).join(', ');
      return { markdown: `Entry point ${code(ep.name)}: \`mlflow run . -e ${ep.name}\`${names ? `\n\nParameters: ${names}` : ''}`, range: parsed.lines.rangeOf(ep.keySpan[0], ep.keySpan[1]) };
    }
  }
  return undefined;
}
