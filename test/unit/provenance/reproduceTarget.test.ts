import { strict as assert } from 'node:assert';
import type { HostGpuSnapshot } from '../../../src/core/hosts/gpuPlacement';
import { interpretGpuProbe, type GpuInfo } from '../../../src/core/hosts/gpuProbe';
import { parseGpu } from '../../../src/core/provenance/capture';
import { ranImage, digestReference, gpuMismatchWarning, imageDecision, imageNotMatched, rankHostsForGpu, recordedGpuNames, recordedHostFirst } from '../../../src/core/provenance/reproduceTarget';

const gpu = (index: number, name: string): GpuInfo => ({ index, uuid: `GPU-${index}`, name, memoryUsedMiB: 0, memoryTotalMiB: 81559, utilizationPct: 0, temperatureC: 30 });
const host = (name: string, ...models: string[]): HostGpuSnapshot => ({ host: name, probe: models.length ? { kind: 'gpus', gpus: models.map((m, i) => gpu(i, m)), processes: [] } : { kind: 'none', reason: 'nvidia-smi not found' } });

describe('reproduce target: GPU model and image by digest', () => {
  it('reads the names out of a recorded model string', () => {
    assert.deepEqual(recordedGpuNames('2× NVIDIA A100-SXM4-40GB'), ['NVIDIA A100-SXM4-40GB']);
    assert.deepEqual(recordedGpuNames('NVIDIA H100 80GB HBM3 + NVIDIA A10'), ['NVIDIA H100 80GB HBM3', 'NVIDIA A10']);
    assert.deepEqual(recordedGpuNames('unknown'), []);
    assert.deepEqual(recordedGpuNames(undefined), []);
  });

  it('offers the hosts with the recorded GPU model first, keeping the order otherwise', () => {
    const hosts = [host('This machine'), host('a100-box', 'NVIDIA A100-SXM4-40GB'), host('h100-box', 'NVIDIA H100 80GB HBM3', 'NVIDIA H100 80GB HBM3'), { host: 'down', probe: { kind: 'unreachable' as const, message: 'timed out' } }];
    const ranked = rankHostsForGpu('2× NVIDIA H100 80GB HBM3', hosts);
    assert.deepEqual(ranked.map((c) => [c.host, c.matches]), [['h100-box', true], ['This machine', false], ['a100-box', false], ['down', false]]);
    assert.deepEqual(ranked[0].models, ['NVIDIA H100 80GB HBM3']);
    assert.equal(ranked[3].problem, 'timed out');
    // "A10" is not an "A100": whole names only.
    assert.deepEqual(rankHostsForGpu('NVIDIA A10', hosts).filter((c) => c.matches), []);
  });

  it('ranks an SSH host\'s engine with the recorded GPU above this machine without one, the run\'s own host first among equals', () => {
    const ranked = rankHostsForGpu('NVIDIA H100 80GB HBM3', [host('This machine'), host('gpu-a', 'NVIDIA H100 80GB HBM3'), host('gpu-b', 'NVIDIA H100 80GB HBM3'), host('old', 'Tesla V100')]);
    assert.deepEqual(ranked.map((c) => c.host), ['gpu-a', 'gpu-b', 'This machine', 'old']);
    // The run came from gpu-b's workspace "train": gpu-b first, still above the hosts without the model.
    assert.deepEqual(recordedHostFirst(ranked, 'gpu-b/train').map((c) => c.host), ['gpu-b', 'gpu-a', 'This machine', 'old']);
    // From a host without the model: first of the others, never above a host with it.
    assert.deepEqual(recordedHostFirst(ranked, 'old').map((c) => c.host), ['gpu-a', 'gpu-b', 'old', 'This machine']);
    assert.deepEqual(recordedHostFirst(ranked, 'gone'), ranked);
  });

  it('matches every host when the run recorded no GPU, and warns naming both models otherwise', () => {
    assert.ok(rankHostsForGpu('unknown', [host('x'), host('y', 'NVIDIA T4')]).every((c) => c.matches));
    const [h100, a100] = rankHostsForGpu('NVIDIA H100 80GB HBM3', [host('h', 'NVIDIA H100 80GB HBM3'), host('a', 'NVIDIA A100-SXM4-40GB')]);
    assert.equal(gpuMismatchWarning('NVIDIA H100 80GB HBM3', h100), undefined);
    const w = gpuMismatchWarning('NVIDIA H100 80GB HBM3', a100) ?? '';
    assert.match(w, /recorded on NVIDIA H100 80GB HBM3; a has NVIDIA A100-SXM4-40GB/);
    assert.match(gpuMismatchWarning('NVIDIA H100 80GB HBM3', rankHostsForGpu('NVIDIA H100 80GB HBM3', [host('cpu')])[0]) ?? '', /cpu has no GPU/);
  });

  it('pins the repository, not the tag, to the digest', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    assert.equal(digestReference('pytorch/pytorch:2.3.0-cuda12.1', d), `pytorch/pytorch@${d}`);
    assert.equal(digestReference('registry:5000/team/img', d), `registry:5000/team/img@${d}`);
    assert.equal(digestReference('registry:5000/team/img:1', d), `registry:5000/team/img@${d}`);
    assert.equal(digestReference(`img@${d}`, d), `img@${d}`);
  });

  it('uses the digest when present and asks (pull by digest, the tag, or cancel) when it is gone', () => {
    const image = { name: 'local/busybox:1', digest: `sha256:${'b'.repeat(64)}` };
    assert.deepEqual(imageDecision(image, 'gpu-box', true, true), { kind: 'use', ref: image.digest });
    const ask = imageDecision(image, 'gpu-box', false, true);
    assert.equal(ask.kind, 'ask');
    if (ask.kind !== 'ask') return;
    assert.equal(ask.pullRef, `local/busybox@${image.digest}`);
    assert.equal(ask.tagRef, 'local/busybox:1');
    assert.match(ask.message, /no longer on gpu-box; local\/busybox:1 is there, but it may be another build/);
    const neither = imageDecision(image, 'gpu-box', false, false);
    assert.match(neither.kind === 'ask' ? neither.message : '', /is not there either/);
  });

  it('says in the report where the image did not match', () => {
    const rec = { name: 'img:1', digest: `sha256:${'c'.repeat(64)}` };
    assert.equal(imageNotMatched(rec, rec), undefined);
    assert.match(imageNotMatched(rec, undefined) ?? '', /ran on this machine/);
    assert.match(imageNotMatched(rec, { name: 'img:1', digest: `sha256:${'d'.repeat(64)}` }) ?? '', /ran in img:1 \(dddddddddddd\), not the recorded digest cccccccccccc/);
  });

  it('records the reproduction under the recorded name when it ran in the recorded digest', () => {
    const rec = { name: 'img:1', digest: `sha256:${'c'.repeat(64)}` };
    assert.deepEqual(ranImage(rec, { name: rec.digest, digest: rec.digest }), rec);
    const other = { name: 'img:1', digest: `sha256:${'d'.repeat(64)}` };
    assert.deepEqual(ranImage(rec, other), other);
    assert.equal(ranImage(rec, undefined), undefined);
  });

  it('matches what capture recorded against what the host probe lists, from the same nvidia-smi', () => {
    // The two queries a 2-GPU H100 machine answers: capture's (name,driver_version) and the probe's.
    const captured = parseGpu('NVIDIA H100 80GB HBM3, 550.54.15\nNVIDIA H100 80GB HBM3, 550.54.15\n', '| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4 |');
    assert.equal(captured.model, '2× NVIDIA H100 80GB HBM3');
    const probe = interpretGpuProbe({ code: 0, stderr: '', stdout: '0, GPU-aaaa, NVIDIA H100 80GB HBM3, 1, 81559, 0, 30\n1, GPU-bbbb, NVIDIA H100 80GB HBM3, 1, 81559, 0, 31\n' });
    assert.equal(probe.kind, 'gpus');
    const [first] = rankHostsForGpu(captured.model, [host('a100-box', 'NVIDIA A100-SXM4-80GB'), { host: 'h100-box', probe }]);
    assert.deepEqual([first.host, first.matches], ['h100-box', true]);
  });
});
