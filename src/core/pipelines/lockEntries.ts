import type { PipelineFs } from './pipelineFs';
import { parseDvcLock } from './status/dvcLock';

/** What dvc.lock recorded for one dep or out at the last `dvc repro`. */
export interface LockEntry {
  md5?: string;
  size?: number;
  nfiles?: number;
}

/** stage name → path → entry, from `dvc.lock` next to the dvc.yaml (one parser: status/dvcLock). */
export function readDvcLock(fs: PipelineFs): Map<string, Map<string, LockEntry>> {
  const out = new Map<string, Map<string, LockEntry>>();
  const text = fs.readText('dvc.lock');
  if (text === undefined) return out;
  for (const [name, stage] of Object.entries(parseDvcLock(text))) {
    const paths = new Map<string, LockEntry>();
    for (const f of [...stage.deps, ...stage.outs]) paths.set(f.path, { md5: f.md5, size: f.size, nfiles: f.nfiles });
    out.set(name, paths);
  }
  return out;
}

