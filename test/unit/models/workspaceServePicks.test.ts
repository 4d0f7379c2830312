import { strict as assert } from 'node:assert';
import { containerTrackingUri } from '../../../src/core/hosts/modelServeInWorkspace';
import { DEFAULT_SERVE_PORT, registryTrackingUri, servableWorkspaces, servePortChoice } from '../../../src/core/models/workspaceServePicks';

const ws = (name: string, mine: boolean, state: string) => ({ kind: 'workspace' as const, mine, ws: { name, state } });
type W = ReturnType<typeof ws>;

describe('Serve Model Version… in a workspace: which workspace, which port, which tracking URI', () => {
  it('offers only the user\'s own running workspaces, from the mine/team groups and from a flat list', () => {
    const grouped = [
      { kind: 'mine', items: [ws('a', true, 'running'), ws('b', true, 'exited'), { kind: 'message' }] },
      { kind: 'team', items: [ws('teammate', false, 'running')] },
    ];
    assert.deepEqual(servableWorkspaces<W>(grouped).map((w) => w.ws.name), ['a']);
    assert.deepEqual(servableWorkspaces<W>([ws('c', true, 'running'), ws('d', false, 'running'), ws('e', true, 'paused'), { kind: 'error' }]).map((w) => w.ws.name), ['c']);
    assert.deepEqual(servableWorkspaces([]), []);
  });

  it('serves on the one published port; asks among several with Jupyter and TensorBoard last; none: the default', () => {
    const published = (...ports: number[]) => ({ NetworkSettings: { Ports: Object.fromEntries(ports.map((p) => [`${p}/tcp`, [{ HostIp: '0.0.0.0', HostPort: String(30000 + p) }]])) } });
    assert.deepEqual(servePortChoice(published(5001), true), { kind: 'port', port: 5001 });
    assert.deepEqual(servePortChoice(published(8888, 6006, 9000, 5001), false), {
      kind: 'ask',
      ports: [{ port: 5001, use: undefined }, { port: 9000, use: undefined }, { port: 6006, use: 'TensorBoard' }, { port: 8888, use: 'Jupyter' }],
    });
    // Exposed by the image but not published still counts (reached at the container's address).
    assert.deepEqual(servePortChoice({ Config: { ExposedPorts: { '7000/tcp': {}, '53/udp': {} } }, NetworkSettings: { Ports: {} } }, true), { kind: 'port', port: 7000 });
    assert.deepEqual(servePortChoice({ NetworkSettings: { Ports: {} } }, true), { kind: 'port', port: DEFAULT_SERVE_PORT });
  });

  it('on the host network: a free port of this machine, or the default on a remote host', () => {
    const hostNet = { HostConfig: { NetworkMode: 'host' }, NetworkSettings: { Ports: { '8888/tcp': null } } };
    assert.deepEqual(servePortChoice(hostNet, true), { kind: 'free-local' });
    assert.deepEqual(servePortChoice(hostNet, false), { kind: 'port', port: DEFAULT_SERVE_PORT });
  });

  it('gives each registry the tracking URI MLflow reads, which the project mount maps into the container', () => {
    assert.equal(registryTrackingUri('mlflow-sqlite', '/home/me/proj/mlflow.db'), 'sqlite:////home/me/proj/mlflow.db');
    assert.equal(registryTrackingUri('mlflow-sqlite', 'C:\\proj\\mlflow.db'), 'sqlite:///C:/proj/mlflow.db');
    assert.equal(registryTrackingUri('mlflow-file', '/home/me/proj/my runs'), 'file:///home/me/proj/my%20runs');
    assert.equal(registryTrackingUri('mlflow-rest', 'http://mlflow.lab:5000'), 'http://mlflow.lab:5000');
    const mounts = [{ Source: '/home/me/proj', Destination: '/workspace' }];
    assert.equal(containerTrackingUri(registryTrackingUri('mlflow-sqlite', '/home/me/proj/mlflow.db'), mounts), 'sqlite:///workspace/mlflow.db');
    assert.equal(containerTrackingUri(registryTrackingUri('mlflow-file', '/home/me/proj/mlruns'), mounts), 'file:///workspace/mlruns');
    assert.equal(containerTrackingUri(registryTrackingUri('mlflow-rest', 'http://mlflow.lab:5000'), mounts), 'http://mlflow.lab:5000');
    assert.equal(containerTrackingUri(registryTrackingUri('mlflow-sqlite', '/elsewhere/mlflow.db'), mounts), undefined);
  });
});
