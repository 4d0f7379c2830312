import type { DvcModel, DvcStage, OutRef, ParamRef, PathRef } from './dvcModel';
import type { Interpolation } from './interpolation';

/** What sits under the cursor in a dvc.yaml, as far as hover and definition care. */
export type DvcTarget =
  | { kind: 'interpolation'; stage: DvcStage; ref: Interpolation }
  | { kind: 'dep'; ref: PathRef }
  | { kind: 'out'; ref: OutRef }
  | { kind: 'param'; ref: ParamRef }
  | { kind: 'stage'; stage: DvcStage };

const inside = (span: [number, number], offset: number) => offset >= span[0] && offset <= span[1];

export function locateInDvc(model: DvcModel, offset: number): DvcTarget | undefined {
  const stage = model.stages.find((s) => inside(s.pairSpan, offset));
  if (!stage) return undefined;
  // Innermost first: a `${}` inside a dep is about the variable, not the file.
  const ref = stage.interpolations.find((i) => offset >= i.start && offset <= i.end);
  if (ref) return { kind: 'interpolation', stage, ref };
  const dep = stage.deps.find((d) => inside(d.span, offset));
  if (dep) return { kind: 'dep', ref: dep };
  const out = stage.outs.find((o) => inside(o.span, offset));
  if (out) return { kind: 'out', ref: out };
  const param = stage.params.find((p) => inside(p.span, offset));
  if (param) return { kind: 'param', ref: param };
  if (inside(stage.keySpan, offset)) return { kind: 'stage', stage };
  return undefined;
}
