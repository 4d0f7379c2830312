import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import { containerImage } from '../../../src/core/provenance/containerRunner';
import { findRecordedImage, imagePresent, imageProblem, pullImage, startReproContainer, type ReproContainer } from '../../../src/core/provenance/reproduceContainer';
import { imageDecision, imageNotMatched } from '../../../src/core/provenance/reproduceTarget';
import { beginLaunch } from '../../../src/core/provenance/session';
import { requireComponent, testLabels } from '../harness';
import { launchInput } from './launchSetup';

// Reproduce Run in the recorded image, against the real engine: the run's image is found by
// its digest, the command runs in a container of exactly that image with the worktree
// mounted, and the capture there records the same digest; a digest the engine does not
// have reads "missing" (its 404), which is the ask path — nothing is pulled on its own.
describe('Reproduce Run in the recorded image (real Docker engine)', function () {
  this.timeout(120000);
  let docker: Docker;
  let image = '';
  let dir = '';
  const started: ReproContainer[] = [];
  const conn = () => ({ docker: () => docker });

  before(function () {
    const c = requireComponent(this, 'docker');
    docker = new Docker({ socketPath: c.socketPath });
    image = c.image;
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-repro-img-'));
    mkdirSync(path.join(dir, 'wt'));
  });

  after(async () => {
    for (const c of started) await c.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the command in a container of the recorded digest, with the worktree mounted, and records that digest again', async () => {
    // The original run: in a container of the test image; its capture names the image and digest.
    const original = await startReproContainer(conn(), { ref: image, mounts: [dir], labels: testLabels });
    started.push(original);
    const recorded = await containerImage(conn(), original.id);
    assert.ok(recorded, 'the engine names the original container\'s image');
    assert.match(recorded.digest, /^sha256:[0-9a-f]{64}$/);

    // Reproduce: the digest is on this engine, so the decision is to use it, as is.
    assert.equal(await imagePresent(conn(), recorded.digest), true);
    assert.equal(await findRecordedImage(conn(), recorded), recorded.digest);
    const decision = imageDecision(recorded, 'this machine', true, true);
    assert.deepEqual(decision, { kind: 'use', ref: recorded.digest });
    const repro = await startReproContainer(conn(), { ref: decision.kind === 'use' ? decision.ref : '', mounts: [path.join(dir, 'wt')], labels: testLabels });
    started.push(repro);
    const wt = path.join(dir, 'wt');
    const session = await beginLaunch(
      launchInput({ launcher: 'workspace', cwd: wt, command: ['sh', '-c', 'echo "$GREETING" > out.txt'], remote: repro.runner, python: 'python', remoteCwd: wt, host: 'this machine', image: await containerImage(conn(), repro.id), env: {} }),
    );
    let output = '';
    const code = await repro.exec(wt, ['sh', '-c', 'echo "$GREETING" > out.txt; echo done; exit 3'], { GREETING: 'same image' }, (s) => (output += s));
    await session.finish(code);
    assert.equal(code, 3, 'the exit status comes from the container');
    assert.match(output, /done/);
    assert.equal(readFileSync(path.join(wt, 'out.txt'), 'utf8'), 'same image\n', 'the worktree is mounted at the same path, and env reaches the command');
    const again = (await session.captured).provenance.environment.image;
    assert.equal(again?.digest, recorded.digest);
    assert.equal(imageNotMatched(recorded, again), undefined);
    const labels = (await docker.getContainer(repro.id).inspect()).Config.Labels;
    assert.equal(labels['mlops.reproduce'], '1');
  });

  it('reads a digest the engine does not have as missing (its 404), asks, and says why a pull fails', async () => {
    const gone = { name: 'local/busybox:1', digest: `sha256:${'0'.repeat(64)}` };
    assert.equal(await imagePresent(conn(), gone.digest), false);
    assert.equal(await imagePresent(conn(), `local/busybox@${gone.digest}`), false);
    assert.equal(await findRecordedImage(conn(), gone), undefined);
    const decision = imageDecision(gone, 'this machine', false, await imagePresent(conn(), gone.name));
    assert.equal(decision.kind, 'ask');
    assert.equal(decision.kind === 'ask' && decision.pullRef, `local/busybox@${gone.digest}`);
    // The test engine reaches no registry: the user's "Pull by digest" fails with the engine's words.
    const err = await pullImage(conn(), decision.kind === 'ask' ? decision.pullRef : '').then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err, 'a pull from no registry fails');
    assert.ok(imageProblem(err, 'this machine').length > 20);
    // Creating a container of a missing digest is the engine's 404, which we name as a missing image.
    const create = await startReproContainer(conn(), { ref: gone.digest, mounts: [dir], labels: testLabels }).then(
      (c) => (started.push(c), undefined),
      (e: unknown) => e,
    );
    assert.equal((create as { statusCode?: number }).statusCode, 404);
    assert.match(imageProblem(create, 'this machine'), /not on this machine/);
  });
});
