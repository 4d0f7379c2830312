import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { artifactFile, runFolderName } from '../../../src/core/runs/mlflow/artifactPaths';
import { chooseMlflowAuth, envCredentialsDecision, redactTrackingUri } from '../../../src/core/runs/mlflow/trackingUri';

// What a cloned repository (or a tracking server it names) may steer: crafted artifact
// paths, credentials in URIs, environment credentials, and settings naming executables.
describe('security: what a repository may steer', () => {
  describe('artifact paths from a server', () => {
    const root = mkdtempSync(join(tmpdir(), 'mlops-art-'));
    it('keeps ordinary paths under the target, with either separator', () => {
      assert.equal(artifactFile(root, 'model/MLmodel'), join(root, 'model', 'MLmodel'));
      assert.equal(artifactFile(root, 'model\\weights\\w.bin'), join(root, 'model', 'weights', 'w.bin'));
    });
    for (const bad of ['../x', '..\\..\\x', 'a/../../x', 'a\\..\\..\\evil', 'C:\\Windows\\x', 'c:/x', '.', '..', 'a/./b', 'x\0y'])
      it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(artifactFile(root, bad), undefined));
    it('an absolute path is taken relative to the target, never outside it', () => {
      const f = artifactFile(root, '/etc/passwd');
      assert.ok(f === undefined || f.startsWith(root + sep), String(f));
    });
    it('refuses run ids that are . or .. after cleaning', () => {
      for (const id of ['.', '..', '...', '']) assert.equal(runFolderName(id), undefined, id);
      assert.equal(runFolderName('../etc'), '.._etc');
      assert.equal(runFolderName('0123abcd'), '0123abcd');
    });
  });

  describe('tracking URIs and credentials', () => {
    it('strips user:password from every printed form', () => {
      assert.equal(redactTrackingUri('https://alice:s3cret@mlflow.example.com:5000/path'), 'https://mlflow.example.com:5000/path');
      assert.equal(redactTrackingUri('http://tok@10.0.0.5'), 'http://10.0.0.5');
      assert.equal(redactTrackingUri('https://mlflow.example.com'), 'https://mlflow.example.com');
    });
    it('is linear on a crafted long authority', () => {
      const t = Date.now();
      redactTrackingUri('https://' + 'a'.repeat(1_000_000) + '/x');
      assert.ok(Date.now() - t < 2000); // a quadratic regex takes minutes here
    });
    it('sends MLFLOW_TRACKING_* credentials only to the user-configured server, asking before plain http off loopback', () => {
      const user = ['https://mlflow.example.com', undefined];
      assert.equal(envCredentialsDecision('https://mlflow.example.com/', user), 'send');
      assert.equal(envCredentialsDecision('https://evil.example.org', user), 'withhold');
      assert.equal(envCredentialsDecision('http://mlflow.example.com', ['http://mlflow.example.com']), 'ask');
      assert.equal(envCredentialsDecision('http://127.0.0.1:5000', ['http://127.0.0.1:5000']), 'send');
    });
    it('a repository-named server gets no environment token; the user refusing the http prompt sends nothing', async () => {
      const env = { MLFLOW_TRACKING_TOKEN: 'tok' };
      const never = async () => assert.fail('must not ask');
      assert.equal(await chooseMlflowAuth({ serverUri: 'https://evil.example.org', userUris: ['https://mine.example.com'], env, ask: never }), undefined);
      assert.deepEqual(await chooseMlflowAuth({ serverUri: 'https://mine.example.com', userUris: ['https://mine.example.com'], env, ask: never }), { token: 'tok' });
      let asked = '';
      const no = async (o: string) => ((asked = o), false);
      assert.equal(await chooseMlflowAuth({ serverUri: 'http://mine.example.com', userUris: ['http://mine.example.com'], env, ask: no }), undefined);
      assert.equal(asked, 'http://mine.example.com');
    });
  });

  describe('settings that name an executable, a host, a server or a profile', () => {
    const props = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).contributes.configuration;
    const all: Record<string, { scope?: string }> = Object.assign({}, ...[props].flat().map((c: { properties: object }) => c.properties));
    const steering = ['mlops.docker.host', 'mlops.hosts', 'mlops.ssh.knownHostsFile', 'mlops.ssh.configFile', 'mlops.dvc.path', 'mlops.mlflow.path', 'mlops.mlflow.trackingUri', 'mlops.workspaces.profiles'];
    for (const key of steering)
      it(`${key} is machine scope`, () => {
        assert.ok(all[key], `${key} is not contributed`);
        assert.equal(all[key].scope, 'machine');
      });
    it('declares limited support for untrusted workspaces, restricting the steering settings', () => {
      const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
      assert.equal(pkg.capabilities?.untrustedWorkspaces?.supported, 'limited');
    });
  });
});
