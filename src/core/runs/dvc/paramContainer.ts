// A list or a map param for `dvc exp run -S`, typed as YAML or JSON (`[64, 32]`,
// `{name: sgd, betas: [0.5, 0.6]}`) and written in Hydra's override grammar, which DVC
// parses (dvc/utils/hydra.py): lists `[a,b]`, maps `{k:v}`, strings quoted unless they are
// one plain word. Checked against the real dvc (test/integration/runs/dvcExpLifecycle.test.ts):
// - `key=[...]` replaces a list, but `key={...}` *merges* into a map and refuses a key the
//   map lacks ("Key 'x' is not in struct"), and a list cannot replace a map. So a
//   container is set as `~key` (delete) then `+key=value` (add): the param becomes exactly
//   what was typed, whatever it was before. Hydra applies the two in order.
// - A map key is Hydra's dictKey: no quotes; `\` escapes a space and `:,=[]{}()`. A key that
//   Hydra reads as a number, bool or null is refused by DVC, so by us.
// - `1.0` stays a float only if written with its point: the YAML node's source says so.
// The text is what a user types into an input box, capped; the walk's depth is capped too.
import { Document, isAlias, isMap, isNode, isScalar, isSeq, type Node } from 'yaml';
import { MAX_NESTING } from '../../common/flatten';
import { parseUntrusted, yamlErrorText } from '../../common/yamlData';
import { quoteHydra, type ParamValue } from './expLifecycle';

/** Far above a list or map anyone types; an argv string is at most 128 KB on Linux. */
export const MAX_CONTAINER_TEXT = 32 * 1024;

const CONTROL = /[\u0000-\u001f\u007f]/;
// A string Hydra reads back as the same string when bare: an ID that is no keyword.
const BARE_STRING = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const KEYWORD = /^(true|false|null|inf|nan)$/i;
// dictKey characters: ID, INT, UNQUOTED_CHAR; the escapable ones after a backslash.
const KEY_CHAR = /[A-Za-z0-9_\-+./%*@?|$]/;
const KEY_ESCAPED = /[ :,=[\]{}()]/;

class ContainerError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** A map key as Hydra's dictKey, or why it cannot be one. */
function hydraKey(key: string, at: number): string {
  if (!key || KEYWORD.test(key) || /^[-+]?[0-9]/.test(key) || /^[-+]?\.[0-9]/.test(key)) {
    throw new ContainerError(`the key "${key}" would be read as a number, true/false or null by DVC; -S can set only keys that start with a letter, _ or $`, at);
  }
  let out = '';
  for (const ch of key) {
    if (KEY_CHAR.test(ch)) out += ch;
    else if (KEY_ESCAPED.test(ch)) out += `\\${ch}`;
    else throw new ContainerError(`the key "${key}" holds "${ch}", which -S cannot write in a key; edit params.yaml for it`, at);
  }
  return out;
}

function hydraNumber(value: number, source: string | undefined): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const text = String(value);
  // YAML's `1.0` is the number 1: written `1` it would come back an int.
  if (Number.isInteger(value) && source !== undefined && /[.eE]/.test(source) && !/[eE]/.test(text)) return `${text}.0`;
  return text;
}

function hydraString(s: string, at: number): string {
  if (CONTROL.test(s)) throw new ContainerError(`a value cannot hold control characters or line breaks: ${JSON.stringify(s)}`, at);
  // OmegaConf resolves ${...} even inside quotes.
  if (s.includes('${')) throw new ContainerError(`"${s}" holds "\${", which DVC (OmegaConf) reads as an interpolation; leave it out`, at);
  return BARE_STRING.test(s) && !KEYWORD.test(s) ? s : quoteHydra(s);
}

/** A parsed YAML node in Hydra's grammar. */
function hydraElement(node: Node | null, depth: number): string {
  if (depth > MAX_NESTING) throw new ContainerError(`nested deeper than ${MAX_NESTING} levels`, node?.range?.[0] ?? 0);
  const at = node?.range?.[0] ?? 0;
  if (node === null) return 'null';
  if (isAlias(node) || node.anchor) throw new ContainerError('anchors and aliases (&, *) cannot be passed with -S; write the value out', at);
  if (isSeq(node)) return `[${node.items.map((item) => hydraElement(item as Node | null, depth + 1)).join(',')}]`;
  if (isMap(node)) {
    const pairs = node.items.map((pair) => {
      const key = pair.key as Node | null;
      if (!isScalar(key) || (key.value !== null && typeof key.value === 'object')) throw new ContainerError('a map key must be a plain word', key?.range?.[0] ?? at);
      return `${hydraKey(String(key.value), key.range?.[0] ?? at)}:${hydraElement(pair.value as Node | null, depth + 1)}`;
    });
    return `{${pairs.join(',')}}`;
  }
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'number') return hydraNumber(v, node.source);
    if (typeof v === 'string') return hydraString(v, at);
  }
  throw new ContainerError('this value has a type -S cannot pass (a tag such as !!binary); write it as a plain value', at);
}

/**
 * Reads what the user typed for a list or map param (any YAML value: a flow list, a flow
 * map, JSON, or a scalar to replace the container with) into a value that replaces the
 * param as a whole. Errors carry a 0-based column.
 */
export function parseContainerValue(input: string): { ok: true; value: ParamValue } | { ok: false; error: string; column: number } {
  if (input.length > MAX_CONTAINER_TEXT) return { ok: false, error: `longer than ${MAX_CONTAINER_TEXT / 1024} KB; edit params.yaml for a value this large`, column: MAX_CONTAINER_TEXT };
  if (!input.trim()) return { ok: false, error: 'a value is needed ([] for an empty list, {} for an empty map)', column: 0 };
  const doc = parseUntrusted(input, { uniqueKeys: true });
  if (doc.errors.length) return { ok: false, error: yamlErrorText(input, doc.errors[0]), column: Math.min(doc.errors[0].pos[0], input.length) };
  try {
    const hydra = hydraElement(doc.contents as Node | null, 0);
    return { ok: true, value: { text: input.trim(), whole: hydra } };
  } catch (err) {
    if (err instanceof ContainerError) return { ok: false, error: err.message, column: err.offset };
    throw err;
  }
}

const FLOW = { collectionStyle: 'flow', lineWidth: 0 } as const;

/**
 * A list or map param as the user edits it: one line of YAML flow style, from the params
 * file's own node where `doc` has it (so `1.0` shows as written), else from its data.
 */
export function containerAsInput(value: unknown, doc?: Document, path?: readonly string[]): string {
  const node = doc && path ? doc.getIn(path, true) : undefined;
  if (isNode(node)) return new Document(node).toString(FLOW).trim();
  return new Document(value).toString(FLOW).trim();
}
