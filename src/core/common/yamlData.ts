// YAML → plain data, for the files a repository controls (params files, dvc.lock, DVCLive
// params). The yaml package turns a map key that is itself a list or a mapping into a
// string, level by level: a 1 KB key of 500 nested `[` took 0.8 s, a 640 KB nested block
// key 3.4 s, per read (the language server reads params.yaml several times per edit).
// No DVC file has such a key (Python refuses an unhashable key), so a document with one
// has no data: the caller treats it as unreadable.
import { isCollection, parseDocument, visit, type Document, type Node } from 'yaml';

export class CollectionKeyError extends Error {
  constructor() {
    super('a mapping key is a list or a mapping');
    this.name = 'CollectionKeyError';
  }
}

/** Whether any mapping key in `doc` is a collection (or the document is too deep to walk). */
export function hasCollectionKey(doc: Document | Node): boolean {
  let found = false;
  try {
    visit(doc, {
      Pair(_, pair) {
        if (isCollection(pair.key)) {
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

/** The document as plain data; throws CollectionKeyError, or the yaml package's alias-count error. */
export function documentData(doc: Document, maxAliasCount = 100): unknown {
  if (hasCollectionKey(doc)) throw new CollectionKeyError();
  return doc.toJS({ maxAliasCount });
}

/** As `parse` of the yaml package (throws its first error), refusing collection keys. */
export function parseYamlData(text: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length) throw doc.errors[0];
  return documentData(doc);
}
