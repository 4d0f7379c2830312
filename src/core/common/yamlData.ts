// YAML → plain data, for the files a repository controls (params files, dvc.lock, DVCLive
// params). The yaml package turns a map key that is itself a list or a mapping into a
// string, level by level: a 1 KB key of 500 nested `[` took 0.8 s, a 640 KB nested block
// key 3.4 s, per read (the language server reads params.yaml several times per edit).
// No DVC file has such a key (Python refuses an unhashable key), so a document with one
// has no data: the caller treats it as unreadable. An alias as a key may name a collection,
// and a `!!binary` key also became a string (with a process warning): the same.
import { isAlias, isCollection, isScalar, parseDocument, visit, type Document, type DocumentOptions, type Node, type ParseOptions, type SchemaOptions, type YAMLError } from 'yaml';

export class NonPlainKeyError extends Error {
  constructor() {
    super('a mapping key is not a plain value (a list, a mapping, binary data or an alias)');
    this.name = 'NonPlainKeyError';
  }
}

/** Whether any mapping key in `doc` is not a plain value (or the document is too deep to walk). */
export function hasNonPlainKey(doc: Document | Node): boolean {
  let found = false;
  try {
    visit(doc, {
      Pair(_, pair) {
        const key = pair.key;
        if (isCollection(key) || isAlias(key) || (isScalar(key) && typeof key.value === 'object' && key.value !== null)) {
          found = true;
          return visit.BREAK;
        }
        return undefined;
      },
    });
  } catch {
    return true; // deeper than the stack: no params file is
  }
  return found;
}

/** The document as plain data; throws NonPlainKeyError, or the yaml package's alias-count error. */
export function documentData(doc: Document, maxAliasCount = 100): unknown {
  if (hasNonPlainKey(doc)) throw new NonPlainKeyError();
  return doc.toJS({ maxAliasCount });
}

/**
 * Parses a file a repository controls. prettyErrors (the package's default) copies the
 * error's whole line into every message: on a 500 KB line with 80,000 errors that was 10 s
 * for one dvc.lock, growing with the square of the size. And each error is an Error whose
 * stack capture cost more than the parse: not taken (a parse error's stack says nothing).
 */
export function parseUntrusted(text: string, options: ParseOptions & DocumentOptions & SchemaOptions = {}): ReturnType<typeof parseDocument> {
  const stackLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parseDocument(text, { ...options, prettyErrors: false });
  } finally {
    Error.stackTraceLimit = stackLimit;
  }
}

/** A parse error's message and where it is (1-based), worked out once instead of per error. */
export function yamlErrorText(text: string, e: YAMLError): string {
  const at = Math.min(e.pos[0], text.length);
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `${e.message.split('\n')[0]} at line ${line}, column ${at - start + 1}`;
}

/** As `parse` of the yaml package (throws on its first error, naming where), refusing non-plain keys. */
export function parseYamlData(text: string): unknown {
  const doc = parseUntrusted(text);
  if (doc.errors.length) throw new Error(yamlErrorText(text, doc.errors[0]));
  return documentData(doc);
}
