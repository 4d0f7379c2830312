import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Range } from '../common/positions';
import { parseYaml } from './yamlDocument';

export interface StageSummary {
  name: string;
  /** The command as DVC would run it; a list of commands is joined with ` && `. */
  cmd?: string;
  desc?: string;
  /** Range of the stage's name key, for "reveal in editor". */
  range: Range;
  /** True for `foreach`/`matrix` stages, which expand into several at run time. */
  templated: boolean;
}

function scalarText(node: unknown): string | undefined {
  if (isScalar(node) && node.value !== null && node.value !== undefined) return String(node.value);
  return undefined;
}

/**
 * The stages of a dvc.yaml, in file order, with their positions. Tolerates a broken
 * file: whatever parses is listed, the rest is left to the diagnostics.
 */
export function listDvcStages(text: string): StageSummary[] {
  const { doc, lines } = parseYaml(text);
  const stages = isMap(doc.contents) ? doc.contents.get('stages', true) : undefined;
  if (!isMap(stages)) return [];
  const out: StageSummary[] = [];
  for (const pair of stages.items) {
    const key = pair.key as Node | null;
    const name = scalarText(key);
    if (!name || !key?.range) continue;
    const body = pair.value;
    let cmd: string | undefined;
    let desc: string | undefined;
    let templated = false;
    if (isMap(body)) {
      templated = body.has('foreach') || body.has('matrix');
      const stageBody = body.has('do') ? body.get('do', true) : body;
      const cmdNode = isMap(stageBody) ? stageBody.get('cmd', true) : undefined;
      cmd = isSeq(cmdNode)
        ? cmdNode.items.map(scalarText).filter((c): c is string => !!c).join(' && ')
        : scalarText(cmdNode);
      desc = scalarText(body.get('desc', true));
    }
    out.push({ name, cmd, desc, templated, range: lines.rangeOf(key.range[0], key.range[1]) });
  }
  return out;
}
