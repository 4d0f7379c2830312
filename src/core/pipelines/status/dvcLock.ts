import { isMap, parseDocument } from 'yaml';

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
  /** params file → flattened dotted key → value, as DVC records them. */
  params: Record<string, Record<string, unknown>>;
}

/** Everything dvc.lock (schema 2.0) recorded per stage, for status; unreadable → none. */
export function parseDvcLock(text: string): Record<string, LockedStage> {
  const doc = parseDocument(text);
  if (doc.errors.length || !isMap(doc.contents)) return {};
  const data = doc.toJS() as { stages?: Record<string, Record<string, unknown>> };
  const out: Record<string, LockedStage> = {};
  for (const [name, raw] of Object.entries(data.stages ?? {})) {
    if (!raw || typeof raw !== 'object') continue;
    const files = (v: unknown): LockedFile[] =>
      Array.isArray(v)
        ? v
            .filter((f): f is Record<string, unknown> => !!f && typeof f === 'object' && typeof (f as { path?: unknown }).path === 'string')
            .map((f) => ({
              path: f.path as string,
              md5: typeof f.md5 === 'string' ? f.md5 : undefined,
              size: typeof f.size === 'number' ? f.size : undefined,
              nfiles: typeof f.nfiles === 'number' ? f.nfiles : undefined,
            }))
        : [];
    out[name] = {
      cmd: Array.isArray(raw.cmd) ? raw.cmd.join(' && ') : String(raw.cmd ?? ''),
      deps: files(raw.deps),
      outs: files(raw.outs),
      params: (raw.params && typeof raw.params === 'object' ? raw.params : {}) as LockedStage['params'],
    };
  }
  return out;
}
