import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { captureGpu, capturePython, captureLockData } from '../../../src/core/provenance/capture';
import { containerImage, containerRunner } from '../../../src/core/provenance/containerRunner';
import { requireComponent, testLabels } from '../harness';

// Capture inside a real workspace-like container (the test engine's busybox image, with
// the project mounted): the probes run in the container, an absent nvidia-smi or Python
// reads "unknown" (never an error), and the image's digest comes from the engine.
describe('provenance captured inside a container (real Docker engine)', function () {
  this.timeout(120000);
  let docker: Docker;
  let container: Docker.Container;
  let dir = '';

  before(async function () {
    const c = requireComponent(this, 'docker');
    docker = new Docker({ socketPath: c.socketPath });
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-prov-ct-'));
    writeFileSync(path.join(dir, 'dvc.lock'), 'schema: "2.0"\nstages:\n  s:\n    cmd: x\n    deps:\n    - path: in.csv\n      md5: abc\n');
    container = await docker.createContainer({ Image: c.image, Cmd: ['sleep', '300'], Labels: testLabels, HostConfig: { Binds: [`${dir}:/project`] } });
    await container.start();
  });

  after(async () => {
    await container?.remove({ force: true }).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const conn = () => ({ docker: () => docker });

  it('runs probes in the container and reads the mounted project', async () => {
    const run = containerRunner(conn(), container.id, '/project');
    const r = await run(['cat', 'dvc.lock']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /md5: abc/);
    const lock = await captureLockData(async (rel) => {
      const cat = await run(['cat', rel]);
      return cat.code === 0 ? cat.stdout : undefined;
    });
    assert.deepEqual(lock.data.deps, { 'in.csv': 'abc' });
  });

  it('says unknown for a GPU and a Python the container does not have', async () => {
    const run = containerRunner(conn(), container.id, '/project');
    assert.deepEqual(await captureGpu(run), { model: 'unknown', driver: 'unknown', cuda: 'unknown' });
    assert.deepEqual(await capturePython(run, 'python'), { python: 'unknown', pipFreeze: '' });
  });

  it('names the image and its content digest as the engine has them', async () => {
    const got = await containerImage(conn(), container.id);
    const info = await container.inspect();
    assert.equal(got?.name, info.Config.Image);
    assert.equal(got?.digest, info.Image);
    assert.match(got?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
  });
});
