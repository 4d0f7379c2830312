import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { documentData, parseUntrusted } from '../../common/yamlData';

export interface LockedFile {
  path: string;
  md5?: string;
  size?: number;
  nfiles?: number;
}

export interface LockedStage {
  cmd: string;
  deps: LockedFile[];
  outs: LockedFile[];
  /**
   * params file → name as dvc.yaml tracks it → its value at the last run, as DVC records
   * them: a section (`train`) holds its whole nested mapping, a dotted name (`train.lr`)
   * its leaf, a file tracked whole each of its top-level keys. Nothing is flattened.
   */
  params: Record<string, Record<string, unknown>>;
}

/** Everything dvc.lock (schema 2.0) recorded per stage, for status; unreadable → none. */
export function parseDvcLock(text: string): Record<string, LockedStage> {
  const doc = parseUntrusted(text);
  if (doc.errors.length || !isMap(doc.contents)) return {};
  let data: { stages?: Record<string, Record<string, unknown>> };
  try {
    data = documentData(doc) as typeof data;
  } catch {
    return {};
  }
  const out: Record<string, LockedStage> = {};
  for (const [name, raw] of Object.entries(data.stages ?? {})) {
    if (!raw || typeof raw !== 'object') continue;
    const files = (v: unknown, key: 'deps' | 'outs'): LockedFile[] =>
      Array.isArray(v)
        ? v
            .map((f, i) => [f, md5Source(doc, name, key, i)] as const)
            .filter((e): e is readonly [Record<string, unknown>, string | undefined] => !!e[0] && typeof e[0] === 'object' && typeof (e[0] as { path?: unknown }).path === 'string')
            .map(([f, md5]) => ({
              path: f.path as string,
              md5,
              size: typeof f.size === 'number' ? f.size : undefined,
              nfiles: typeof f.nfiles === 'number' ? f.nfiles : undefined,
            }))
        : [];
    out[name] = {
      cmd: Array.isArray(raw.cmd) ? raw.cmd.join(' && ') : String(raw.cmd ?? ''),
      deps: files(raw.deps, 'deps'),
      outs: files(raw.outs, 'outs'),
      params: (raw.params && typeof raw.params === 'object' ? raw.params : {}) as LockedStage['params'],
    };
  }
  return out;
}

/**
 * An md5 as written: a hash of only digits (or digits and one `e`) reads as a number in
 * YAML and would lose its value through toJS, so the scalar's source text is used.
 */
function md5Source(doc: ReturnType<typeof parseDocument>, stage: string, key: 'deps' | 'outs', index: number): string | undefined {
  const list = doc.getIn(['stages', stage, key], true);
  if (!isSeq(list)) return undefined;
  const entry = list.items[index];
  if (!isMap(entry)) return undefined;
  const md5 = entry.get('md5', true);
  if (!isScalar(md5)) return undefined;
  const text = md5.source ?? (typeof md5.value === 'string' ? md5.value : undefined);
  return typeof text === 'string' && text.length > 0 ? text : undefined;
}
