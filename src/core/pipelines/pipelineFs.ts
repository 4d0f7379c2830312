/**
 * The file system as the language service sees it. Injected, so the service stays pure:
 * the server backs it with node:fs, tests and the fuzz test with a map of fixture files.
 * Paths are POSIX-style and relative to the pipeline file's folder.
 */
export interface PipelineFs {
  exists(path: string): boolean;
  /** The file's text, or undefined when it is missing or unreadable. */
  readText(path: string): string | undefined;
  /** Entry names in a folder (folders end with `/`); only completion needs it. */
  list?(dir: string): string[];
  /**
   * Files read so far that exist but were not read, with why (not a regular file, over the
   * size cap, a link out of the workspace): each becomes one warning.
   */
  refused?(): ReadonlyMap<string, string>;
}

/** An in-memory file system over `{ 'relative/path': 'text' }`; folders are implied. */
export function memoryFs(files: Record<string, string>): PipelineFs {
  const paths = Object.keys(files).map(normalizePath);
  const texts = new Map(paths.map((p, i) => [p, files[Object.keys(files)[i]]]));
  return {
    exists: (p) => {
      const n = normalizePath(p);
      return texts.has(n) || paths.some((f) => f.startsWith(n + '/'));
    },
    readText: (p) => texts.get(normalizePath(p)),
    list: (dir) => {
      const n = normalizePath(dir);
      const prefix = n ? n + '/' : '';
      const names = new Set<string>();
      for (const f of paths) {
        if (!f.startsWith(prefix)) continue;
        const rest = f.slice(prefix.length);
        const slash = rest.indexOf('/');
        names.add(slash < 0 ? rest : rest.slice(0, slash + 1));
      }
      return [...names].sort();
    },
  };
}

/** `a/./b/../c/` → `a/c`; `.` and `` → ``. Keeps a leading `../` it cannot resolve. */
export function normalizePath(p: string): string {
  const out: string[] = [];
  for (const part of p.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

export function joinPath(dir: string, p: string): string {
  return normalizePath(dir ? `${dir}/${p}` : p);
}

/** True when `a` and `b` are the same path or one lies inside the other. */
export function pathsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(b + '/') || b.startsWith(a + '/');
}
