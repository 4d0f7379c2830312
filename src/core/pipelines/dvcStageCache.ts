// Incremental validation of a large dvc.yaml. An edit touches one stage, yet a whole
// validation parses, models and schema-checks all 2,000 stages, and copies every stage
// below the edit to its new offsets. Here each stage's text (the chunks of yamlChunks.ts) is
// parsed, modelled and schema-checked once, and the result is cached by that text: its
// diagnostics relative to the stage's first line, its model relative to the stage's start.
// An edit re-does only the stages whose text changed; the others are placed where they now
// are (a line added to their diagnostics, their model's offsets moved in place). Stages
// before and after the edit are found by comparing them with the last validation's.
// The checks across stages run on the placed model: the graph's findings (duplicate and
// overlapping outputs, cycles, deps some stage makes) are reused while no stage's outputs
// or deps change (dvcSemantics.GraphMemo); the params, `${}` and deps-on-disk checks run
// each time, cheap with params data, key lookups and the disk's answers cached, since they
// read files an edit of the dvc.yaml does not announce.
//
// The answer is the whole validation's, diagnostic for diagnostic and in the same order
// (test/unit/pipelines/dvcStageCache.test.ts compares them over random edits); a file the
// chunked path does not take, or a stage that does not parse cleanly alone, is validated
// whole (undefined here).
import { isMap, isScalar } from 'yaml';
import { LineIndex, type Range } from '../common/positions';
import type { PipelineDiagnostic } from './diagnostics';
import { buildStage, moveStage, shiftStage, type DvcStage } from './dvcModel';
import { checkDvcSemantics, GraphMemo, graphKeyOf } from './dvcSemantics';
import { checkDvcStructure, checkStage } from './dvcStructure';
import type { PipelineFs } from './pipelineFs';
import { duplicateKeyDiagnostic, duplicateKeysIn, nestsTooDeep } from './yamlDocument';
import { chunkPair, splitStages, stageText } from './yamlChunks';
import { DiagnosticSink, scalarText } from './yamlNodes';

/** One stage's text, checked on its own: offsets from the text's start, lines from its first line. */
interface StageEntry {
  /** The stage's key as parsed (for duplicate names: `1` and `'1'` differ). */
  keyValue: unknown;
  /** The model of the stage at `offset` in the file it was last placed in; none for a key that is no name. */
  stage: DvcStage | undefined;
  offset: number;
  /** Line breaks in the text: where the next stage starts, in lines. */
  lineBreaks: number;
  /** Schema diagnostics of the stage alone. */
  structure: PipelineDiagnostic[];
  /** Duplicate keys inside the stage (YAML errors). */
  duplicates: PipelineDiagnostic[];
  /** Where the stage's name starts, relative. */
  keyStart: number;
  /** What the checks across stages read of it (dvcSemantics.graphKeyOf). */
  graphKey: string;
  /** The last validation that used it. */
  used: number;
}

/** The graph findings of the last validation (one file's: another file's differ and are found again). */
const graphMemo = new GraphMemo();

/**
 * Stage text → its entry. A plain map rather than a SizedLru: moving 2,000 hits to the
 * end of an LRU per edit cost more than the lookups. Past its bounds, what the last
 * validation did not use is dropped (what it used is the file being edited).
 */
const cache = new Map<string, StageEntry>();
const MAX_ENTRIES = 20_000;
// A parse takes many times its text: a 2.5 MB stage (76,000 deps) edited 40 times must not
// keep six stale parses of itself. The file being edited is kept whatever its size.
const MAX_CHARS = 4_000_000;
let cachedChars = 0;
let generation = 0;

function remember(chunk: string, entry: StageEntry): void {
  if (!cache.has(chunk)) cachedChars += chunk.length;
  cache.set(chunk, entry);
}

function sweep(): void {
  if (cache.size <= MAX_ENTRIES && cachedChars <= MAX_CHARS) return;
  for (const [chunk, entry] of cache) {
    if (entry.used === generation) continue;
    cache.delete(chunk);
    cachedChars -= chunk.length;
  }
}

function lineBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The string's text in a string of its own. A slice of a long string keeps the whole of it
 * alive (V8 makes a view into it); kept as a cache key, one stage's text held each edit's
 * 800 KB text: 32 MB more after 50 edits of a 2,000-stage file.
 */
function ownCopy(slice: string): string {
  return JSON.parse(JSON.stringify(slice)) as string;
}

/** The stages of the last validation, for the next one to find those an edit left alone. */
let last: { chunks: string[]; entries: StageEntry[] } = { chunks: [], entries: [] };

/**
 * An entry placed at `offset`, moved there in place: no model outlives the validation
 * that placed it (diagnostics are plain ranges, the graph memo names stages by index).
 * The same stage text twice in one file (a duplicated stage) gets a copy for the second.
 */
function placedEntry(entry: StageEntry, offset: number): StageEntry {
  if (entry.offset === offset || !entry.stage) {
    entry.used = generation;
    return entry;
  }
  if (entry.used === generation) return { ...entry, stage: shiftStage(entry.stage, offset - entry.offset), offset };
  entry.used = generation;
  moveStage(entry.stage, offset - entry.offset);
  entry.offset = offset;
  return entry;
}

/** The stage's entry, placed at `offset`; undefined when the stage must be validated whole. */
function entryAt(chunk: string, offset: number): StageEntry | undefined {
  const hit = cache.get(chunk);
  if (hit) return placedEntry(hit, offset);
  // At offset 0 in the parse cache of yamlChunks: a hover after the edit copies it, not parses it again.
  const pair = chunkPair(chunk, 0);
  if (!pair) return undefined;
  const lines = new LineIndex(chunk);
  const sink = new DiagnosticSink(lines);
  checkStage(sink, pair);
  const name = scalarText(pair.key);
  const stage = name === undefined ? undefined : buildStage(name, pair, chunk);
  const entry: StageEntry = {
    keyValue: isScalar(pair.key) ? pair.key.value : undefined,
    stage: stage && offset ? shiftStage(stage, offset) : stage,
    offset,
    lineBreaks: lineBreaks(chunk),
    structure: sink.items,
    duplicates: duplicateKeysIn(pair).map((k) => duplicateKeyDiagnostic(chunk, lines, k.span[0])),
    keyStart: (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0,
    graphKey: stage ? graphKeyOf(stage) : '',
    used: generation,
  };
  remember(chunk, entry);
  return entry;
}

const down = (r: Range, lines: number): Range => ({
  start: { line: r.start.line + lines, character: r.start.character },
  end: { line: r.end.line + lines, character: r.end.character },
});

/** A stage's diagnostic at the stage's place in the file, `lines` lines down. */
function placed(d: PipelineDiagnostic, lines: number): PipelineDiagnostic {
  if (!lines) return d;
  const out: PipelineDiagnostic = { ...d, range: down(d.range, lines) };
  if (d.related) out.related = d.related.map((r) => ({ ...r, range: down(r.range, lines) }));
  return out;
}

/** What validatePipelineFile finishes: the YAML diagnostics and the checks' sink. */
export interface CheckedFile {
  yaml: PipelineDiagnostic[];
  sink: DiagnosticSink;
}

/**
 * The diagnostics of a dvc.yaml from its stages' cached results, or undefined when the
 * file must be validated whole (small, not cut into stages, a stage that does not parse
 * alone, duplicate top-level keys, nesting past the parser's depth).
 */
export function checkDvcByStage(text: string, fs: PipelineFs | undefined, log?: (line: string) => void): CheckedFile | undefined {
  const split = splitStages(text);
  if (!split || nestsTooDeep(text)) return undefined;
  const head = split.head;
  if (duplicateKeysIn(head.contents).length) return undefined;
  const entries: StageEntry[] = [];
  const chunks: string[] = [];
  generation++;
  try {
    const n = split.starts.length;
    const end = (i: number) => (i + 1 < n ? split.starts[i + 1] : split.end);
    // The stages before and after the edit are those of the last validation: found by
    // comparing their text in place, without cutting it out or hashing it.
    const prev = last;
    const same = (i: number, j: number) => {
      const chunk = prev.chunks[j];
      return end(i) - split.starts[i] === chunk.length && text.startsWith(chunk, split.starts[i]);
    };
    let front = 0;
    while (front < n && front < prev.chunks.length && same(front, front)) front++;
    let back = 0;
    while (back < n - front && back < prev.chunks.length - front && same(n - 1 - back, prev.chunks.length - 1 - back)) back++;
    for (let i = 0; i < n; i++) {
      const j = i < front ? i : i >= n - back ? i - n + prev.chunks.length : -1;
      const chunk = j >= 0 ? prev.chunks[j] : ownCopy(stageText(text, split, i));
      const entry = j >= 0 ? placedEntry(prev.entries[j], split.starts[i]) : entryAt(chunk, split.starts[i]);
      if (!entry) return undefined;
      entries.push(entry);
      chunks.push(chunk);
    }
    sweep();
    last = { chunks, entries };
  } catch {
    // A stage the parser or a check chokes on (a stack overflow): the whole validation
    // reports it as it does for any file.
    return undefined;
  }

  // Each stage's first line, and the YAML errors in file order: a stage name used before,
  // then the duplicate keys inside the stage.
  const firstLines: number[] = [];
  let line = lineBreaks(text.slice(0, split.starts[0]));
  const yaml: PipelineDiagnostic[] = [];
  const names = new Set<unknown>();
  entries.forEach((entry, i) => {
    firstLines.push(line);
    const name = entry.keyValue;
    if (names.has(name)) yaml.push(placed(duplicateKeyDiagnostic(chunks[i], new LineIndex(chunks[i]), entry.keyStart), line));
    names.add(name);
    for (const d of entry.duplicates) yaml.push(placed(d, line));
    line += entry.lineBreaks;
  });

  const sink = new DiagnosticSink(new LineIndex(text), log);
  sink.isolate('dvc.yaml structure', () =>
    checkDvcStructure(sink, head.contents, (pair) => {
      if (pair !== split.stagesPair) return false;
      entries.forEach((entry, i) => {
        for (const d of entry.structure) sink.items.push(placed(d, firstLines[i]));
      });
      return true;
    }),
  );
  const stages = entries.flatMap((e) => e.stage ?? []);
  const model = { stages, vars: isMap(head.contents) ? (head.contents.get('vars', true) as DvcStage['vars']) : undefined };
  const keys = entries.flatMap((e) => (e.stage ? [e.graphKey] : []));
  sink.isolate('dvc.yaml semantics', () => checkDvcSemantics(sink, model, fs, { keys, state: graphMemo }));
  return { yaml, sink };
}
