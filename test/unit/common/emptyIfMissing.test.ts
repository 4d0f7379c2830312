import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { emptyIfMissing } from '../../../src/core/common/errors';

describe('emptyIfMissing', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mlops-missing-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a missing file as empty', async () => {
    assert.equal(await readFile(path.join(dir, 'nope.yaml'), 'utf8').catch(emptyIfMissing), '');
  });

  it('still rejects on any other failure (a directory here; EACCES alike, which root cannot provoke)', async () => {
    await assert.rejects(readFile(dir, 'utf8').catch(emptyIfMissing), { code: 'EISDIR' });
  });
});
