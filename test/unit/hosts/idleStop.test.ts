import { strict as assert } from 'node:assert';
import { IdleStopper, idleLimitMs, idleSamples, workspaceGpuUtil, type IdleSample } from '../../../src/core/hosts/idleStop';
import type { GpuInfo } from '../../../src/core/hosts/gpuProbe';
import type { GpuProcess } from '../../../src/core/hosts/gpuProcesses';

const MIN = 60_000;
const gpu = (index: number, util: number | null): GpuInfo => ({ index, uuid: `GPU-${index}`, name: 'NVIDIA H100', memoryUsedMiB: 0, memoryTotalMiB: 81559, utilizationPct: util, temperatureC: 30 });
const sample = (util: number[] | undefined, limitMs = 10 * MIN): IdleSample => ({ id: 'ws1', limitMs, util });

describe('hosts: idle auto-stop', () => {
  it('reads the limit label; junk and 0 mean no limit', () => {
    assert.equal(idleLimitMs({ 'mlops.idleStopMinutes': '30' }), 30 * MIN);
    assert.equal(idleLimitMs({ 'mlops.idleStopMinutes': '0' }), undefined);
    assert.equal(idleLimitMs({ 'mlops.idleStopMinutes': 'soon' }), undefined);
    assert.equal(idleLimitMs({}), undefined);
  });

  it("a workspace's GPUs: given by id, all, or held by its processes; n/a is never idle", () => {
    const gpus = [gpu(0, 0), gpu(1, 55), gpu(2, null)];
    assert.deepEqual(workspaceGpuUtil({ id: 'c1', labels: { 'mlops.gpus': 'device=0,1' } }, gpus, []), [0, 55]);
    assert.deepEqual(workspaceGpuUtil({ id: 'c1', labels: { 'mlops.gpus': 'device=GPU-0' } }, gpus, []), [0]);
    assert.equal(workspaceGpuUtil({ id: 'c1', labels: { 'mlops.gpus': 'all' } }, gpus, []), undefined);
    const proc: GpuProcess = { pid: 7, name: 'python', usedMemoryMiB: 100, gpuUuid: 'GPU-1', owner: { kind: 'container', containerId: 'c1' } } as GpuProcess;
    assert.deepEqual(workspaceGpuUtil({ id: 'c1', labels: { 'mlops.gpus': 'none' } }, gpus, [proc]), [55]);
    assert.equal(workspaceGpuUtil({ id: 'c2', labels: { 'mlops.gpus': 'none' } }, gpus, [proc]), undefined);
  });

  it('warns a minute before the limit, once, then stops at the limit, once', () => {
    const s = new IdleStopper();
    const t0 = 1_000_000;
    assert.deepEqual(s.observe(t0, [sample([0, 0])]), []);
    assert.deepEqual(s.observe(t0 + 8 * MIN, [sample([0, 0])]), []);
    assert.deepEqual(s.observe(t0 + 9 * MIN, [sample([0, 0])]), [{ kind: 'warn', id: 'ws1', stopAt: t0 + 10 * MIN }]);
    assert.deepEqual(s.observe(t0 + 9.5 * MIN, [sample([0, 0])]), []);
    assert.deepEqual(s.observe(t0 + 10 * MIN, [sample([0, 0])]), [{ kind: 'stop', id: 'ws1' }]);
    assert.deepEqual(s.observe(t0 + 11 * MIN, [sample([0, 0])]), []);
  });

  it('any GPU at work resets the count; so does a probe that cannot say', () => {
    const s = new IdleStopper();
    s.observe(0, [sample([0, 0])]);
    s.observe(9 * MIN, [sample([0, 3])]);
    assert.deepEqual(s.observe(10 * MIN, [sample([0, 0])]), []);
    assert.deepEqual(s.observe(19 * MIN, [sample([0, 0])]), [{ kind: 'warn', id: 'ws1', stopAt: 20 * MIN }]);
    s.observe(19.5 * MIN, [sample(undefined)]);
    assert.deepEqual(s.observe(20 * MIN, [sample([0])]), []);
    assert.equal(s.idleFor('ws1', 21 * MIN), MIN);
  });

  it('"Keep running" postpones one whole period from now', () => {
    const s = new IdleStopper();
    s.observe(0, [sample([0])]);
    assert.equal(s.observe(9 * MIN, [sample([0])])[0]?.kind, 'warn');
    s.postpone('ws1', 9.5 * MIN);
    assert.deepEqual(s.observe(10 * MIN, [sample([0])]), []);
    assert.deepEqual(s.observe(18.5 * MIN, [sample([0])]), [{ kind: 'warn', id: 'ws1', stopAt: 19.5 * MIN }]);
    assert.deepEqual(s.observe(19.5 * MIN, [sample([0])]), [{ kind: 'stop', id: 'ws1' }]);
  });

  it('a workspace gone from the list is forgotten; another host\'s are kept (scope)', () => {
    const s = new IdleStopper();
    s.observe(0, [sample([0]), { id: 'other', limitMs: 10 * MIN, util: [0] }]);
    s.observe(5 * MIN, [sample([0])], (id) => id !== 'other');
    assert.equal(s.idleFor('other', 5 * MIN), 5 * MIN);
    s.observe(6 * MIN, []);
    assert.equal(s.idleFor('ws1', 6 * MIN), undefined);
  });

  it('a limit under a minute warns and stops without waiting for a warning slot', () => {
    const s = new IdleStopper();
    assert.deepEqual(s.observe(0, [sample([0], 30_000)]), [{ kind: 'warn', id: 'ws1', stopAt: 30_000 }]);
    assert.deepEqual(s.observe(30_000, [sample([0], 30_000)]), [{ kind: 'stop', id: 'ws1' }]);
  });

  it('the countdown for the item: whole minutes idle, the limit, the time left; none while working, after a stop, or with n/a', () => {
    const s = new IdleStopper();
    assert.equal(s.countdown('ws1', 0), undefined);
    s.observe(0, [sample([0], 30 * MIN)]);
    assert.deepEqual(s.countdown('ws1', 12.5 * MIN), { idleMs: 12.5 * MIN, idleMinutes: 12, limitMinutes: 30, leftMs: 17.5 * MIN });
    s.observe(13 * MIN, [sample([0, 40], 30 * MIN)]);
    assert.equal(s.countdown('ws1', 13 * MIN), undefined, 'a GPU at work disarms it');
    s.observe(14 * MIN, [sample([0], 30 * MIN)]);
    s.postpone('ws1', 20 * MIN);
    assert.deepEqual(s.countdown('ws1', 21 * MIN), { idleMs: MIN, idleMinutes: 1, limitMinutes: 30, leftMs: 29 * MIN }, '"Keep running" starts the count again');
    s.observe(22 * MIN, [sample(undefined, 30 * MIN)]);
    assert.equal(s.countdown('ws1', 22 * MIN), undefined, '[N/A] is never idle');
    s.observe(30 * MIN, [sample([0], 30 * MIN)]);
    s.observe(60 * MIN, [sample([0], 30 * MIN)]);
    assert.equal(s.countdown('ws1', 60 * MIN), undefined, 'stopping: nothing left to count');
  });

  it("samples only the user's running workspaces with a limit; without a probe, util is unknown", () => {
    const ws = (id: string, owner: string, state = 'running', limit = '5') => ({ id, state, labels: { 'mlops.owner': owner, 'mlops.idleStopMinutes': limit, 'mlops.gpus': 'device=0' } });
    const list = [ws('a', 'me'), ws('b', 'alice'), ws('c', 'me', 'exited'), ws('d', 'me', 'running', '')];
    assert.deepEqual(idleSamples(list, { gpus: [gpu(0, 0)], processes: [] }, 'me'), [{ id: 'a', limitMs: 5 * MIN, util: [0] }]);
    assert.deepEqual(idleSamples(list, undefined, 'me'), [{ id: 'a', limitMs: 5 * MIN, util: undefined }]);
  });
});
