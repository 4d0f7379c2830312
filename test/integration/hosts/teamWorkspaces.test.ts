// Two teammates on one shared GPU server: the OS users alice and bob log in to the test
// sshd with keys of their own and reach the one Docker engine through it (dial-stdio, as
// members of the socket's group). alice launches a workspace; bob sees it as Team with
// alice as its owner, and the command layer refuses his stop and remove: the container
// keeps running, as the engine itself (its local socket) says.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { SshHostConnection } from '../../../src/core/hosts/hostConnection';
import { isMine, OWNER_LABEL, ownerLabels, ownerText, refusal, resolveUser, splitByOwner } from '../../../src/core/hosts/ownership';
import { changeWorkspace, listWorkspaces, WorkspaceRefusedError, type WorkspaceSummary } from '../../../src/core/hosts/workspaces';
import { workspaceContextValue } from '../../../src/extension/workspaces/model';
import { localTestHost, ownerLabels as testRunLabels, requireComponent, sshTestHostAs, startTestWorkspace, type DockerComponent } from '../harness';

/** The name the server gave this login: what os.userInfo() says on that user's own machine. */
async function osUser(conn: SshHostConnection): Promise<string> {
  const r = await conn.exec(['id', '-un']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

describe('a shared host: Mine and Team for two OS users over SSH', function () {
  this.timeout(120000);
  const run = testRunLabels('team');
  let dockerC: DockerComponent;
  let alice: SshHostConnection | undefined;
  let bob: SshHostConnection | undefined;
  let engine: Docker;
  let aliceMe = '';
  let bobMe = '';
  let aliceWs: Docker.Container | undefined;
  let bobWs: Docker.Container | undefined;

  before(async function () {
    dockerC = requireComponent(this, 'docker');
    const ssh = requireComponent(this, 'ssh');
    const users = requireComponent(this, 'sshUsers');
    engine = localTestHost(dockerC).docker();
    alice = sshTestHostAs(ssh, users.alice);
    bob = sshTestHostAs(ssh, users.bob);
    const [aliceName, bobName] = await Promise.all([osUser(alice), osUser(bob)]);
    assert.deepEqual([aliceName, bobName], ['alice', 'bob'], 'each connection is its own OS user');
    // Each one's identity as the extension resolves it with mlops.user empty: the OS user.
    aliceMe = resolveUser('', () => aliceName);
    bobMe = resolveUser('', () => bobName);
  });

  after(async () => {
    // Through root's local socket: nothing of this run outlives a failed test.
    if (engine) {
      const left = await engine.listContainers({ all: true, filters: { label: Object.entries(run).map(([k, v]) => `${k}=${v}`) } });
      await Promise.all(left.map((c) => engine.getContainer(c.Id).remove({ force: true })));
    }
    alice?.dispose();
    bob?.dispose();
  });

  const listedBy = async (conn: SshHostConnection): Promise<WorkspaceSummary[]> => listWorkspaces(conn.docker(), run);

  it('alice launches through our launch path: the workspace carries her as its owner', async () => {
    // The labels launch.ts gives every workspace: the test run's own, then the owner (last, so it cannot be replaced).
    aliceWs = await startTestWorkspace(alice!, { ...run, ...ownerLabels(aliceMe) }, { image: dockerC.image, name: `bert-ft-${randomBytes(3).toString('hex')}` });
    const info = await engine.getContainer(aliceWs.id).inspect();
    assert.equal(info.Config.Labels[OWNER_LABEL], 'alice');
    assert.equal(info.State.Running, true);
  });

  it("bob lists the host over his own connection and sees alice's workspace as Team, owner alice", async () => {
    bobWs = await startTestWorkspace(bob!, { ...run, ...ownerLabels(bobMe) }, { image: dockerC.image, name: `bob-nb-${randomBytes(3).toString('hex')}` });
    const list = await listedBy(bob!);
    const { mine, team } = splitByOwner(list, bobMe);
    assert.deepEqual(
      mine.map((w) => w.id),
      [bobWs.id],
    );
    assert.deepEqual(
      team.map((w) => w.id),
      [aliceWs!.id],
    );
    const hers = team[0];
    assert.equal(ownerText(hers.labels), 'alice');
    assert.equal(workspaceContextValue(hers.state, isMine(hers, bobMe)), 'mlops.teamWorkspace.running', 'no start/stop/remove menus on it');
    assert.deepEqual(refusal(hers.labels, bobMe), { reason: 'teammate', owner: 'alice' });
    // And the other way round: alice sees bob's as Team.
    const fromAlice = splitByOwner(await listedBy(alice!), aliceMe);
    assert.deepEqual(
      fromAlice.team.map((w) => w.id),
      [bobWs.id],
    );
  });

  for (const action of ['stop', 'remove', 'restart'] as const) {
    it(`bob's ${action} of alice's workspace is refused, naming alice, and it keeps running`, async () => {
      const hers = (await listedBy(bob!)).find((w) => w.id === aliceWs!.id)!;
      const before = await engine.getContainer(hers.id).inspect();
      await assert.rejects(changeWorkspace(bob!.docker(), hers, action, bobMe), (e: unknown) => {
        assert.ok(e instanceof WorkspaceRefusedError, String(e));
        assert.deepEqual(e.refusal, { reason: 'teammate', owner: 'alice' });
        assert.match(e.message, /belongs to alice/);
        return true;
      });
      const after = await engine.getContainer(hers.id).inspect();
      assert.equal(after.State.Running, true);
      assert.equal(after.State.StartedAt, before.State.StartedAt, 'it was not restarted either');
    });
  }

  it("a forged argument does not help: bob's stop of alice's container under his own name is still refused", async () => {
    const forged = { id: aliceWs!.id, name: 'my-notebook', labels: { [OWNER_LABEL]: 'bob' } };
    await assert.rejects(changeWorkspace(bob!.docker(), forged, 'stop', bobMe), WorkspaceRefusedError);
    assert.equal((await engine.getContainer(aliceWs!.id).inspect()).State.Running, true);
  });

  it('alice herself stops and removes her workspace through the same command layer', async () => {
    const hers = (await listedBy(alice!)).find((w) => w.id === aliceWs!.id)!;
    await changeWorkspace(alice!.docker(), hers, 'stop', aliceMe);
    assert.equal((await engine.getContainer(hers.id).inspect()).State.Running, false);
    await changeWorkspace(alice!.docker(), hers, 'remove', aliceMe);
    assert.deepEqual(
      (await listedBy(bob!)).map((w) => w.id),
      [bobWs!.id],
    );
  });
});
