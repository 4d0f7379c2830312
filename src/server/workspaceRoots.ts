import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The client's workspace folders, as file-system paths. A pipeline file reads params and
 * lock files only inside the folder that holds it (links resolved): a committed symlink to
 * ~/.ssh/... or /dev/urandom must not be followed out of the workspace.
 */
export class WorkspaceRoots {
  private folders: string[] = [];

  add(uris: readonly string[]): void {
    for (const p of uris.map(pathOfUri)) if (p && !this.folders.includes(p)) this.folders.push(p);
  }

  remove(uris: readonly string[]): void {
    const gone = new Set(uris.map(pathOfUri));
    this.folders = this.folders.filter((f) => !gone.has(f));
  }

  /** The innermost workspace folder holding `folder`; `folder` itself for a file outside them all. */
  rootOf(folder: string): string {
    let best: string | undefined;
    for (const f of this.folders) {
      const rel = path.relative(f, folder);
      const inside = rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
      if (inside && (!best || f.length > best.length)) best = f;
    }
    return best ?? folder;
  }
}

function pathOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.resolve(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}
