import { strict as assert } from 'node:assert';
import { attachPlan, DEV_CONTAINERS, REMOTE_SSH } from '../../../src/extension/workspaces/attachPlan';

const having = (...ids: string[]) => (id: string) => ids.includes(id);

describe('workspaces: what Attach VS Code does', () => {
  it('local engine + Dev Containers: its attach command with the container id', () => {
    assert.deepEqual(attachPlan({ hostKind: 'local', containerId: 'abc123', installed: having(DEV_CONTAINERS) }), {
      kind: 'command',
      command: 'remote-containers.attachToRunningContainer',
      args: ['abc123'],
    });
  });

  it('local engine without Dev Containers: install it (Remote-SSH does not help)', () => {
    const p = attachPlan({ hostKind: 'local', containerId: 'abc', installed: having(REMOTE_SSH) });
    assert.equal(p.kind, 'install');
    assert.equal(p.kind === 'install' && p.extension, DEV_CONTAINERS);
  });

  it('SSH host + Remote-SSH: the project folder there in a new window, else the host', () => {
    assert.deepEqual(attachPlan({ hostKind: 'ssh', sshHost: 'gpu-a', containerId: 'c', remoteFolder: '/srv/my proj', installed: having(REMOTE_SSH) }), {
      kind: 'open-folder',
      uri: 'vscode-remote://ssh-remote+gpu-a/srv/my%20proj',
    });
    assert.deepEqual(attachPlan({ hostKind: 'ssh', sshHost: 'alice@10.0.0.5', containerId: 'c', installed: having(REMOTE_SSH, DEV_CONTAINERS) }), {
      kind: 'command',
      command: 'opensshremotes.openEmptyWindow',
      args: [{ host: 'alice@10.0.0.5' }],
    });
  });

  it('SSH host without Remote-SSH: install it', () => {
    const p = attachPlan({ hostKind: 'ssh', sshHost: 'gpu-a', containerId: 'c', installed: having(DEV_CONTAINERS) });
    assert.deepEqual(p.kind === 'install' && p.extension, REMOTE_SSH);
  });
});
