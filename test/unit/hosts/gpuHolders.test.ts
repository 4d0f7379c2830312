import { strict as assert } from 'node:assert';
import { gpuHolders, gpuUse, holdersSummary, holderText, reservedGpuIds } from '../../../src/core/hosts/gpuHolders';
import { OWNER_LABEL } from '../../../src/core/hosts/ownership';
import type { GpuInfo } from '../../../src/core/hosts/gpuProbe';
import type { GpuProcess } from '../../../src/core/hosts/gpuProcesses';

// Hand-written GPU and process records (no GPU here), shaped as the probe parses nvidia-smi's CSV.
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const ID_X = 'c'.repeat(64);
const gpu = (index: number, used: number | null = 4): GpuInfo => ({ index, uuid: `GPU-${index}`, name: 'NVIDIA A100-SXM4-80GB', memoryUsedMiB: used, memoryTotalMiB: 81920, utilizationPct: 0, temperatureC: 30 });
const proc = (pid: number, gpuIndex: number, owner: GpuProcess['owner'], name: string | null = '/usr/bin/python3'): GpuProcess => ({ pid, name, usedMemoryMiB: 30000, gpuUuid: `GPU-${gpuIndex}`, owner });
const workspaces: Array<{ id: string; name: string; state: string; labels: Record<string, string> }> = [
  { id: ID_A, name: 'bert-ft', state: 'running', labels: { [OWNER_LABEL]: 'alice', 'mlops.gpus': 'device=2' } },
  { id: ID_B, name: 'llm', state: 'running', labels: {} },
];

describe('gpuHolders', () => {
  it('names a workspace process owner/name, without owner the name, a foreign container by short id', () => {
    const ps = [proc(1, 2, { kind: 'container', containerId: ID_A }), proc(2, 2, { kind: 'container', containerId: ID_B }), proc(3, 2, { kind: 'container', containerId: ID_X })];
    assert.deepEqual(gpuHolders(gpu(2), ps, workspaces).map((h) => h.text), ['alice/bert-ft', 'llm', 'container cccccccccccc']);
    assert.equal(gpuHolders(gpu(2), ps, workspaces)[0].workspace?.name, 'bert-ft');
  });

  it('says what it knows of a process in no container, an exited one, an unreadable one', () => {
    assert.equal(holderText(proc(4242, 0, { kind: 'host' })), 'python3 (pid 4242)');
    assert.equal(holderText(proc(4243, 0, { kind: 'host' }, null)), 'process (pid 4243)');
    assert.equal(holderText(proc(4244, 0, { kind: 'exited' })), 'pid 4244 (exited)');
    assert.equal(holderText(proc(4245, 0, { kind: 'denied' })), 'pid 4245 (not readable)');
    assert.equal(holderText(proc(4246, 0, { kind: 'unknown' })), 'python3 (pid 4246)');
  });

  it('only the processes of that GPU; none for a GPU without UUID', () => {
    const ps = [proc(1, 0, { kind: 'host' }), proc(2, 1, { kind: 'host' })];
    assert.deepEqual(gpuHolders(gpu(1), ps, []).map((h) => h.process.pid), [2]);
    assert.deepEqual(gpuHolders({ ...gpu(1), uuid: null }, ps, []), []);
  });

  it('sums up holders once each, two named at most', () => {
    const hs = [1, 2, 3, 4].map((pid) => gpuHolders(gpu(0), [proc(pid, 0, { kind: 'host' }, `p${pid}`)], [])[0]);
    assert.equal(holdersSummary(hs.slice(0, 1)), 'p1 (pid 1)');
    assert.equal(holdersSummary(hs), 'p1 (pid 1), p2 (pid 2) +2');
    assert.equal(holdersSummary([hs[0], hs[0]]), 'p1 (pid 1)');
  });

  it('reserves the GPU ids given to running workspaces only', () => {
    const r = reservedGpuIds([...workspaces, { name: 'old', state: 'exited', labels: { 'mlops.gpus': 'device=3' } }, { name: 'n', state: 'running', labels: { 'mlops.gpus': '2' } }]);
    assert.deepEqual([...r], [['2', 'alice/bert-ft']]);
  });

  it('free: no process, memory below the threshold, not given to a running workspace', () => {
    const opts = { freeMemoryMiB: 1024, processesKnown: true };
    assert.deepEqual(gpuUse(gpu(0), [], opts), { free: true });
    assert.deepEqual(gpuUse(gpu(0, 2048), [], opts), { free: false, why: '2.0 GiB in use' });
    assert.deepEqual(gpuUse(gpu(0, 1023), [], opts), { free: true });
    const held = gpuHolders(gpu(0), [proc(9, 0, { kind: 'exited' })], []);
    assert.deepEqual(gpuUse(gpu(0), held, opts), { free: false, why: 'held by pid 9 (exited)' });
    assert.deepEqual(gpuUse(gpu(2), [], { ...opts, reserved: reservedGpuIds(workspaces) }), { free: false, why: 'given to alice/bert-ft' });
    // [N/A] memory: the processes decide; unknown both ways is not free.
    assert.deepEqual(gpuUse(gpu(0, null), [], opts), { free: true });
    assert.deepEqual(gpuUse(gpu(0, null), [], { ...opts, processesKnown: false }), { free: false, why: 'memory use and processes unknown' });
  });
});
