// What the MLflow REST source sends and keeps, checked on the wire: real HTTP requests to
// recording servers on local addresses (recordingServer.ts), with the source built the way
// the extension builds it (runsLib's factory, authForServer as MlflowCredentials.get).
//  (a) MLFLOW_TRACKING_TOKEN / _USERNAME / _PASSWORD go only to the server the user configured;
//  (b) `user:password@` in the tracking URI is sent as basic auth and appears in no warning,
//      error, source id or web UI link;
//  (c) artifact paths (and run ids) from the server that would leave the download folder
//      are refused before anything is requested or written.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import * as path from 'node:path';
import { downloadArtifactTo } from '../../../src/core/runs/mlflow/artifactDownload';
import { MlflowRestSource } from '../../../src/core/runs/mlflow/mlflowRestSource';
import { authForServer, redactTrackingUri } from '../../../src/core/runs/mlflow/trackingUri';
import { formatWarning, type SourceWarning } from '../../../src/core/runs/types';
import { sourceId } from '../../../src/extension/runs/runsModel';
import { mlflowAnswers, RecordingServer, type Answer, type Recorded } from './recordingServer';

const never = async (): Promise<boolean> => assert.fail('must not ask');

/**
 * A source for `uri` as the Runs view makes one (serverSpecs, then runsLib's factory): its
 * location without credentials, credentials asked per request as MlflowCredentials.get does.
 */
function sourceFor(uri: string, opts: { configured: string; env: NodeJS.ProcessEnv; ask?: (origin: string) => Promise<boolean>; warnings?: SourceWarning[]; timeoutMs?: number }): MlflowRestSource {
  const location = redactTrackingUri(uri);
  return new MlflowRestSource(location, {
    auth: () => authForServer({ uri: location, configured: opts.configured, env: opts.env, ask: opts.ask ?? never }),
    onWarning: (w) => opts.warnings?.push(w),
    timeoutMs: opts.timeoutMs,
  });
}

const mlflow = (r: Recorded): Answer => mlflowAnswers(r.path) ?? { status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND', message: 'no' } };

describe('security: MLflow REST requests on the wire (recording servers on local addresses)', function () {
  this.timeout(30000);
  const servers: RecordingServer[] = [];
  const serve = async (handler: (r: Recorded) => Answer, host?: string) => {
    const s = new RecordingServer(handler);
    servers.push(s);
    await s.start(host);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  describe('(a) environment credentials go only to the configured server', () => {
    const token = { MLFLOW_TRACKING_TOKEN: 'env-token-123' };
    const basic = { MLFLOW_TRACKING_USERNAME: 'envuser', MLFLOW_TRACKING_PASSWORD: 'env-pass-456' };

    it('the configured loopback server gets the token on every request; another server gets none', async () => {
      const mine = await serve(mlflow);
      const other = await serve(mlflow);
      const a = await sourceFor(mine.origin, { configured: mine.origin, env: token }).list();
      const b = await sourceFor(other.origin, { configured: mine.origin, env: token }).list();
      assert.equal(a.runs.length, 1);
      assert.equal(b.runs.length, 1, 'the other server was asked and answered');
      assert.ok(mine.requests.length >= 2);
      assert.deepEqual(new Set(mine.authorizations), new Set(['Bearer env-token-123']));
      assert.deepEqual(new Set(other.authorizations), new Set([undefined]));
    });

    it('user name and password as basic auth: to the configured server only', async () => {
      const mine = await serve(mlflow);
      const other = await serve(mlflow);
      await sourceFor(mine.origin, { configured: mine.origin, env: basic }).list();
      await sourceFor(other.origin, { configured: mine.origin, env: basic }).list();
      assert.deepEqual(new Set(mine.authorizations), new Set([`Basic ${Buffer.from('envuser:env-pass-456').toString('base64')}`]));
      assert.deepEqual(new Set(other.authorizations), new Set([undefined]));
    });

    it('MLFLOW_TRACKING_URI is the user\'s choice too: its server gets them', async () => {
      const mine = await serve(mlflow);
      await sourceFor(mine.origin, { configured: '', env: { ...token, MLFLOW_TRACKING_URI: mine.origin } }).list();
      assert.deepEqual(new Set(mine.authorizations), new Set(['Bearer env-token-123']));
    });

    it('no configured server at all: no server gets them', async () => {
      const some = await serve(mlflow);
      await sourceFor(some.origin, { configured: '', env: token }).list();
      assert.deepEqual(new Set(some.authorizations), new Set([undefined]));
    });

    it('a redirect from the configured server to another origin does not carry them along', async () => {
      const other = await serve(mlflow);
      const mine = await serve((r) => ({ status: 307, headers: { location: other.origin + r.path } }));
      const listing = await sourceFor(mine.origin, { configured: mine.origin, env: token }).list();
      assert.equal(listing.runs.length, 1, 'the redirect was followed');
      assert.ok(other.requests.length >= 2);
      assert.deepEqual(new Set(mine.authorizations), new Set(['Bearer env-token-123']));
      assert.deepEqual(new Set(other.authorizations), new Set([undefined]));
    });

    it('plain http to a non-loopback address: asked once per server, sent only on yes', async function () {
      const ip = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
      if (!ip) {
        console.log('      skipped: this machine has no non-loopback IPv4 address to serve on');
        return this.skip();
      }
      const lan = await serve(mlflow, ip);
      const asked: string[] = [];
      await sourceFor(lan.origin, { configured: lan.origin, env: token, ask: async (o) => (asked.push(o), false) }).list();
      assert.deepEqual(new Set(lan.authorizations), new Set([undefined]));
      assert.ok(asked.length >= 1 && asked.every((o) => o === lan.origin), JSON.stringify(asked));
      lan.requests.length = 0;
      await sourceFor(lan.origin, { configured: lan.origin, env: token, ask: async () => true }).list();
      assert.deepEqual(new Set(lan.authorizations), new Set(['Bearer env-token-123']));
    });
  });

  describe('(b) credentials in the tracking URI reach the request only', () => {
    const secret = 's3cret-PW';
    const withCreds = (origin: string) => origin.replace('http://', `http://alice:${secret}@`);
    const leaks = (text: string) => text.includes(secret) || text.includes('alice:') || text.includes(Buffer.from(`alice:${secret}`).toString('base64'));

    /** Everything the view logs, shows or keeps about this source after a listing and a history. */
    async function printed(uri: string, configured: string): Promise<string[]> {
      const warnings: SourceWarning[] = [];
      const src = sourceFor(uri, { configured, env: {}, warnings, timeoutMs: 500 });
      const out: string[] = [];
      const listing = await src.list();
      // As the Runs view logs and shows them.
      for (const w of [...warnings, ...listing.warnings]) out.push(formatWarning(w));
      const calls = [() => src.metricHistory('r1', 'loss'), () => src.metricHistories(['r1'], 'loss'), () => src.listArtifacts('r1'), () => src.downloadArtifact('r1', 'x', AbortSignal.timeout(500))];
      for (const call of calls)
        await call().then(
          (v) => out.push(JSON.stringify(v)),
          (e: Error) => out.push(`${e.message}\n${e.stack}`),
        );
      out.push(src.location, src.client.baseUrl, src.runUrl('1', 'r1'), sourceId({ kind: 'mlflow-rest', location: src.location }));
      return out;
    }

    it('sent as basic auth to that server, and in none of the warnings, errors, ids or links', async () => {
      const srv = await serve(mlflow);
      const uri = withCreds(srv.origin);
      const out = await printed(uri, uri);
      assert.deepEqual(new Set(srv.authorizations), new Set([`Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`]));
      assert.deepEqual(out.filter(leaks), []);
      assert.ok(out.some((o) => o.includes(srv.origin)), 'the server is still named');
    });

    it('servers that fail every way (HTTP 500, a proxy page, not JSON, a hang, a redirect to a closed port, refused): still none', async () => {
      const closed = await serve(mlflow);
      const closedOrigin = closed.origin;
      await closed.close();
      const answers: ((r: Recorded) => Answer)[] = [
        () => ({ status: 500, body: { error_code: 'INTERNAL_ERROR', message: 'boom' } }),
        () => ({ status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }),
        () => ({ status: 401, body: 'Unauthorized' }),
        () => ({ body: 'not json at all' }),
        () => ({ hang: true }),
        (r) => ({ status: 307, headers: { location: closedOrigin + r.path } }),
      ];
      for (const answer of answers) {
        const srv = await serve(answer);
        const uri = withCreds(srv.origin);
        const out = await printed(uri, uri);
        assert.ok(out.length > 5);
        assert.deepEqual(out.filter(leaks), [], `answer ${answer.toString()}`);
      }
      const out = await printed(withCreds(closedOrigin), withCreds(closedOrigin));
      assert.ok(out.some((o) => /connection refused/.test(o)), out.join('\n'));
      assert.deepEqual(out.filter(leaks), []);
    });

    it('a source made straight from the credentialed URI keeps them out of its location too', async () => {
      const srv = await serve(() => ({ status: 500, body: 'down' }));
      const uri = withCreds(srv.origin);
      const src = new MlflowRestSource(uri);
      const listing = await src.list();
      const out = [src.location, sourceId({ kind: 'mlflow-rest', location: src.location }), ...listing.warnings.map((w) => `${w.file} ${w.message}`)];
      assert.ok(listing.warnings.length > 0);
      assert.deepEqual(out.filter(leaks), []);
      assert.deepEqual(new Set(srv.authorizations), new Set([`Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`]));
    });
  });

  describe('(c) artifact paths from the server are checked before any download', () => {
    let root = '';
    beforeEach(() => (root = mkdtempSync(path.join(tmpdir(), 'mlops-art-dl-'))));
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    const BAD = ['../evil.txt', '../../evil.txt', '..\\..\\evil.txt', 'a/../../evil.txt', 'a\\..\\..\\evil.txt', 'C:\\Windows\\evil.txt', 'c:/evil.txt', '.', '..', 'x\0y'];
    const GOOD = ['model/MLmodel', 'weights\\w.bin', 'notes.txt'];

    function artifactServer(runId: string): Promise<RecordingServer> {
      return serve((r) => {
        if (r.path.includes('artifacts/list')) return { body: { files: [...BAD, ...GOOD].map((p) => ({ path: p, is_dir: false, file_size: 3 })) } };
        if (r.path.startsWith('/get-artifact')) return { body: `bytes of ${new URL(r.path, 'http://x').searchParams.get('path')}` };
        return mlflowAnswers(r.path, runId) ?? { status: 404, body: {} };
      });
    }

    it('refuses ../, ..\\, drive letters, . and .. without asking the server for them; ordinary paths land under the folder', async () => {
      const srv = await artifactServer('r1');
      const src = sourceFor(srv.origin, { configured: srv.origin, env: {} });
      const entries = await src.listArtifacts('r1');
      assert.equal(entries.length, BAD.length + GOOD.length);
      for (const e of entries) {
        const before = srv.requests.length;
        const got = await downloadArtifactTo(src, 'r1', e.path, root).then(
          (file) => ({ file }),
          (err: Error) => ({ err: err.message }),
        );
        if (BAD.includes(e.path)) {
          assert.ok('err' in got && /refused the artifact path/.test(got.err), `${JSON.stringify(e.path)}: ${JSON.stringify(got)}`);
          assert.equal(srv.requests.length, before, `${JSON.stringify(e.path)} was requested from the server`);
        } else {
          assert.ok('file' in got, `${e.path}: ${JSON.stringify(got)}`);
          assert.ok(got.file.startsWith(path.join(root, 'r1') + path.sep), got.file);
          assert.equal(readFileSync(got.file, 'utf8'), `bytes of ${e.path}`);
        }
      }
      // Nothing was written beside or above the download folder.
      assert.deepEqual(readdirSync(root), ['r1']);
      assert.ok(!existsSync(path.join(path.dirname(root), 'evil.txt')));
      const fetched = srv.requests.filter((r) => r.path.startsWith('/get-artifact')).map((r) => new URL(r.path, 'http://x').searchParams.get('path'));
      assert.deepEqual(fetched, GOOD);
    });

    for (const runId of ['.', '..', '../..'])
      it(`a run id ${JSON.stringify(runId)} from the server: ${runId === '../..' ? 'kept inside as one folder name' : 'refused before any request'}`, async () => {
        const srv = await artifactServer(runId);
        const src = sourceFor(srv.origin, { configured: srv.origin, env: {} });
        const { runs } = await src.list();
        assert.equal(runs[0].id, runId);
        const before = srv.requests.length;
        const got = await downloadArtifactTo(src, runs[0].id, 'notes.txt', root).then(
          (file) => ({ file }),
          (err: Error) => ({ err: err.message }),
        );
        if (runId === '../..') {
          assert.ok('file' in got && got.file.startsWith(root + path.sep), JSON.stringify(got));
          assert.deepEqual(readdirSync(root), ['.._..']);
        } else {
          assert.ok('err' in got && /refused/.test(got.err), JSON.stringify(got));
          assert.equal(srv.requests.length, before);
          assert.deepEqual(readdirSync(root), []);
        }
      });
  });
});
