// `.dvc` files (written by `dvc add`/`dvc import`): one or more outs with the hash of
// the tracked file or directory. A hand-edited or merge-mangled file must not break
// the view: each out either parses or says exactly what is wrong with it.
import { isMap, isScalar } from 'yaml';
import { documentData, parseUntrusted, yamlErrorText } from '../common/yamlData';
import type { DataProblem } from './dataErrors';

export interface TrackedOut {
  /** As written in the file: relative to the .dvc file's folder. */
  path: string;
  md5: string;
  size?: number;
  nfiles?: number;
  /** DVC 3 writes `hash: md5`; without it the out lives in the DVC 2 cache layout. */
  legacy: boolean;
}

const MD5 = /^[0-9a-f]{32}(\.dir)?$/;

export const isDirHash = (md5: string) => md5.endsWith('.dir');

export function isValidMd5(value: unknown): value is string {
  return typeof value === 'string' && MD5.test(value);
}

// The layout `dvc add` writes: `outs:` then `- key: value` / `  key: value` lines with
// plain scalars. Reading it line by line is ~50× faster than a YAML parse, which matters
// when a history of hundreds of revisions is read; anything else goes to the YAML parser.
const SIMPLE_LINE = /^(- |  )([a-z_][a-z0-9_]*): ([^'"{}[\]#&*!|>%@`\s][^#]*?)$/;

function fastParse(text: string): Record<string, string>[] | undefined {
  const lines = text.split('\n');
  if (lines[0] !== 'outs:') return undefined;
  const outs: Record<string, string>[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '' && i === lines.length - 1) break;
    const m = SIMPLE_LINE.exec(line);
    if (!m || m[3].includes(': ')) return undefined;
    if (m[1] === '- ') outs.push({});
    else if (!outs.length) return undefined;
    outs[outs.length - 1][m[2]] = m[3];
  }
  return outs.length ? outs : undefined;
}

const INT = /^\d+$/;

/** The outs of a .dvc file and the problems found in it (`file` is repo-relative). */
export function parseDvcFile(text: string, file: string): { outs: TrackedOut[]; problems: DataProblem[] } {
  const fast = fastParse(text);
  if (fast) {
    const outs: TrackedOut[] = [];
    const problems: DataProblem[] = [];
    for (const o of fast) {
      if (!o.path || (o.md5 !== undefined && !isValidMd5(o.md5)) || (o.size !== undefined && !INT.test(o.size)) || (o.nfiles !== undefined && !INT.test(o.nfiles))) {
        return slowParse(text, file);
      }
      if (o.md5 === undefined) return slowParse(text, file);
      outs.push({ path: o.path, md5: o.md5, size: o.size ? Number(o.size) : undefined, nfiles: o.nfiles ? Number(o.nfiles) : undefined, legacy: o.hash !== 'md5' });
    }
    return { outs, problems };
  }
  return slowParse(text, file);
}

function slowParse(text: string, file: string): { outs: TrackedOut[]; problems: DataProblem[] } {
  const doc = parseUntrusted(text);
  if (doc.errors.length || !isMap(doc.contents)) {
    const why = doc.errors.length ? yamlErrorText(text, doc.errors[0]) : 'not a YAML mapping';
    return { outs: [], problems: [{ code: 'unreadable-dvc-file', file, message: `${file} is not valid YAML (${why}); fix it or restore it with "git checkout -- ${file}".` }] };
  }
  let data: { outs?: unknown };
  try {
    data = documentData(doc) as typeof data;
  } catch (err) {
    return { outs: [], problems: [{ code: 'unreadable-dvc-file', file, message: `${file} cannot be read (${(err as Error).message}); fix it or restore it with "git checkout -- ${file}".` }] };
  }
  const outs: TrackedOut[] = [];
  const problems: DataProblem[] = [];
  if (!Array.isArray(data.outs)) {
    problems.push({ code: 'unreadable-dvc-file', file, message: `${file} has no "outs" list, so it tracks nothing; restore it from git or run "dvc add" again.` });
    return { outs, problems };
  }
  data.outs.forEach((raw: unknown, i: number) => {
    // An all-digit md5 is a number to YAML; the text as written is the hash.
    const node = doc.getIn(['outs', i, 'md5'], true);
    if (isScalar(node) && typeof node.value === 'number' && typeof node.source === 'string' && raw && typeof raw === 'object') (raw as Record<string, unknown>).md5 = node.source;
    checkOut(raw);
  });
  return { outs, problems };

  function checkOut(raw: unknown): void {
    if (!raw || typeof raw !== 'object' || typeof (raw as { path?: unknown }).path !== 'string') {
      problems.push({ code: 'unreadable-dvc-file', file, message: `${file} has an out without a path; restore it from git or run "dvc add" again.` });
      return;
    }
    const o = raw as Record<string, unknown>;
    const p = o.path as string;
    if (o.md5 === undefined || o.md5 === null || o.md5 === '') {
      problems.push({
        code: 'missing-hash',
        file,
        message: `${file}: "${p}" has no md5 hash, so its version is unknown. Run "dvc add ${p}" (or "dvc commit ${file}") to record it; the workspace copy is left as it is.`,
      });
      return;
    }
    if (!isValidMd5(o.md5)) {
      problems.push({
        code: 'malformed-hash',
        file,
        message: `${file}: the md5 of "${p}" (${JSON.stringify(o.md5)}) is not a 32-digit hex hash; the file was edited by hand or mangled by a merge. Restore it with "git checkout -- ${file}" or record the workspace copy with "dvc commit ${file}".`,
      });
      return;
    }
    outs.push({
      path: p,
      md5: o.md5,
      size: typeof o.size === 'number' ? o.size : undefined,
      nfiles: typeof o.nfiles === 'number' ? o.nfiles : undefined,
      legacy: o.hash !== 'md5',
    });
  }
}
