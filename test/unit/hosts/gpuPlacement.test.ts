import { strict as assert } from 'node:assert';
import { OWNER_LABEL } from '../../../src/core/hosts/ownership';
import type { GpuInfo, GpuProbeResult } from '../../../src/core/hosts/gpuProbe';
import type { GpuProcess } from '../../../src/core/hosts/gpuProcesses';
import { gpuMatchesType, placeGpus, type HostGpuSnapshot } from '../../../src/core/hosts/gpuPlacement';

// Hand-written snapshots (no GPU here), shaped as the probe parses nvidia-smi's documented CSV.
const WS = 'a'.repeat(64);
const gpu = (index: number, name: string, used = 4): GpuInfo => ({ index, uuid: `GPU-${name}-${index}`, name, memoryUsedMiB: used, memoryTotalMiB: 81920, utilizationPct: 0, temperatureC: 30 });
const onGpu = (g: GpuInfo, pid: number, owner: GpuProcess['owner']): GpuProcess => ({ pid, name: 'python', usedMemoryMiB: 30000, gpuUuid: g.uuid!, owner });
const gpus = (list: GpuInfo[], processes: GpuProcess[] = [], processProblem?: string): GpuProbeResult => ({ kind: 'gpus', gpus: list, processes, ...(processProblem ? { processProblem } : {}) });
const opts = { freeMemoryMiB: 1024 };

const a100s = [0, 1, 2, 3].map((i) => gpu(i, 'NVIDIA A100-SXM4-80GB'));
const busyA100: HostGpuSnapshot = {
  host: 'gpu-a',
  probe: gpus(a100s.map((g, i) => (i === 1 ? { ...g, memoryUsedMiB: 20000 } : g)), [onGpu(a100s[0], 10, { kind: 'container', containerId: WS }), onGpu(a100s[2], 11, { kind: 'host' })]),
  workspaces: [{ id: WS, name: 'bert-ft', state: 'running', labels: { [OWNER_LABEL]: 'alice' } }],
};
const h100Host: HostGpuSnapshot = { host: 'gpu-b', probe: gpus([gpu(0, 'NVIDIA H100 80GB HBM3'), gpu(1, 'NVIDIA H100 80GB HBM3')]) };
const freeA100: HostGpuSnapshot = { host: 'gpu-c', probe: gpus([gpu(0, 'NVIDIA A100 80GB PCIe', 300), gpu(1, 'NVIDIA A100 80GB PCIe', 0), gpu(2, 'NVIDIA A100 80GB PCIe')]) };
const noSmi: HostGpuSnapshot = { host: 'This machine', probe: { kind: 'none', reason: 'no NVIDIA GPU', detail: 'nvidia-smi is not installed on this host' } };
const down: HostGpuSnapshot = { host: 'gpu-d', probe: { kind: 'unreachable', message: 'connect ECONNREFUSED 10.0.0.4:22' } };

describe('gpuPlacement', () => {
  it('A100:2 goes to the first host in order with two free A100s, saying why each host before it was skipped', () => {
    const r = placeGpus([down, noSmi, busyA100, h100Host, freeA100], { count: 2, type: 'A100' }, opts);
    assert.ok('host' in r, JSON.stringify(r));
    assert.deepEqual(r.host, 'gpu-c');
    assert.deepEqual(r.deviceIds, ['0', '1']);
    assert.deepEqual(r.skipped, [
      { host: 'gpu-d', reason: 'not reachable: connect ECONNREFUSED 10.0.0.4:22' },
      { host: 'This machine', reason: 'no NVIDIA GPU (nvidia-smi is not installed on this host)' },
      { host: 'gpu-a', reason: '2 A100 GPUs needed, 1 of 4 free (GPU 0 held by alice/bert-ft; GPU 1 19.5 GiB in use; GPU 2 held by python (pid 11))' },
      { host: 'gpu-b', reason: 'no A100 GPU (it has 2× NVIDIA H100 80GB HBM3)' },
    ]);
  });

  it('a count of any type takes the lowest free indexes of the first host that has enough', () => {
    assert.deepEqual(placeGpus([busyA100, h100Host], { count: 1 }, opts), { host: 'gpu-a', deviceIds: ['3'], skipped: [] });
    assert.deepEqual(placeGpus([busyA100, h100Host], { count: 2 }, opts), { host: 'gpu-b', deviceIds: ['0', '1'], skipped: [{ host: 'gpu-a', reason: '2 GPUs needed, 1 of 4 free (GPU 0 held by alice/bert-ft; GPU 1 19.5 GiB in use; GPU 2 held by python (pid 11))' }] });
  });

  it('explicit ids: placed where they exist and are free; a busy or missing one is the reason', () => {
    assert.deepEqual(placeGpus([busyA100], { ids: ['3'] }, opts), { host: 'gpu-a', deviceIds: ['3'], skipped: [] });
    assert.deepEqual(placeGpus([busyA100], { ids: [a100s[3].uuid!] }, opts), { host: 'gpu-a', deviceIds: ['3'], skipped: [] });
    assert.deepEqual(placeGpus([busyA100], { ids: ['0', '3', '7'] }, opts), { reasons: [{ host: 'gpu-a', reason: 'GPU 0 held by alice/bert-ft; no GPU 7 (it has GPUs 0, 1, 2, 3)' }] });
  });

  it('no host fits: every host with its reason; no host at all: no reasons', () => {
    const r = placeGpus([noSmi, h100Host], { count: 1, type: 'A100' }, opts);
    assert.deepEqual(r, { reasons: [{ host: 'This machine', reason: 'no NVIDIA GPU (nvidia-smi is not installed on this host)' }, { host: 'gpu-b', reason: 'no A100 GPU (it has 2× NVIDIA H100 80GB HBM3)' }] });
    assert.deepEqual(placeGpus([], { count: 1 }, opts), { reasons: [] });
    const broken: HostGpuSnapshot = { host: 'x', probe: { kind: 'error', message: "nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." } };
    assert.deepEqual(placeGpus([broken], { count: 1 }, opts), { reasons: [{ host: 'x', reason: "nvidia-smi failed: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." }] });
  });

  it('a GPU given to a running workspace by id is not free even with nothing on it yet; a stopped one frees it', () => {
    const host = (state: string): HostGpuSnapshot => ({ host: 'h', probe: gpus([gpu(0, 'T4'), gpu(1, 'T4')]), workspaces: [{ id: WS, name: 'nb', state, labels: { 'mlops.gpus': 'device=0' } }] });
    assert.deepEqual(placeGpus([host('running')], { count: 1 }, opts), { host: 'h', deviceIds: ['1'], skipped: [] });
    assert.deepEqual(placeGpus([host('running')], { count: 2 }, opts), { reasons: [{ host: 'h', reason: '2 GPUs needed, 1 of 2 free (GPU 0 given to nb)' }] });
    assert.deepEqual(placeGpus([host('exited')], { count: 2 }, opts), { host: 'h', deviceIds: ['0', '1'], skipped: [] });
  });

  it('the memory threshold is the setting; unknown processes leave memory to decide and say so', () => {
    const h: HostGpuSnapshot = { host: 'h', probe: gpus([gpu(0, 'T4', 900), gpu(1, 'T4', 2000)], [], 'nvidia-smi could not list processes: Insufficient Permissions') };
    assert.deepEqual(placeGpus([h], { count: 1 }, opts), { host: 'h', deviceIds: ['0'], skipped: [] });
    assert.deepEqual(placeGpus([h], { count: 2 }, { freeMemoryMiB: 4096 }), { host: 'h', deviceIds: ['0', '1'], skipped: [] });
    assert.deepEqual(placeGpus([h], { count: 1 }, { freeMemoryMiB: 512 }), {
      reasons: [{ host: 'h', reason: '1 GPU needed, 0 of 2 free (GPU 0 0.9 GiB in use; GPU 1 2.0 GiB in use; nvidia-smi could not list processes: Insufficient Permissions)' }],
    });
  });

  it('a type names whole words of the GPU name, in any case and spacing', () => {
    assert.ok(gpuMatchesType('NVIDIA A100-SXM4-80GB', 'A100'));
    assert.ok(gpuMatchesType('NVIDIA A100-SXM4-80GB', 'a100'));
    assert.ok(gpuMatchesType('NVIDIA GeForce RTX 4090', 'RTX4090'));
    assert.ok(gpuMatchesType('NVIDIA GeForce RTX 4090', 'rtx-4090'));
    assert.ok(gpuMatchesType('NVIDIA H100 80GB HBM3', 'H100'));
    assert.ok(!gpuMatchesType('NVIDIA A100-SXM4-80GB', 'A10'));
    assert.ok(!gpuMatchesType('NVIDIA L40S', 'L4'));
    assert.ok(!gpuMatchesType('Tesla V100-PCIE-16GB', 'A100'));
  });
});
