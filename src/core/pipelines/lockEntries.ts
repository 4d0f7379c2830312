import { isMap, isSeq } from 'yaml';
import { parseYamlCached } from './parseCache';
import type { PipelineFs } from './pipelineFs';
import { entries, scalarText } from './yamlNodes';

/** What dvc.lock recorded for one dep or out at the last `dvc repro`. */
export interface LockEntry {
  md5?: string;
  size?: number;
  nfiles?: number;
}

/** stage name → path → entry, from `dvc.lock` (schema 2.0) next to the dvc.yaml. */
export function readDvcLock(fs: PipelineFs): Map<string, Map<string, LockEntry>> {
  const out = new Map<string, Map<string, LockEntry>>();
  const text = fs.readText('dvc.lock');
  if (text === undefined) return out;
  const root = parseYamlCached(text).doc.contents;
  const stages = isMap(root) ? root.get('stages', true) : undefined;
  if (!isMap(stages)) return out;
  for (const [name, pair] of entries(stages)) {
    const paths = new Map<string, LockEntry>();
    if (isMap(pair.value)) {
      for (const section of ['deps', 'outs']) {
        const list = pair.value.get(section, true);
        if (!isSeq(list)) continue;
        for (const item of list.items) {
          if (!isMap(item)) continue;
          const path = scalarText(item.get('path', true));
          if (!path) continue;
          const num = (k: string) => {
            const v = Number(scalarText(item.get(k, true)));
            return Number.isFinite(v) ? v : undefined;
          };
          paths.set(path, { md5: scalarText(item.get('md5', true)), size: num('size'), nfiles: num('nfiles') });
        }
      }
    }
    out.set(name, paths);
  }
  return out;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
