// Where an artifact named by a tracking server (or found in a store) lands on disk. The
// server is not trusted: its paths may use `\` (a separator on Windows), `..`, or a drive
// letter, so every segment is checked and the result must stay under the target folder.
import * as path from 'node:path';

const BAD_SEGMENT = /^\.{1,2}$|^[a-z]:$|[\0:]/i;

/** `rel` (separated by `/` or `\`) under `root`, or undefined when it would leave `root`. */
export function artifactFile(root: string, rel: string): string | undefined {
  const parts = rel.split(/[\\/]+/).filter(Boolean);
  if (parts.some((p) => BAD_SEGMENT.test(p))) return undefined;
  const base = path.resolve(root);
  const file = path.resolve(base, ...parts);
  const back = path.relative(base, file);
  return back.startsWith('..') || path.isAbsolute(back) ? undefined : file;
}

/** A run id as one folder name: undefined for ids that are empty, `.` or `..` after cleaning. */
export function runFolderName(runId: string): string | undefined {
  const name = runId.replace(/[^\w.-]/g, '_');
  return !name || /^\.+$/.test(name) ? undefined : name;
}
