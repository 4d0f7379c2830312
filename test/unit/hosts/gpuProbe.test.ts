import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { interpretGpuProbe, NVIDIA_SMI_QUERY_ARGV, parseNvidiaSmiCsv } from '../../../src/core/hosts/gpuProbe';

// The fixtures are hand-written (see fixtures/README.md): no GPU was available.
const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

describe('gpuProbe', () => {
  it('queries nvidia-smi as an argv in CSV without header or units', () => {
    assert.deepEqual(NVIDIA_SMI_QUERY_ARGV, [
      'nvidia-smi',
      '--query-gpu=index,name,memory.used,memory.total,utilization.gpu,temperature.gpu',
      '--format=csv,noheader,nounits',
    ]);
  });

  it('parses eight H100s', () => {
    const gpus = parseNvidiaSmiCsv(fixture('nvidia-smi-h100x8.csv'));
    assert.equal(gpus.length, 8);
    assert.deepEqual(gpus[0], { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryUsedMiB: 71234, memoryTotalMiB: 81559, utilizationPct: 98, temperatureC: 67 });
    assert.deepEqual(gpus.map((g) => g.index), [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads [N/A] and [Not Supported] as null, and tolerates extra spaces', () => {
    const a100 = parseNvidiaSmiCsv(fixture('nvidia-smi-a100-mig.csv'));
    assert.equal(a100[0].utilizationPct, null);
    assert.deepEqual(a100[1], { index: 1, name: 'NVIDIA A100-SXM4-40GB', memoryUsedMiB: 12018, memoryTotalMiB: 40960, utilizationPct: 100, temperatureC: 71 });
    const rtx = parseNvidiaSmiCsv(fixture('nvidia-smi-rtx.csv'));
    assert.deepEqual(rtx[1], { index: 1, name: 'Quadro RTX 8000', memoryUsedMiB: null, memoryTotalMiB: null, utilizationPct: null, temperatureC: 38 });
  });

  it('keeps a name that contains a comma, and skips blank and malformed lines (CRLF too)', () => {
    const gpus = parseNvidiaSmiCsv('\r\n0, Odd, Name, 1, 2, 3, 4\r\ngarbage\r\nx, a, 1, 2, 3, 4\r\n');
    assert.deepEqual(gpus, [{ index: 0, name: 'Odd, Name', memoryUsedMiB: 1, memoryTotalMiB: 2, utilizationPct: 3, temperatureC: 4 }]);
  });

  it('turns a missing nvidia-smi into "no NVIDIA GPU", not an error', () => {
    const none = { kind: 'none', reason: 'no NVIDIA GPU' };
    assert.deepEqual(interpretGpuProbe({ code: 127, stdout: '', stderr: 'bash: line 1: nvidia-smi: command not found\n' }), none);
    assert.deepEqual(interpretGpuProbe({ code: 127, stdout: '', stderr: '' }), none);
    assert.deepEqual(interpretGpuProbe({ code: 6, stdout: 'No devices were found\n', stderr: '' }), none);
    assert.deepEqual(interpretGpuProbe({ code: 0, stdout: '', stderr: '' }), none);
  });

  it('reports a broken driver as an error with nvidia-smi\'s words', () => {
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
