// Saves an export where the user picks: written beside the target and renamed over it, so
// an existing file is never left half-written by a full disk or a crash.
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';

export async function writeReplacing(target: vscode.Uri, data: Uint8Array): Promise<void> {
  if (target.scheme !== 'file') {
    // A remote or virtual file system has no rename we can count on: its own write.
    await vscode.workspace.fs.writeFile(target, data);
    return;
  }
  const tmp = `${target.fsPath}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, target.fsPath);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
