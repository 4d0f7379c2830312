import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';
import { hostVerifier, knownHostKey, requireComponent, type SshComponent } from './harness';

function connect(target: SshComponent, verify: (key: Buffer) => boolean): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .on('ready', () => resolve(client))
      .on('error', reject)
      .connect({
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey: readFileSync(target.privateKeyPath),
        readyTimeout: 15000,
        hostVerifier: verify,
      });
  });
}

function exec(client: Client, command: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      stream.on('close', (code: number) => resolve({ stdout, stderr, code }));
    });
  });
}

describe('sshd on loopback through ssh2', function () {
  this.timeout(60000);
  let ssh: SshComponent;
  let alt: SshComponent;

  before(function () {
    ssh = requireComponent(this, 'ssh');
    alt = requireComponent(this, 'sshAlt');
  });

  it('known_hosts lists the server under [host]:port', () => {
    assert.ok(knownHostKey(ssh.knownHostsPath, ssh.host, ssh.port), `no [${ssh.host}]:${ssh.port} in ${ssh.knownHostsPath}`);
  });

  it('connects with the user key after checking the host key against known_hosts, and runs commands', async () => {
    let seen: Buffer | undefined;
    const verify = hostVerifier(ssh);
    const client = await connect(ssh, (key) => ((seen = key), verify(key)));
    try {
      assert.ok(seen, 'the host key was never checked');
      assert.deepEqual(await exec(client, 'uname -s'), { stdout: 'Linux\n', stderr: '', code: 0 });
      const env = await exec(client, 'echo "$DOCKER_HOST"');
      // sshd's SetEnv: what `docker system dial-stdio` on this side connects to.
      assert.match(env.stdout, /^unix:\/\/\S+\/docker\.sock\n$/);
      if (ssh.dockerHost) assert.equal(env.stdout.trim(), ssh.dockerHost);
      const fail = await exec(client, 'echo oops >&2; exit 3');
      assert.deepEqual(fail, { stdout: '', stderr: 'oops\n', code: 3 });
    } finally {
      client.end();
    }
  });

  it('refuses a server whose host key differs from the one known for that host:port', async () => {
    // The second sshd has another key; we present it under the first one's known_hosts name.
    await assert.rejects(connect(alt, hostVerifier(alt, ssh)), /verification/i);
  });

  it('refuses an unknown host when nothing is known for it', async () => {
    assert.equal(knownHostKey(alt.knownHostsPath, alt.host, alt.port), undefined);
    await assert.rejects(connect(alt, hostVerifier(alt)), /verification/i);
  });
});
