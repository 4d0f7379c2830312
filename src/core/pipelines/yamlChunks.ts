// Incremental parsing of a large dvc.yaml: an edit touches one stage, yet the YAML parser
// re-reads all 2,000. Each stage under a block `stages:` is parsed on its own and cached by
// its text; only changed stages are parsed again, the rest are reused (copied with shifted
// offsets when an edit above moved them). The result is the same Document a whole-file
// parse gives; anything unusual (errors, anchors, flow style, odd indentation) falls back
// to the whole-file parse, so exactness never depends on this path.
import { isCollection, isMap, isPair, isScalar, isSeq, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq, type Document, type Node } from 'yaml';

import { SizedLru } from '../common/sizedLru';

export const PARSE_OPTIONS = { prettyErrors: false, keepSourceTokens: false, uniqueKeys: false } as const;

/** Below this size a whole parse is fast enough, and simpler. */
const MIN_CHUNKED_LENGTH = 50_000;
/** Chunk text → its single pair, with offsets valid at `offset`; bounded in count and text held. */
const cache = new SizedLru<{ pair: Pair; offset: number }>(20_000, 16_000_000);

function shift(node: unknown, delta: number): void {
  if (isPair(node)) {
    shift(node.key, delta);
    shift(node.value, delta);
    return;
  }
  const n = node as Node | null;
  if (!n || typeof n !== 'object') return;
  if (n.range) n.range = [n.range[0] + delta, n.range[1] + delta, n.range[2] + delta];
  if (isCollection(n)) for (const item of n.items) shift(item, delta);
}

/**
 * A copy of a stage's nodes with every offset moved by `delta`, in one pass. yaml's own
 * clone() copies each node through Object.getOwnPropertyDescriptors, and an edit that
 * changes a line's length moves every stage below it: at 2,000 stages that clone was the
 * largest cost of answering an edit. Stages reach here only without anchors or aliases
 * (parseChunked falls back otherwise), so a node is a pair, scalar, map or sequence.
 */
function cloneShifted<T>(node: T, delta: number): T {
  if (isPair(node)) {
    const copy: Pair<unknown, unknown> = Object.assign(new Pair<unknown, unknown>(null), node);
    copy.key = cloneShifted(node.key, delta);
    copy.value = cloneShifted(node.value, delta);
    return copy as T;
  }
  let copy: Node;
  if (isScalar(node)) copy = Object.assign(new Scalar(node.value), node);
  else if (isMap(node)) {
    const map = Object.assign(new YAMLMap(node.schema), node);
    map.items = node.items.map((it) => cloneShifted(it, delta));
    copy = map;
  } else if (isSeq(node)) {
    const seq = Object.assign(new YAMLSeq(node.schema), node);
    seq.items = node.items.map((it) => cloneShifted(it, delta));
    copy = seq;
  } else return node; // null or a plain value
  const r = (node as Node).range;
  if (r) copy.range = [r[0] + delta, r[1] + delta, r[2] + delta];
  return copy as T;
}

/** Moves every offset past `cut` by `delta` (nodes of the file without its stages). */
function shiftAfter(node: unknown, cut: number, delta: number): void {
  if (isPair(node)) {
    shiftAfter(node.key, cut, delta);
    shiftAfter(node.value, cut, delta);
    return;
  }
  const n = node as Node | null;
  if (!n || typeof n !== 'object') return;
  // A start at the cut is the first thing after the stages; an end there is the last before.
  if (n.range) n.range = n.range.map((x, i) => (x > cut || (i === 0 && x === cut) ? x + delta : x)) as Node['range'];
  if (isCollection(n)) for (const item of n.items) shiftAfter(item, cut, delta);
}

/**
 * The pair of one stage's text at `offset`, parsed or reused; undefined if it is not one
 * clean pair. Shared by the whole-file parse (hover, completion) and the stage-by-stage
 * validation (dvcStageCache, at offset 0), so that a stage an edit changed is parsed once.
 */
export function chunkPair(text: string, offset: number): Pair | undefined {
  const hit = cache.get(text);
  if (hit) {
    if (hit.offset === offset) return hit.pair;
    // Copied, not moved: an earlier result may still hold the pair at its old offsets.
    const copy = cloneShifted(hit.pair, offset - hit.offset);
    cache.set(text, { pair: copy, offset });
    return copy;
  }
  const pair = parseStagePair(text);
  if (!pair) return undefined;
  shift(pair, offset);
  cache.set(text, { pair, offset });
  return pair;
}

/** Offsets where each stage of a block `stages:` starts, and where the block ends. */
function stageChunks(text: string, from: number): { starts: number[]; end: number } | undefined {
  const starts: number[] = [];
  let indent = -1;
  let pos = from;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl;
    let ws = pos;
    while (ws < lineEnd && text[ws] === ' ') ws++;
    const first = text[ws];
    if (ws < lineEnd && first !== '#') {
      if (ws === pos) return { starts, end: pos }; // the next top-level key
      const width = ws - pos;
      if (indent < 0) indent = width;
      if (width < indent) return undefined;
      if (width === indent) {
        if (first === '-' || first === '?' || first === '{' || first === '[') return undefined;
        starts.push(pos);
      }
    }
    pos = lineEnd + 1;
  }
  return { starts, end: text.length };
}

/**
 * A large dvc.yaml cut into its stages: where each stage's text starts, where the block
 * ends, and the file without its stages parsed on its own (offsets valid in `text`, the
 * `stages` pair's value left null). Undefined when the file does not take the chunked path.
 */
export interface StageSplit {
  starts: number[];
  end: number;
  /** The file without its stages; its offsets are those of the whole text. */
  head: Document.Parsed;
  /** The `stages` pair of `head`, whose value the stages replace. */
  stagesPair: Pair;
}

export function splitStages(text: string): StageSplit | undefined {
  if (text.length < MIN_CHUNKED_LENGTH) return undefined;
  // Anchors and aliases can cross stages; tabs, CRs and directives change the rules.
  if (text.includes('\t') || text.includes('\r') || hasAnchorOrAlias(text) || hasDirectiveOrMarker(text)) return undefined;
  const head = /^stages:[ ]*(#.*)?$/m.exec(text);
  if (!head) return undefined;
  const chunks = stageChunks(text, head.index + head[0].length + 1);
  if (!chunks || chunks.starts.length < 2) return undefined;
  const { starts, end } = chunks;

  // The file without its stages, parsed on its own; what follows the stages is then moved
  // back to its offsets in the real text.
  const cut = starts[0];
  const removed = end - cut;
  const doc = parseDocument(text.slice(0, cut) + text.slice(end), PARSE_OPTIONS);
  if (doc.errors.length || doc.warnings.length || !isMap(doc.contents)) return undefined;
  if (removed) {
    shiftAfter(doc.contents, cut, removed);
    if (doc.range) doc.range = doc.range.map((x) => (x > cut ? x + removed : x)) as typeof doc.range;
  }
  const stagesPair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'stages' && p.key.range?.[0] === head.index);
  if (!stagesPair || (stagesPair.value !== null && !(isScalar(stagesPair.value) && stagesPair.value.value === null))) return undefined;
  return { starts, end, head: doc, stagesPair };
}

// Plain scans instead of three regular expressions over the whole text: these run on every
// edit of a large file, and a `&` or `*` (let alone one that starts a token) is rare in it.

/** Like /(^|[\s[{,])[&*]\S/m: an anchor or alias token somewhere. */
function hasAnchorOrAlias(text: string): boolean {
  for (const c of ['&', '*']) {
    for (let i = text.indexOf(c); i >= 0; i = text.indexOf(c, i + 1)) {
      const before = i === 0 ? '\n' : text[i - 1];
      const after = text[i + 1];
      if (/[\s[{,]/.test(before) && after !== undefined && /\S/.test(after)) return true;
    }
  }
  return false;
}

/** Like /^(---|\.\.\.|%)/m: a directive or a document marker at a line start. */
function hasDirectiveOrMarker(text: string): boolean {
  // `^` of a multiline regex also matches after U+2028 and U+2029.
  return ['---', '...', '%'].some((m) => text.startsWith(m) || ['\n', '\u2028', '\u2029'].some((nl) => text.includes(nl + m)));
}

/** The text of stage `i` of a split (up to the next stage, or the end of the block). */
export function stageText(text: string, split: Pick<StageSplit, 'starts' | 'end'>, i: number): string {
  return text.slice(split.starts[i], i + 1 < split.starts.length ? split.starts[i + 1] : split.end);
}

/** A stage's text parsed alone: its single pair with offsets from the text's start, or undefined if it is not one clean pair. */
function parseStagePair(chunk: string): Pair | undefined {
  const doc = parseDocument(chunk, PARSE_OPTIONS);
  if (doc.errors.length || doc.warnings.length || !isMap(doc.contents) || doc.contents.items.length !== 1) return undefined;
  const pair = doc.contents.items[0] as Pair;
  return isScalar(pair.key) ? pair : undefined;
}

/** The whole-file Document, assembled from cached stages; undefined when it must not be. */
export function parseChunked(text: string): Document.Parsed | undefined {
  const split = splitStages(text);
  if (!split) return undefined;
  const { starts, head: doc, stagesPair } = split;
  const pairs: Pair[] = [];
  for (let i = 0; i < starts.length; i++) {
    const pair = chunkPair(stageText(text, split, i), starts[i]);
    if (!pair) return undefined;
    pairs.push(pair);
  }
  const stages = new YAMLMap(doc.schema);
  stages.items = pairs;
  const last = pairs[pairs.length - 1];
  const lastEnd = (last.value as Node | null)?.range ?? (last.key as Node).range!;
  stages.range = [starts[0] + indentOf(text, starts[0]), lastEnd[1], lastEnd[2]];
  stagesPair.value = stages as unknown as typeof stagesPair.value;
  const root = doc.contents as YAMLMap;
  if (root.range && root.range[1] < stages.range[1]) root.range = [root.range[0], stages.range[1], Math.max(root.range[2], stages.range[2])];
  return doc;
}

function indentOf(text: string, lineStart: number): number {
  let i = lineStart;
  while (text[i] === ' ') i++;
  return i - lineStart;
}
