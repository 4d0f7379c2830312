/**
 * Whether a changed file can change what the Data view shows. Git's and DVC's internals
 * churn constantly (objects, index, locks, tmp); only refs, HEAD and config matter.
 */
export function affectsDataView(fsPath: string): boolean {
  const p = fsPath.replace(/\\/g, '/');
  const git = p.indexOf('/.git/');
  if (git >= 0) return /^\/\.git\/(HEAD|refs\/(heads|tags)\/|packed-refs)/.test(p.slice(git));
  const dvc = p.indexOf('/.dvc/');
  if (dvc >= 0) return /^\/\.dvc\/config(\.local)?$/.test(p.slice(dvc));
  return !/\/(node_modules|__pycache__|\.venv[^/]*)\//.test(p);
}

/** Whether a change can add or move versions (a record or a git ref), not only states. */
export function changesHistory(fsPath: string): boolean {
  const p = fsPath.replace(/\\/g, '/');
  return p.includes('/.git/') || p.endsWith('.dvc') || p.endsWith('/dvc.lock') || p.endsWith('/dvc.yaml') || p.includes('/.dvc/config');
}
