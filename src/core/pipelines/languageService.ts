import { plural } from '../common/format';
import { dvcCompletion, mlprojectCompletion } from './completion';
import { dvcDefinition, mlprojectDefinition } from './definition';
import type { Position, Range } from '../common/positions';
import type { PipelineDiagnostic } from './diagnostics';
import { buildDvcModel, type DvcModel } from './dvcModel';
import { checkDvcSemantics } from './dvcSemantics';
import { checkDvcByStage, type CheckedFile } from './dvcStageCache';
import { checkDvcStructure } from './dvcStructure';
import type { CompletionEntry, DefinitionTarget, HoverResult, LensEntry, SymbolEntry } from './features';
import { dvcHover, mlprojectHover } from './hover';
import { checkMlProject } from './mlproject';
import { dvcLenses, dvcSymbols, mlprojectLenses, mlprojectSymbols } from './outline';
import { parseYamlCached } from './parseCache';
import type { PipelineFs } from './pipelineFs';
import { DiagnosticSink } from './yamlNodes';
import { pipelineFileKind, type PipelineFileKind } from './pipelineFileKind';

export type { CompletionEntry, DefinitionTarget, HoverResult, LensEntry, SymbolEntry } from './features';
export type { PipelineFs } from './pipelineFs';

export { pipelineFileKind, type PipelineFileKind } from './pipelineFileKind';

/**
 * Validates a pipeline file's text: YAML syntax, the schema, and the semantic checks.
 * Pure and synchronous so it is tested on fixtures and shared by the server and the
 * benchmark. `fs` (paths relative to the file's folder) enables the checks that read
 * other files (deps on disk, params files, vars files, environment files); without it
 * they are skipped. `byStage` false checks a large dvc.yaml whole, as the tests' reference.
 */
export function validatePipelineFile(pathOrUri: string, text: string, fs?: PipelineFs, log?: (line: string) => void, byStage = true): PipelineDiagnostic[] {
  const kind = pipelineFileKind(pathOrUri);
  if (!kind) return [];
  // A large dvc.yaml is checked stage by stage, each stage's results cached by its text.
  const { yaml, sink } = (kind === 'dvc.yaml' && byStage && checkDvcByStage(text, fs, log)) || checkWhole(kind, text, fs, log);
  // A params file that is a FIFO, a device, too large or a link out of the workspace was
  // not read: one warning for it, the checks that needed it were skipped.
  for (const why of fs?.refused?.().values() ?? []) sink.at([0, 0], 'warning', 'file-not-read', `${why}. Checks that need it were skipped.`);
  // Duplicate keys are a YAML error for DVC (ruamel refuses them); MLflow's PyYAML keeps
  // the last one, so checkMlProject reports them as warnings instead.
  const yamlDiagnostics = kind === 'MLproject' ? yaml.filter((d) => d.code !== 'yaml-duplicate-key') : yaml;
  // A value the parser already rejected (`- @src/x.py`) would also read as a missing dep
  // or an unknown key; one problem gets one diagnostic, the syntax error.
  const syntax = yamlDiagnostics.filter((d) => d.severity === 'error');
  const rest = syntax.length ? sink.items.filter((d) => !syntax.some((e) => rangesOverlap(e.range, d.range))) : sink.items;
  return capDiagnostics([...yamlDiagnostics, ...rest]);
}

/** The checks of the whole file at once: its parse (cached), the model, every check. */
function checkWhole(kind: PipelineFileKind, text: string, fs: PipelineFs | undefined, log: ((line: string) => void) | undefined): CheckedFile {
  const parsed = parseYamlCached(text);
  const sink = new DiagnosticSink(parsed.lines, log);
  if (kind === 'dvc.yaml') {
    sink.isolate('dvc.yaml structure', () => checkDvcStructure(sink, parsed.doc.contents));
    sink.isolate('dvc.yaml semantics', () => checkDvcSemantics(sink, dvcModelOf(text), fs));
  } else {
    sink.isolate('MLproject', () => checkMlProject(sink, parsed, text, fs));
  }
  return { yaml: parsed.diagnostics, sink };
}

/** More than anyone reads; a crafted 1 MB file had 47,000 (10 MB of JSON per edit). */
export const MAX_DIAGNOSTICS = 1000;

/** The first MAX_DIAGNOSTICS, errors before the rest, and one more that says how many were left out. */
function capDiagnostics(all: PipelineDiagnostic[]): PipelineDiagnostic[] {
  if (all.length <= MAX_DIAGNOSTICS) return all;
  const errors = all.filter((d) => d.severity === 'error');
  const kept = (errors.length >= MAX_DIAGNOSTICS ? errors : [...errors, ...all.filter((d) => d.severity !== 'error')]).slice(0, MAX_DIAGNOSTICS);
  const left = all.length - kept.length;
  return [...kept, { range: kept[kept.length - 1].range, severity: 'information', message: `${plural(left, 'more problem')} in this file ${left === 1 ? 'is' : 'are'} not shown (the first ${MAX_DIAGNOSTICS} are).`, code: 'too-many-problems' }];
}

const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character < b.character);
function rangesOverlap(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}

// The model is a pure function of the parse, which is cached by text: derive it once too.
const models = new WeakMap<object, DvcModel>();
function dvcModelOf(text: string): DvcModel {
  const parsed = parseYamlCached(text);
  let model = models.get(parsed);
  if (!model) models.set(parsed, (model = buildDvcModel(parsed, text)));
  return model;
}

// The editor features. `offset` is the cursor's offset in `text`; like validation they
// never need more than the text and the injected file system.

export function completePipelineFile(pathOrUri: string, text: string, offset: number, fs?: PipelineFs): CompletionEntry[] {
  const kind = pipelineFileKind(pathOrUri);
  if (kind === 'dvc.yaml') return dvcCompletion(dvcModelOf(text), text, offset, fs);
  if (kind === 'MLproject') return mlprojectCompletion(parseYamlCached(text), text, offset, fs);
  return [];
}

export function hoverPipelineFile(pathOrUri: string, text: string, offset: number, fs?: PipelineFs): HoverResult | undefined {
  const kind = pipelineFileKind(pathOrUri);
  if (kind === 'dvc.yaml') return dvcHover(dvcModelOf(text), offset, fs);
  if (kind === 'MLproject') return mlprojectHover(parseYamlCached(text), text, offset);
  return undefined;
}

export function pipelineDefinition(pathOrUri: string, text: string, offset: number, fs?: PipelineFs): DefinitionTarget[] {
  const kind = pipelineFileKind(pathOrUri);
  if (kind === 'dvc.yaml') return dvcDefinition(dvcModelOf(text), offset, fs);
  if (kind === 'MLproject') return mlprojectDefinition(parseYamlCached(text), text, offset, fs);
  return [];
}

export function pipelineSymbols(pathOrUri: string, text: string): SymbolEntry[] {
  const kind = pipelineFileKind(pathOrUri);
  if (kind === 'dvc.yaml') return dvcSymbols(dvcModelOf(text));
  if (kind === 'MLproject') return mlprojectSymbols(parseYamlCached(text));
  return [];
}

/** Run lenses on every stage of a dvc.yaml and every entry point of an MLproject. */
export function pipelineCodeLenses(pathOrUri: string, text: string): LensEntry[] {
  const kind = pipelineFileKind(pathOrUri);
  if (kind === 'dvc.yaml') return dvcLenses(dvcModelOf(text));
  if (kind === 'MLproject') return mlprojectLenses(parseYamlCached(text));
  return [];
}
