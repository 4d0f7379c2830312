// Idle auto-stop against the real engine: the limit travels as a label from the launch spec
// to the listing, the refresh's samples watch only the user's own workspace, and the stop
// goes through the owner-checked change. The GPU probe is hand-written (this engine has no
// GPU), its process mapped to the real container id as the probe's cgroup lookup does; the
// clock is injected, so nothing sleeps.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { IdleStopper, idleSamples } from '../../../src/core/hosts/idleStop';
import type { GpuInfo } from '../../../src/core/hosts/gpuProbe';
import type { GpuProcess } from '../../../src/core/hosts/gpuProcesses';
import { ownerLabels as ownerOf } from '../../../src/core/hosts/ownership';
import { changeWorkspace, listWorkspaces } from '../../../src/core/hosts/workspaces';
import { localTestHost, ownerLabels, requireComponent, startTestWorkspace } from '../harness';

const run = ownerLabels('idle');
const MIN = 60_000;

describe('hosts: idle auto-stop on the real engine', function () {
  this.timeout(60000);
  let engine: Docker;
  let mine: Docker.Container | undefined;
  let theirs: Docker.Container | undefined;
  const me = `me-${randomBytes(3).toString('hex')}`;

  before(async function () {
    const dockerC = requireComponent(this, 'docker');
    const conn = localTestHost(dockerC);
    engine = conn.docker();
    mine = await startTestWorkspace(conn, { ...run, ...ownerOf(me) }, { image: dockerC.image, name: `idle-mine-${randomBytes(3).toString('hex')}`, idleStopMinutes: 5 });
    theirs = await startTestWorkspace(conn, { ...run, ...ownerOf('alice') }, { image: dockerC.image, name: `idle-alice-${randomBytes(3).toString('hex')}`, idleStopMinutes: 5 });
  });
  after(async () => {
    await mine?.remove({ force: true });
    await theirs?.remove({ force: true });
  });

  it("stops the user's own idle workspace at its limit, after one warning; never a teammate's", async () => {
    const gpu = (index: number, util: number): GpuInfo => ({ index, uuid: `GPU-${index}`, name: 'NVIDIA A100', memoryUsedMiB: 500, memoryTotalMiB: 40960, utilizationPct: util, temperatureC: 35 });
    const proc = (uuid: string, containerId: string): GpuProcess => ({ pid: 100, name: 'python', usedMemoryMiB: 500, gpuUuid: uuid, owner: { kind: 'container', containerId } });
    const probe = { gpus: [gpu(0, 0), gpu(1, 0)], processes: [proc('GPU-0', mine!.id), proc('GPU-1', theirs!.id)] };
    const stopper = new IdleStopper();
    const refresh = async (now: number) => {
      const list = (await listWorkspaces(engine, run)).filter((w) => w.id === mine!.id || w.id === theirs!.id);
      const samples = idleSamples(list, probe, me);
      assert.deepEqual(samples.map((s) => [s.id, s.limitMs, s.util]), list.some((w) => w.id === mine!.id && w.state === 'running') ? [[mine!.id, 5 * MIN, [0]]] : []);
      const actions = stopper.observe(now, samples);
      for (const a of actions) if (a.kind === 'stop') await changeWorkspace(engine, { id: a.id, name: 'idle' }, 'stop', me);
      return actions;
    };
    assert.deepEqual(await refresh(0), []);
    assert.deepEqual(await refresh(3 * MIN), []);
    assert.deepEqual(await refresh(4 * MIN), [{ kind: 'warn', id: mine!.id, stopAt: 5 * MIN }]);
    assert.deepEqual(await refresh(5 * MIN), [{ kind: 'stop', id: mine!.id }]);
    assert.equal((await mine!.inspect()).State.Running, false);
    assert.equal((await theirs!.inspect()).State.Running, true);
    // Stopped: no longer watched; nothing more to do.
    assert.deepEqual(await refresh(6 * MIN), []);
  });
});
