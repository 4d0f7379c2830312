import { strict as assert } from 'node:assert';
import Docker from 'dockerode';
import {
  demuxDockerLogs,
  dockerOverSsh,
  removeTestContainers,
  requireComponent,
  testLabels,
  type DockerComponent,
} from './harness';

interface Ran {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `cmd` in a fresh labelled container, returns its output, and removes the container. */
async function runOnce(docker: Docker, image: string, cmd: string[]): Promise<Ran> {
  const container = await docker.createContainer({ Image: image, Cmd: cmd, Labels: testLabels, Tty: false });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    // follow: false answers a Buffer (the typings only know the stream form).
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { ...demuxDockerLogs(raw), exitCode: StatusCode };
  } finally {
    await container.remove({ force: true });
  }
}

function roundTrips(label: string, connect: () => Docker, image: () => string): void {
  it(`${label}: lists the locally built image`, async () => {
    const images = await connect().listImages();
    assert.ok(images.some((i) => (i.RepoTags ?? []).includes(image())), JSON.stringify(images.map((i) => i.RepoTags)));
  });

  it(`${label}: runs a container and reads its stdout and stderr apart`, async () => {
    const ran = await runOnce(connect(), image(), ['sh', '-c', 'echo hello-mlops; echo to-stderr >&2']);
    assert.deepEqual(ran, { stdout: 'hello-mlops\n', stderr: 'to-stderr\n', exitCode: 0 });
  });

  it(`${label}: reports a failing command's exit code`, async () => {
    const { exitCode } = await runOnce(connect(), image(), ['sh', '-c', 'exit 7']);
    assert.equal(exitCode, 7);
  });

  it(`${label}: leaves no labelled container behind`, async () => {
    const left = await connect().listContainers({ all: true, filters: { label: ['mlops.test=1'] } });
    assert.deepEqual(left, []);
  });
}

describe('Docker engine through dockerode', function () {
  this.timeout(120000);

  describe('local socket', function () {
    let c: DockerComponent;
    let docker: Docker | undefined;
    before(async function () {
      c = requireComponent(this, 'docker');
      docker = new Docker({ socketPath: c.socketPath });
      // What an earlier run killed mid-test left in the engine is not this suite's to answer for.
      await removeTestContainers(docker);
    });
    after(async () => {
      if (docker) await removeTestContainers(docker);
    });
    roundTrips('local', () => docker!, () => c.image);
  });

  describe('over SSH (docker system dial-stdio on the remote)', function () {
    let image = '';
    let docker: Docker | undefined;
    before(function () {
      image = requireComponent(this, 'docker').image;
      docker = dockerOverSsh(requireComponent(this, 'ssh'));
    });
    after(async () => {
      if (docker) await removeTestContainers(docker);
    });
    roundTrips('ssh', () => docker!, () => image);

    it('ssh: refuses a server whose host key is not the known one', async function () {
      // The alt server has another host key; we reach it expecting the first server's.
      const alt = requireComponent(this, 'sshAlt');
      const ssh = requireComponent(this, 'ssh');
      await assert.rejects(dockerOverSsh(alt, ssh).listImages(), /verification|host key/i);
    });
  });
});
