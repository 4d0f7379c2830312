import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';
import { requireComponent, type SshComponent } from './harness';

/** The key bytes known_hosts lists for `[host]:port` (plain entries; hashed ones come with the hosts feature). */
function knownKey(file: string, host: string, port: number): Buffer | undefined {
  const name = port === 22 ? host : `[${host}]:${port}`;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [hosts, , key] = line.trim().split(/\s+/);
    if (hosts && key && hosts.split(',').includes(name)) return Buffer.from(key, 'base64');
  }
  return undefined;
}

function connect(target: SshComponent, expected: Buffer | undefined): Promise<Client> {
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
        hostVerifier: (key: Buffer) => !!expected && key.equals(expected),
      });
  });
}

function exec(client: Client, command: string): Promise<{ stdout: string; code: number }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let stdout = '';
      stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      stream.stderr.resume();
      stream.on('close', (code: number) => resolve({ stdout, code }));
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

  it('connects with the user key after checking the host key against known_hosts, and runs commands', async () => {
    const client = await connect(ssh, knownKey(ssh.knownHostsPath, ssh.host, ssh.port));
    try {
      const uname = await exec(client, 'uname -s');
      assert.deepEqual(uname, { stdout: 'Linux\n', code: 0 });
      const env = await exec(client, 'echo "$DOCKER_HOST"');
      assert.equal(env.stdout.trim(), ssh.dockerHost);
      const fail = await exec(client, 'exit 3');
      assert.equal(fail.code, 3);
    } finally {
      client.end();
    }
  });

  it('refuses a server whose host key differs from the one known for that host:port', async () => {
    // The second sshd has another key; we present it under the first one's known_hosts name.
    const expected = knownKey(ssh.knownHostsPath, ssh.host, ssh.port);
    assert.ok(expected);
    await assert.rejects(connect(alt, expected), /host key|verification/i);
  });

  it('refuses an unknown host when nothing is known for it', async () => {
    await assert.rejects(connect(alt, knownKey(ssh.knownHostsPath, alt.host, alt.port)), /host key|verification/i);
  });
});
