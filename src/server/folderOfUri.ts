import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of a `file:` URI's file; undefined for other schemes (untitled:, vscode-vfs:). */
export function folderOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.dirname(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}
