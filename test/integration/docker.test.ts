import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { requireComponent, type DockerComponent, type SshComponent } from './harness';

const LABEL = { 'mlops.test': '1' };

/** Runs `cmd` in a fresh container, returns its stdout, and removes the container. */
async function runOnce(docker: Docker, image: string, cmd: string[]): Promise<{ stdout: string; exitCode: number }> {
  const container = await docker.createContainer({ Image: image, Cmd: cmd, Labels: LABEL, Tty: false });
  try {
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    // Non-TTY logs are multiplexed: 8-byte frame headers (stream, 0, 0, 0, size32) + payload.
    const raw = (await container.logs({ stdout: true, stderr: false, follow: false })) as unknown as Buffer;
    let stdout = '';
    for (let i = 0; i + 8 <= raw.length; ) {
      const size = raw.readUInt32BE(i + 4);
      if (raw[i] === 1) stdout += raw.subarray(i + 8, i + 8 + size).toString('utf8');
      i += 8 + size;
    }
    return { stdout, exitCode: StatusCode };
  } finally {
    await container.remove({ force: true });
  }
}

function roundTrips(label: string, connect: () => Docker, image: () => string) {
  it(`${label}: lists the locally built image`, async () => {
    const images = await connect().listImages();
    assert.ok(images.some((i) => (i.RepoTags ?? []).includes(image())), JSON.stringify(images.map((i) => i.RepoTags)));
  });

  it(`${label}: runs a container and reads its output`, async () => {
    const { stdout, exitCode } = await runOnce(connect(), image(), ['sh', '-c', 'echo hello-mlops; echo to-stderr >&2']);
    assert.equal(exitCode, 0);
    assert.equal(stdout, 'hello-mlops\n');
  });

  it(`${label}: reports a failing command's exit code`, async () => {
    const { exitCode } = await runOnce(connect(), image(), ['sh', '-c', 'exit 7']);
    assert.equal(exitCode, 7);
  });
}

describe('Docker engine through dockerode', function () {
  this.timeout(120000);

  describe('local socket', function () {
    let c: DockerComponent;
    before(function () {
      c = requireComponent(this, 'docker');
    });
    roundTrips('local', () => new Docker({ socketPath: c.socketPath }), () => c.image);
  });

  describe('over SSH (docker system dial-stdio on the remote)', function () {
    let ssh: SshComponent;
    let image = '';
    let docker: Docker;
    before(function () {
      image = requireComponent(this, 'docker').image;
      ssh = requireComponent(this, 'ssh');
      docker = new Docker({
        protocol: 'ssh',
        host: ssh.host,
        port: ssh.port,
        username: ssh.username,
        sshOptions: { privateKey: readFileSync(ssh.privateKeyPath) },
      });
    });
    roundTrips('ssh', () => docker, () => image);
  });
});
