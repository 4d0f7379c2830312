import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkspaceRoots } from '../../../src/server/workspaceRoots';

describe('WorkspaceRoots', () => {
  const base = path.resolve('/tmp/ws-roots');
  const uri = (p: string) => pathToFileURL(path.join(base, p)).toString();

  it('gives the innermost workspace folder holding a folder, else the folder itself', () => {
    const roots = new WorkspaceRoots();
    roots.add([uri('a'), uri('a/inner'), 'vscode-vfs://github/x/y']);
    assert.equal(roots.rootOf(path.join(base, 'a', 'sub')), path.join(base, 'a'));
    assert.equal(roots.rootOf(path.join(base, 'a', 'inner', 'deep')), path.join(base, 'a', 'inner'));
    assert.equal(roots.rootOf(path.join(base, 'a')), path.join(base, 'a'));
    // A sibling whose name starts like a folder is not inside it.
    assert.equal(roots.rootOf(path.join(base, 'ab')), path.join(base, 'ab'));
    roots.remove([uri('a/inner')]);
    assert.equal(roots.rootOf(path.join(base, 'a', 'inner', 'deep')), path.join(base, 'a'));
  });
});
