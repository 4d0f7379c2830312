// Putting an old version's record back: the .dvc file as it was at that commit, or just
// this out's entry in the current dvc.lock (the other stages' records stay as they are).
// `dvc checkout` then materialises the data from the cache.
import { writeFile } from 'node:fs/promises';
import { readBoundedText, YAML_JSON_CAP } from '../common/boundedRead';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { parseUntrusted } from '../common/yamlData';
import type { Artifact } from './artifacts';
import { DataError } from './dataErrors';
import type { RepoInfo } from './gitRepo';
import { revSpec } from './gitRepo';
import type { ArtifactVersion } from './versionHistory';

export async function restoreRecord(repo: RepoInfo, artifact: Artifact, version: Pick<ArtifactVersion, 'commit' | 'md5' | 'size' | 'nfiles'>): Promise<void> {
  const file = path.join(repo.root, artifact.source.file);
  if (artifact.source.kind === 'dvc-file') {
    const text = await repo.git.show([revSpec(repo, version.commit, artifact.source.file)]).catch(() => undefined);
    if (text === undefined) throw new DataError('unreadable-dvc-file', `${artifact.source.file} does not exist at ${version.commit.slice(0, 7)}.`, artifact.source.file);
    await writeFile(file, text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  const { stage } = artifact.source;
  const text = await readBoundedText(file, { cap: YAML_JSON_CAP, root: repo.root });
  const doc = parseUntrusted(text);
  const outs = doc.getIn(['stages', stage, 'outs']);
  const dir = path.posix.dirname(artifact.source.file);
  const entry = isSeq(outs)
    ? (outs.items.find((o) => isMap(o) && path.posix.normalize(path.posix.join(dir, String((o as YAMLMap).get('path')))) === artifact.path) as YAMLMap | undefined)
    : undefined;
  if (!entry) throw new DataError('unreadable-dvc-file', `${artifact.source.file} has no out "${artifact.path}" in stage "${stage}" any more; run "dvc repro ${stage}" first.`, artifact.source.file);
  await writeFile(file, editEntry(text, doc, entry, version));
}

/**
 * The lock text with only this out's md5/size/nfiles values replaced in place, so the
 * diff is what changed; re-serialising (DVC's own layout differs) only when a key must
 * be added or removed.
 */
function editEntry(text: string, doc: ReturnType<typeof parseUntrusted>, entry: YAMLMap, version: Pick<ArtifactVersion, 'md5' | 'size' | 'nfiles'>): string {
  const wanted: [string, string | number | undefined][] = [
    ['md5', version.md5],
    ['size', version.size],
    ['nfiles', version.nfiles],
  ];
  const edits: { start: number; end: number; value: string }[] = [];
  for (const [key, value] of wanted) {
    const node = entry.get(key, true);
    const has = isScalar(node) && node.range;
    if (value === undefined && !has) continue;
    if (value === undefined || !has) {
      for (const [k, v] of wanted) if (v === undefined) entry.delete(k);
      else entry.set(k, v);
      return doc.toString({ indentSeq: false });
    }
    edits.push({ start: node.range![0], end: node.range![1], value: String(value) });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.value + out.slice(e.end);
  return out;
}
