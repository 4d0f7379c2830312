// The Mine/Team split as the user meets it: which menu entries package.json offers on a
// teammate's item (by its contextValue), and that the command layer refuses by itself.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { OWNER_LABEL } from '../../../src/core/hosts/ownership';
import { changeWorkspace, WorkspaceRefusedError, type WorkspaceChange } from '../../../src/core/hosts/workspaces';
import { WORKSPACE_LABEL } from '../../../src/core/hosts/workspaceSpec';
import { ownedDescription, workspaceContextValue } from '../../../src/extension/workspaces/model';

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}
const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { menus: Record<string, MenuEntry[]> } };

/** VS Code's `when` for the forms these menus use: `key == value` and `key =~ /re/`, joined by &&. */
function holds(when: string | undefined, ctx: Record<string, string>): boolean {
  if (!when) return true;
  return when.split('&&').every((term) => {
    const t = term.trim();
    const eq = /^([\w.]+)\s*==\s*(\S+)$/.exec(t);
    if (eq) return ctx[eq[1]] === eq[2];
    const re = /^([\w.]+)\s*=~\s*\/(.*)\/([a-z]*)$/.exec(t);
    if (re) return new RegExp(re[2], re[3]).test(ctx[re[1]] ?? '');
    throw new Error(`this test cannot read the when clause "${t}"`);
  });
}

/** The commands an item's right-click menu and inline buttons offer. */
function offered(contextValue: string): string[] {
  const ctx = { view: 'mlops.workspaces', viewItem: contextValue };
  return [...new Set(pkg.contributes.menus['view/item/context'].filter((m) => holds(m.when, ctx)).map((m) => m.command))].sort();
}

const STATES = ['running', 'exited', 'paused', 'restarting', 'created'];
const CHANGES = ['mlops.workspace.start', 'mlops.workspace.stop', 'mlops.workspace.restart', 'mlops.workspace.remove', 'mlops.workspace.openTerminal'];

describe('workspaces view: Mine and Team', () => {
  it('gives a teammate\'s workspace its own contextValue', () => {
    assert.equal(workspaceContextValue('running', true), 'mlops.workspace.running');
    assert.equal(workspaceContextValue('running', false), 'mlops.teamWorkspace.running');
    assert.equal(workspaceContextValue('exited', false), 'mlops.teamWorkspace.stopped');
  });

  it("leads a teammate's item with its owner, or \"unknown owner\" without the label", () => {
    const ws = { image: 'img:1', ports: [], status: 'Up 3 minutes', gpus: '2' };
    assert.equal(ownedDescription({ ...ws, labels: { [OWNER_LABEL]: 'alice' } }, false), 'alice · img:1 · GPUs 2 · Up 3 minutes');
    assert.equal(ownedDescription({ ...ws, labels: {} }, false), 'unknown owner · img:1 · GPUs 2 · Up 3 minutes');
    assert.equal(ownedDescription({ ...ws, labels: { [OWNER_LABEL]: 'bob' } }, true), 'img:1 · GPUs 2 · Up 3 minutes');
  });

  for (const state of STATES) {
    it(`offers only logs and details on a teammate's ${state} workspace`, () => {
      assert.deepEqual(offered(workspaceContextValue(state, false)), ['mlops.workspace.copyDockerRun', 'mlops.workspace.logs']);
    });
  }

  it('still offers the changes on the user\'s own workspaces (the menus were not simply emptied)', () => {
    const running = offered(workspaceContextValue('running', true));
    const stopped = offered(workspaceContextValue('exited', true));
    for (const c of ['mlops.workspace.stop', 'mlops.workspace.restart', 'mlops.workspace.remove', 'mlops.workspace.openTerminal', 'mlops.workspace.logs']) assert.ok(running.includes(c), c);
    assert.ok(stopped.includes('mlops.workspace.start'));
    for (const c of CHANGES) assert.ok(running.includes(c) || stopped.includes(c), `${c} is offered on none of the user's own items`);
  });
});

/** An engine that answers inspect with `labels` and records every change asked of it. */
function engineWith(labels: Record<string, string>): { docker: Docker; calls: string[] } {
  const calls: string[] = [];
  const container = {
    inspect: async () => ({ Config: { Labels: labels } }),
    start: async () => void calls.push('start'),
    stop: async () => void calls.push('stop'),
    restart: async () => void calls.push('restart'),
    remove: async () => void calls.push('remove'),
  };
  return { docker: { getContainer: () => container } as unknown as Docker, calls };
}

describe('workspace commands: the owner is checked on the engine', () => {
  const actions: WorkspaceChange[] = ['start', 'stop', 'restart', 'remove'];
  for (const action of actions) {
    it(`refuses to ${action} a teammate's workspace, naming the owner, and sends nothing`, async () => {
      const { docker, calls } = engineWith({ [WORKSPACE_LABEL]: '1', [OWNER_LABEL]: 'alice' });
      await assert.rejects(changeWorkspace(docker, { id: 'c1', name: 'bert-ft' }, action, 'bob'), (e: unknown) => {
        assert.ok(e instanceof WorkspaceRefusedError);
        assert.deepEqual(e.refusal, { reason: 'teammate', owner: 'alice' });
        assert.match(e.message, /bert-ft belongs to alice/);
        return true;
      });
      assert.deepEqual(calls, []);
    });
  }

  it('refuses a workspace without an owner label, and one without our label', async () => {
    const noOwner = engineWith({ [WORKSPACE_LABEL]: '1' });
    await assert.rejects(changeWorkspace(noOwner.docker, { id: 'c1', name: 'old' }, 'stop', 'bob'), (e: unknown) => e instanceof WorkspaceRefusedError && e.refusal.reason === 'no-owner');
    const notOurs = engineWith({ [OWNER_LABEL]: 'bob' });
    await assert.rejects(changeWorkspace(notOurs.docker, { id: 'c2', name: 'theirs' }, 'remove', 'bob'), /does not carry the mlops.workspace label/);
    assert.deepEqual([...noOwner.calls, ...notOurs.calls], []);
  });

  it('goes by the engine\'s labels, not by what the caller claims (a forged argument)', async () => {
    // The argument says nothing about the owner; only the engine's answer counts.
    const { docker, calls } = engineWith({ [WORKSPACE_LABEL]: '1', [OWNER_LABEL]: 'alice' });
    await assert.rejects(changeWorkspace(docker, { id: 'c1', name: 'forged', labels: { [OWNER_LABEL]: 'bob' } } as { id: string; name: string }, 'remove', 'bob'), WorkspaceRefusedError);
    assert.deepEqual(calls, []);
  });

  it('does the change on the user\'s own workspace', async () => {
    const { docker, calls } = engineWith({ [WORKSPACE_LABEL]: '1', [OWNER_LABEL]: 'bob' });
    for (const action of actions) await changeWorkspace(docker, { id: 'c1', name: 'mine' }, action, 'bob');
    assert.deepEqual(calls, actions);
  });
});
