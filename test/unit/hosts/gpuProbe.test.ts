import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GPU_PROBE_ARGV, interpretGpuProbe, interpretGpuProbeScript, NVIDIA_SMI_APPS_ARGV, NVIDIA_SMI_QUERY_ARGV, parseNvidiaSmiCsv } from '../../../src/core/hosts/gpuProbe';

// The nvidia-smi fixtures are HAND-WRITTEN from NVIDIA's documented CSV formats (see
// fixtures/README.md): no GPU was available to the tasks that wrote them.
const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
const M = '@@mlops-gpu';
const ID = 'a'.repeat(64);

/** What GPU_PROBE_ARGV prints: its sections, as the script writes them. */
function scriptOutput(parts: { gpus?: [number, string]; apps?: [number, string]; cgroups?: string[] }): string {
  const out = ['Welcome to gpu-box! (a login banner)'];
  if (parts.gpus) out.push(`${M} gpus ${parts.gpus[0]}`, parts.gpus[1]);
  if (parts.apps) out.push(`${M} apps ${parts.apps[0]}`, parts.apps[1]);
  if (parts.cgroups) out.push(`${M} cgroups 0`, ...parts.cgroups);
  return `${out.join('\n')}\n`;
}

describe('gpuProbe', () => {
  it('queries the GPUs with their UUIDs, and the compute processes, as CSV without header or units', () => {
    assert.deepEqual(NVIDIA_SMI_QUERY_ARGV, ['nvidia-smi', '--query-gpu=index,uuid,name,memory.used,memory.total,utilization.gpu,temperature.gpu', '--format=csv,noheader,nounits']);
    assert.deepEqual(NVIDIA_SMI_APPS_ARGV, ['nvidia-smi', '--query-compute-apps=pid,process_name,used_memory,gpu_uuid', '--format=csv,noheader,nounits']);
    // One command: both queries and the /proc reads run in the one script.
    assert.equal(GPU_PROBE_ARGV[0], 'sh');
    assert.match(GPU_PROBE_ARGV[2], /--query-gpu=.*\n[^]*--query-compute-apps=[^]*\/proc\/\$p\/cgroup/);
    assert.match(GPU_PROBE_ARGV[2], /head -n 64\b/);
    assert.match(GPU_PROBE_ARGV[2], /head -n 256\b/);
  });

  it('parses eight H100s with their UUIDs', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-smi-h100x8.csv'));
    assert.equal(gpus.length, 8);
    assert.deepEqual(gpus[0], { index: 0, uuid: 'GPU-5e3b1c0a-7f2d-4c1e-9a8b-000000000000', name: 'NVIDIA H100 80GB HBM3', memoryUsedMiB: 71234, memoryTotalMiB: 81559, utilizationPct: 98, temperatureC: 67 });
    assert.deepEqual(gpus.map((g) => g.index), [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads [N/A] and [Not Supported] as null (a UUID too), and tolerates extra spaces', () => {
    const a100 = parseNvidiaSmiCsv(fixture('nvidia-smi-a100-mig.csv'));
    assert.equal(a100[0].utilizationPct, null);
    assert.deepEqual(a100[1], { index: 1, uuid: 'GPU-a1000000-0000-4000-8000-000000000001', name: 'NVIDIA A100-SXM4-40GB', memoryUsedMiB: 12018, memoryTotalMiB: 40960, utilizationPct: 100, temperatureC: 71 });
    const rtx = parseNvidiaSmiCsv(fixture('nvidia-smi-rtx.csv'));
    assert.deepEqual(rtx[1], { index: 1, uuid: null, name: 'Quadro RTX 8000', memoryUsedMiB: null, memoryTotalMiB: null, utilizationPct: null, temperatureC: 38 });
  });

  it('keeps a name that contains a comma, and skips blank, malformed and overlong lines (CRLF too)', () => {
    const gpus = parseNvidiaSmiCsv(`\r\n0, GPU-x, Odd, Name, 1, 2, 3, 4\r\ngarbage\r\nx, GPU-y, a, 1, 2, 3, 4\r\n1, GPU-z, ${'n'.repeat(5000)}, 1, 2, 3, 4\r\n`);
    assert.deepEqual(gpus, [{ index: 0, uuid: 'GPU-x', name: 'Odd, Name', memoryUsedMiB: 1, memoryTotalMiB: 2, utilizationPct: 3, temperatureC: 4 }]);
  });

  it('reads at most 64 GPU lines', () => {
    const many = Array.from({ length: 500 }, (_, i) => `${i}, GPU-${i}, X, 1, 2, 3, 4`).join('\n');
    assert.equal(parseNvidiaSmiCsv(many).length, 64);
  });

  it('turns a missing nvidia-smi into "no NVIDIA GPU", not an error', () => {
    const none = { kind: 'none', reason: 'no NVIDIA GPU' };
    assert.deepEqual({ ...interpretGpuProbe({ code: 127, stdout: '', stderr: 'bash: line 1: nvidia-smi: command not found\n' }), detail: undefined }, { ...none, detail: undefined });
    assert.equal(interpretGpuProbe({ code: 127, stdout: '', stderr: '' }).kind, 'none');
    assert.equal(interpretGpuProbe({ code: 6, stdout: 'No devices were found\n', stderr: '' }).kind, 'none');
    assert.equal(interpretGpuProbe({ code: 0, stdout: '', stderr: '' }).kind, 'none');
  });

  it("reports a broken driver as an error with nvidia-smi's words", () => {
    const r = interpretGpuProbe({
      code: 9,
      stdout: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
      stderr: '',
    });
    assert.equal(r.kind, 'error');
    assert.match((r as { message: string }).message, /couldn't communicate with the NVIDIA driver/);
  });

  it('answers the GPUs of a successful run', () => {
    const r = interpretGpuProbe({ code: 0, stdout: fixture('nvidia-smi-rtx.csv'), stderr: '' });
    assert.equal(r.kind, 'gpus');
    assert.equal((r as { gpus: unknown[] }).gpus.length, 2);
  });
});

describe('gpuProbe: the batched script', () => {
  it('a host without nvidia-smi: "no NVIDIA GPU" saying so, never an error', () => {
    const r = interpretGpuProbeScript({ code: 0, stdout: scriptOutput({ gpus: [127, ''] }), stderr: '' });
    assert.deepEqual(r, { kind: 'none', reason: 'no NVIDIA GPU', detail: 'nvidia-smi is not installed on this host, or not on the PATH of its login shell' });
  });

  it('a broken driver: the error in nvidia-smi\'s words, the processes not asked', () => {
    const r = interpretGpuProbeScript({ code: 0, stdout: scriptOutput({ gpus: [9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."] }), stderr: '' });
    assert.equal(r.kind, 'error');
    assert.match((r as { message: string }).message, /^nvidia-smi failed: NVIDIA-SMI has failed/);
  });

  it('a shell that did not run the script at all is an error with the shell\'s words', () => {
    const r = interpretGpuProbeScript({ code: 127, stdout: '', stderr: 'sh: command not found' });
    assert.deepEqual(r, { kind: 'error', message: 'GPU probe failed: sh: command not found' });
  });

  it('maps each process to its container (v1 and v2 cgroups), the host, an exited pid and an unreadable one', () => {
    const out = scriptOutput({
      gpus: [0, fixture('nvidia-smi-h100x8.csv').trimEnd()],
      apps: [0, fixture('nvidia-smi-apps.csv').trimEnd()],
      cgroups: [
        `${M} pid 48211`,
        `12:pids:/docker/${ID}`,
        `4:memory:/docker/${ID}`,
        `${M} pid 51007`,
        `0::/system.slice/docker-${'b'.repeat(64)}.scope`,
        `${M} gone 51120`,
        `${M} denied 3310`,
        `${M} pid 52001`,
        '0::/user.slice/user-1000.slice/session-3.scope',
      ],
    });
    const r = interpretGpuProbeScript({ code: 0, stdout: out, stderr: '' });
    assert.equal(r.kind, 'gpus');
    if (r.kind !== 'gpus') return;
    assert.equal(r.gpus.length, 8);
    assert.equal(r.processProblem, undefined);
    const by = (pid: number, gpu: string) => r.processes.find((p) => p.pid === pid && p.gpuUuid.endsWith(gpu));
    assert.deepEqual(by(48211, '0'), { pid: 48211, name: '/usr/bin/python3', usedMemoryMiB: 70980, gpuUuid: 'GPU-5e3b1c0a-7f2d-4c1e-9a8b-000000000000', owner: { kind: 'container', containerId: ID } });
    assert.deepEqual(by(48211, '1')?.owner, { kind: 'container', containerId: ID }, 'a process on two GPUs is looked up once and shown on both');
    assert.deepEqual(by(51007, '4')?.owner, { kind: 'container', containerId: 'b'.repeat(64) });
    assert.deepEqual(by(51120, '5'), { pid: 51120, name: '/opt/conda/bin/python3.11', usedMemoryMiB: null, gpuUuid: 'GPU-5e3b1c0a-7f2d-4c1e-9a8b-000000000005', owner: { kind: 'exited' } });
    assert.deepEqual(by(3310, '5'), { pid: 3310, name: null, usedMemoryMiB: 40000, gpuUuid: 'GPU-5e3b1c0a-7f2d-4c1e-9a8b-000000000005', owner: { kind: 'denied' } });
    assert.deepEqual(by(52001, '7'), { pid: 52001, name: '/home/carol/run,odd.sh', usedMemoryMiB: 12, gpuUuid: 'GPU-5e3b1c0a-7f2d-4c1e-9a8b-000000000007', owner: { kind: 'host' } });
  });

  it('a pid whose cgroup read came back empty (it exited in between) is "exited"; one never looked up is "unknown"', () => {
    const out = scriptOutput({ gpus: [0, '0, GPU-1, T4, 1, 2, 3, 4'], apps: [0, '10, a, 1, GPU-1\n11, b, 1, GPU-1'], cgroups: [`${M} pid 10`] });
    const r = interpretGpuProbeScript({ code: 0, stdout: out, stderr: '' });
    assert.ok(r.kind === 'gpus');
    assert.deepEqual(
      r.processes.map((p) => p.owner.kind),
      ['exited', 'unknown'],
    );
  });

  it('no compute process: an empty list; a failed process query: the GPUs still, and why the processes are unknown', () => {
    const idle = interpretGpuProbeScript({ code: 0, stdout: scriptOutput({ gpus: [0, '0, GPU-1, T4, 1, 2, 3, 4'], apps: [0, ''], cgroups: [] }), stderr: '' });
    assert.deepEqual(idle.kind === 'gpus' && [idle.processes, idle.processProblem], [[], undefined]);
    const failed = interpretGpuProbeScript({ code: 0, stdout: scriptOutput({ gpus: [0, '0, GPU-1, T4, 1, 2, 3, 4'], apps: [2, 'Field "gpu_uuid" is not a valid field to query.'] }), stderr: '' });
    assert.ok(failed.kind === 'gpus');
    assert.equal(failed.gpus.length, 1);
    assert.equal(failed.processProblem, 'nvidia-smi could not list processes: Field "gpu_uuid" is not a valid field to query.');
  });
});
