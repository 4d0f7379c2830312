import { strict as assert } from 'node:assert';
import { isMine, OWNER_LABEL, ownerLabels, ownerOf, ownerText, refusal, resolveUser, splitByOwner, UNKNOWN_OWNER } from '../../../src/core/hosts/ownership';
import { containerCreateOptions, WORKSPACE_LABEL } from '../../../src/core/hosts/workspaceSpec';

const ws = (owner?: string) => ({ labels: { [WORKSPACE_LABEL]: '1', ...(owner === undefined ? {} : { [OWNER_LABEL]: owner }) } });

describe('workspace ownership', () => {
  it('is mlops.user when set, else the OS user; control characters go and the length is bounded', () => {
    assert.equal(resolveUser('alice', () => 'root'), 'alice');
    assert.equal(resolveUser('  ', () => 'bob'), 'bob');
    assert.equal(resolveUser(undefined, () => 'bob'), 'bob');
    assert.equal(resolveUser('al\u0000ice\n', () => 'bob'), 'alice');
    assert.equal(resolveUser('x'.repeat(500), () => 'bob').length, 64);
  });

  it('falls back to "unknown" when the OS has no name for the uid (os.userInfo throws)', () => {
    assert.equal(
      resolveUser('', () => {
        throw new Error('ENOENT: no passwd entry');
      }),
      'unknown',
    );
  });

  it('reads the owner label; a workspace without it has an unknown owner', () => {
    assert.equal(ownerOf(ws('alice').labels), 'alice');
    assert.equal(ownerOf(ws().labels), undefined);
    assert.equal(ownerOf(ws('   ').labels), undefined);
    assert.equal(ownerOf(null), undefined);
    assert.equal(ownerText(ws().labels), UNKNOWN_OWNER);
    assert.equal(ownerText(ws('bob').labels), 'bob');
  });

  it('is mine only when the label names me exactly; no label is never mine', () => {
    assert.equal(isMine(ws('alice'), 'alice'), true);
    assert.equal(isMine(ws('alice'), 'bob'), false);
    assert.equal(isMine(ws('Alice'), 'alice'), false);
    assert.equal(isMine(ws(), 'alice'), false);
    assert.equal(isMine(ws(), UNKNOWN_OWNER), false, 'a user who calls themselves "unknown owner" does not get the unlabelled ones');
  });

  it('refuses changes to a teammate\'s workspace naming the owner, and to an unlabelled one', () => {
    assert.equal(refusal(ws('bob').labels, 'bob'), undefined);
    assert.deepEqual(refusal(ws('alice').labels, 'bob'), { reason: 'teammate', owner: 'alice' });
    assert.deepEqual(refusal(ws().labels, 'bob'), { reason: 'no-owner' });
  });

  it('splits a host\'s list into mine and the team\'s, keeping the order', () => {
    const list = [ws('alice'), ws('bob'), ws(), ws('alice')];
    const { mine, team } = splitByOwner(list, 'alice');
    assert.deepEqual(mine, [list[0], list[3]]);
    assert.deepEqual(team, [list[1], list[2]]);
  });

  it('puts the owner on the container, and extra labels of the caller cannot replace our own', () => {
    const o = containerCreateOptions({ image: 'img' }, ownerLabels('alice'));
    assert.equal(o.Labels?.[OWNER_LABEL], 'alice');
    assert.equal(o.Labels?.[WORKSPACE_LABEL], '1');
  });
});
