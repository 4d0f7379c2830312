import { strict as assert } from 'node:assert';
import { jupyterFromLog, jupyterFromServerList, jupyterUrl, mlWorkspaceJupyter } from '../../../src/core/hosts/jupyterServer';
import { demuxLogFrames } from '../../../src/core/hosts/containerLogs';

// Startup banners as Jupyter prints them (jupyter_server 2.x under JupyterLab, and the
// classic NotebookApp 6.x inside a docker-stacks container).
const SERVER_2 = `[I 2024-05-02 09:12:01.417 ServerApp] jupyter_lsp | extension was successfully loaded.
[I 2024-05-02 09:12:01.420 ServerApp] Serving notebooks from local directory: /home/jovyan
[I 2024-05-02 09:12:01.420 ServerApp] Jupyter Server 2.14.0 is running at:
[I 2024-05-02 09:12:01.420 ServerApp] http://4c1d2e9a7b33:8888/lab?token=0f5e3c9a1b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d
[I 2024-05-02 09:12:01.420 ServerApp]     http://127.0.0.1:8888/lab?token=0f5e3c9a1b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d
[I 2024-05-02 09:12:01.420 ServerApp] Use Control-C to stop this server and shut down all kernels (twice to skip confirmation).
[C 2024-05-02 09:12:01.423 ServerApp]

    To access the server, open this file in a browser:
        file:///home/jovyan/.local/share/jupyter/runtime/jpserver-7-open.html
    Or copy and paste one of these URLs:
        http://4c1d2e9a7b33:8888/lab?token=0f5e3c9a1b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d
        http://127.0.0.1:8888/lab?token=0f5e3c9a1b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d
[I 2024-05-02 09:12:09.101 ServerApp] 302 GET / (172.17.0.1) 0.52ms
`;

const NOTEBOOK_6 = `[I 13:14:40.727 NotebookApp] The Jupyter Notebook is running at:
[I 13:14:40.727 NotebookApp] http://localhost:8888/?token=b8055b937eeb17431b3f00dfc5159ba909012d86be120b60
[I 13:14:40.727 NotebookApp]  or http://127.0.0.1:8888/?token=b8055b937eeb17431b3f00dfc5159ba909012d86be120b60
[W 13:14:40.729 NotebookApp] No web browser found: could not locate runnable browser.
[W 13:16:42.049 NotebookApp] 401 POST /login?next=%2F (127.0.0.1) 2.210000ms referer=http://localhost:8888/login
`;

describe('hosts: the Jupyter server from its startup lines', () => {
  it('jupyter_server 2.x: the loopback URL, its port, path and token', () => {
    assert.deepEqual(jupyterFromLog(SERVER_2), { port: 8888, path: '/lab', token: '0f5e3c9a1b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d' });
  });

  it('classic NotebookApp: "/" and its token; a later referer URL is not taken for the server', () => {
    assert.deepEqual(jupyterFromLog(NOTEBOOK_6), { port: 8888, path: '/', token: 'b8055b937eeb17431b3f00dfc5159ba909012d86be120b60' });
  });

  it('after a restart the newer token wins', () => {
    const again = SERVER_2.replace(/0f5e3c9a1b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d/g, 'aaaa1111').replace(/8888/g, '8890');
    assert.deepEqual(jupyterFromLog(SERVER_2 + again), { port: 8890, path: '/lab', token: 'aaaa1111' });
  });

  it('a server without a token (its URL in the banner), and none in an unrelated log', () => {
    const open = `[I ServerApp] Jupyter Server 2.14.0 is running at:\n[I ServerApp] http://127.0.0.1:8888/lab\n`;
    assert.deepEqual(jupyterFromLog(open), { port: 8888, path: '/lab', token: '' });
    assert.equal(jupyterFromLog('Downloading https://pypi.org:443/simple/torch\nepoch 1 loss 0.3\n'), undefined);
    assert.equal(jupyterFromLog(''), undefined);
  });

  it('bounded on a huge line of junk', () => {
    const t = Date.now();
    assert.equal(jupyterFromLog('http://a'.repeat(200000)), undefined);
    assert.ok(Date.now() - t < 2000);
  });

  it('`jupyter server list --json` and the plain list', () => {
    const json = '{"base_url": "/", "hostname": "0.0.0.0", "password": false, "pid": 7, "port": 8888, "root_dir": "/home/jovyan", "secure": false, "sock": "", "token": "abc123", "url": "http://4c1d2e9a7b33:8888/", "version": "2.14.0"}\n';
    assert.deepEqual(jupyterFromServerList(json), { port: 8888, path: '/', token: 'abc123' });
    assert.deepEqual(jupyterFromServerList('Currently running servers:\nhttp://127.0.0.1:8889/?token=ff00 :: /home/jovyan\n'), { port: 8889, path: '/', token: 'ff00' });
    assert.equal(jupyterFromServerList('Currently running servers:\n'), undefined);
  });

  it('the browser URL on the forwarded port keeps path and token', () => {
    assert.equal(jupyterUrl({ port: 8888, path: '/lab', token: 'a b' }, 'http://localhost:49152/'), 'http://localhost:49152/lab?token=a%20b');
    assert.equal(jupyterUrl({ port: 8888, path: '/', token: '' }, 'http://localhost:8888'), 'http://localhost:8888/');
  });

  it('docker log frames: stdout and stderr in order; raw (TTY) text as it is', () => {
    const f = (k: number, s: string) => {
      const h = Buffer.alloc(8);
      h[0] = k;
      h.writeUInt32BE(Buffer.byteLength(s), 4);
      return Buffer.concat([h, Buffer.from(s)]);
    };
    assert.equal(demuxLogFrames(Buffer.concat([f(1, 'out\n'), f(2, 'err\n')])), 'out\nerr\n');
    assert.equal(demuxLogFrames(Buffer.from('plain text from a TTY\n')), 'plain text from a TTY\n');
  });

  it('ML Workspace: its token from AUTHENTICATE_VIA_JUPYTER on port 8080; true/false or no 8080 is not a token', () => {
    assert.deepEqual(mlWorkspaceJupyter(['PATH=/bin', 'AUTHENTICATE_VIA_JUPYTER=s3cret'], [8080]), { port: 8080, path: '/', token: 's3cret' });
    assert.equal(mlWorkspaceJupyter(['AUTHENTICATE_VIA_JUPYTER=true'], [8080]), undefined);
    assert.equal(mlWorkspaceJupyter(['AUTHENTICATE_VIA_JUPYTER=s3cret'], [8888]), undefined);
    assert.equal(mlWorkspaceJupyter(null, [8080]), undefined);
  });
});
