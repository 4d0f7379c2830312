import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  fingerprintSha256,
  knownHostsLine,
  knownHostsName,
  keyTypeOf,
  parseKnownHosts,
  verifyHostKey,
} from '../../../src/core/hosts/knownHosts';

// Real keys from ssh-keygen, so fingerprints and hashes are checked against OpenSSH itself.
function haveSshKeygen(): boolean {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
  } catch (e) {
    return (e as { status?: number }).status !== undefined && (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  return true;
}

describe('knownHosts', function () {
  let dir: string;
  const keys: Record<string, { type: string; b64: string; blob: Buffer; fp: string }> = {};

  before(function () {
    if (!haveSshKeygen()) {
      console.log('      skipped: ssh-keygen not found (apt-get install openssh-client)');
      this.skip();
    }
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-kh-'));
    for (const [name, type] of [['a', 'ed25519'], ['b', 'ed25519'], ['c', 'ecdsa']] as const) {
      const f = path.join(dir, name);
      execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', f]);
      const [t, b64] = readFileSync(`${f}.pub`, 'utf8').split(' ');
      const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${f}.pub`], { encoding: 'utf8' }).split(' ')[1];
      keys[name] = { type: t, b64, blob: Buffer.from(b64, 'base64'), fp };
    }
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('formats SHA256 fingerprints exactly like ssh-keygen -l', () => {
    for (const k of Object.values(keys)) assert.equal(fingerprintSha256(k.blob), k.fp);
    assert.doesNotMatch(fingerprintSha256(keys.a.blob), /=$/);
  });

  it('reads the key type from the key blob', () => {
    assert.equal(keyTypeOf(keys.a.blob), 'ssh-ed25519');
    assert.equal(keyTypeOf(keys.c.blob), 'ecdsa-sha2-nistp256');
    assert.equal(keyTypeOf(Buffer.alloc(2)), 'unknown');
  });

  it('names hosts like OpenSSH: bare on port 22, [host]:port otherwise', () => {
    assert.equal(knownHostsName('gpu.example', 22), 'gpu.example');
    assert.equal(knownHostsName('127.0.0.1', 2222), '[127.0.0.1]:2222');
  });

  it('matches plain names, [host]:port, comma lists and wildcards; a negation excludes', () => {
    const text = [
      '# comment',
      '',
      `gpu1,10.0.0.5 ${keys.a.type} ${keys.a.b64}`,
      `[127.0.0.1]:2222 ${keys.b.type} ${keys.b.b64} trailing comment`,
      `*.lab.example,!secret.lab.example ${keys.c.type} ${keys.c.b64}`,
    ].join('\n');
    const entries = parseKnownHosts(text);
    assert.equal(entries.length, 3);
    assert.deepEqual(verifyHostKey(entries, '10.0.0.5', 22, keys.a.blob), { status: 'match', line: 3 });
    assert.deepEqual(verifyHostKey(entries, '127.0.0.1', 2222, keys.b.blob), { status: 'match', line: 4 });
    assert.equal(verifyHostKey(entries, '127.0.0.1', 22, keys.b.blob).status, 'unknown'); // other port, other host
    assert.equal(verifyHostKey(entries, 'n1.lab.example', 22, keys.c.blob).status, 'match');
    assert.equal(verifyHostKey(entries, 'secret.lab.example', 22, keys.c.blob).status, 'unknown');
  });

  it('says mismatch for another key of the same type, unknown (listing the known types) for a new type', () => {
    const entries = parseKnownHosts(`[127.0.0.1]:2222 ${keys.a.type} ${keys.a.b64}\n`);
    const changed = verifyHostKey(entries, '127.0.0.1', 2222, keys.b.blob);
    assert.deepEqual(changed, { status: 'mismatch', fingerprint: keys.b.fp, keyType: 'ssh-ed25519', line: 1, revoked: false });
    const other = verifyHostKey(entries, '127.0.0.1', 2222, keys.c.blob);
    assert.deepEqual(other, { status: 'unknown', fingerprint: keys.c.fp, keyType: 'ecdsa-sha2-nistp256', otherKeyTypes: ['ssh-ed25519'] });
  });

  it('matches hashed entries written by ssh-keygen -H', () => {
    const file = path.join(dir, 'known_hosts');
    writeFileSync(file, `gpu.example ${keys.a.type} ${keys.a.b64}\n[127.0.0.1]:2222 ${keys.b.type} ${keys.b.b64}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\|1\|/m);
    assert.doesNotMatch(text, /gpu\.example|127\.0\.0\.1/);
    const entries = parseKnownHosts(text);
    assert.equal(entries.length, 2);
    assert.ok(entries.every((e) => e.host.kind === 'hashed'));
    assert.equal(verifyHostKey(entries, 'gpu.example', 22, keys.a.blob).status, 'match');
    assert.equal(verifyHostKey(entries, '127.0.0.1', 2222, keys.b.blob).status, 'match');
    assert.equal(verifyHostKey(entries, '127.0.0.1', 2222, keys.a.blob).status, 'mismatch');
    assert.equal(verifyHostKey(entries, 'other.example', 22, keys.a.blob).status, 'unknown');
  });

  it('matches a host typed in another case against a hashed entry, as ssh (which lowercases) does', () => {
    const file = path.join(dir, 'known_hosts_case');
    writeFileSync(file, `gpu.example.com ${keys.a.type} ${keys.a.b64}\n[gpu.example.com]:2222 ${keys.b.type} ${keys.b.b64}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const entries = parseKnownHosts(readFileSync(file, 'utf8'));
    assert.ok(entries.every((e) => e.host.kind === 'hashed'));
    for (const [typed, port, key] of [['GPU.example.com', 22, keys.a], ['Gpu.Example.COM', 2222, keys.b]] as const) {
      // The name ssh itself looks up for what the user typed (ssh -G prints it lowercased) ...
      const sshName = /^hostname (\S+)$/m.exec(execFileSync('ssh', ['-G', typed], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))?.[1];
      assert.equal(sshName, typed.toLowerCase());
      // ... is found by ssh-keygen -F in the hashed file, and we answer the same for the typed name.
      const found = execFileSync('ssh-keygen', ['-F', knownHostsName(sshName!, port), '-f', file], { encoding: 'utf8' });
      assert.match(found, /found: line \d/);
      assert.equal(knownHostsName(typed, port), knownHostsName(sshName!, port));
      assert.equal(verifyHostKey(entries, typed, port, key.blob).status, 'match');
    }
    // A line we append for a mixed-case host is found by OpenSSH under the lowercased name.
    const appended = path.join(dir, 'appended_case');
    writeFileSync(appended, `${knownHostsLine('GPU.example.com', 22, keys.a.blob, { hashed: true })}\n`);
    assert.match(execFileSync('ssh-keygen', ['-F', 'gpu.example.com', '-f', appended], { encoding: 'utf8' }), /found: line 1/);
  });

  it('skips @cert-authority lines and refuses @revoked keys', () => {
    const text = `@cert-authority *.example ${keys.a.type} ${keys.a.b64}\n@revoked * ${keys.b.type} ${keys.b.b64}\n[h]:2200 ${keys.b.type} ${keys.b.b64}\n@bogus h ${keys.c.type} ${keys.c.b64}\n`;
    const entries = parseKnownHosts(text);
    assert.deepEqual(entries.map((e) => e.marker ?? 'plain'), ['cert-authority', 'revoked', 'plain']);
    // A CA key is not a host key: a host presenting it is unknown, not matched.
    assert.equal(verifyHostKey(entries, 'a.example', 22, keys.a.blob).status, 'unknown');
    // Revocation wins even over a plain entry for the same key.
    assert.deepEqual(verifyHostKey(entries, 'h', 2200, keys.b.blob), { status: 'mismatch', fingerprint: keys.b.fp, keyType: 'ssh-ed25519', line: 2, revoked: true });
  });

  it('ignores malformed lines', () => {
    assert.deepEqual(parseKnownHosts('onlyhost\nhost ssh-ed25519\nhost ssh-ed25519 not*base64\n|1|x ssh-ed25519 AAAA\n'), []);
  });

  it('formats the line to append, plain and hashed, and OpenSSH finds the host in both', () => {
    const plain = knownHostsLine('127.0.0.1', 2222, keys.a.blob);
    assert.equal(plain, `[127.0.0.1]:2222 ssh-ed25519 ${keys.a.b64}`);
    const hashed = knownHostsLine('127.0.0.1', 2222, keys.a.blob, { hashed: true });
    assert.match(hashed, /^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 /);
    assert.equal(verifyHostKey(parseKnownHosts(hashed), '127.0.0.1', 2222, keys.a.blob).status, 'match');
    for (const line of [plain, hashed]) {
      const file = path.join(dir, 'appended');
      writeFileSync(file, `${line}\n`);
      const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', file], { encoding: 'utf8' });
      assert.match(found, /found: line 1/);
    }
  });
});
