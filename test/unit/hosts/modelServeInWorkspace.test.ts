import { strict as assert } from 'node:assert';
import { containerTrackingUri, workspaceServeArgv, workspaceServeTarget } from '../../../src/core/hosts/modelServeInWorkspace';

describe('Serving inside a workspace: argv, tracking URI, target', () => {
  it('runs the image\'s mlflow on every address of the container, as an argv', () => {
    assert.deepEqual(workspaceServeArgv({ name: 'clf', alias: 'champion' }, 5001), ['mlflow', 'models', 'serve', '-m', 'models:/clf@champion', '--env-manager', 'local', '-h', '0.0.0.0', '-p', '5001']);
  });

  it('maps a registry on this machine through the mount that holds it; a server URL stays; else undefined', () => {
    const mounts = [
      { Source: '/home/me/proj', Destination: '/workspace' },
      { Source: '/home/me/proj/data', Destination: '/data' },
    ];
    assert.equal(containerTrackingUri('sqlite:////home/me/proj/mlflow.db', mounts), 'sqlite:///workspace/mlflow.db');
    assert.equal(containerTrackingUri('sqlite:////home/me/proj/data/x/mlflow.db', mounts), 'sqlite:///data/x/mlflow.db');
    assert.equal(containerTrackingUri('file:///home/me/proj/mlruns', mounts), 'file:///workspace/mlruns');
    assert.equal(containerTrackingUri('/home/me/proj/mlruns', mounts), '/workspace/mlruns');
    assert.equal(containerTrackingUri('http://mlflow.lab:5000', mounts), 'http://mlflow.lab:5000');
    // A sibling folder whose name starts the same is not inside the mount.
    assert.equal(containerTrackingUri('sqlite:////home/me/project2/mlflow.db', mounts), undefined);
    assert.equal(containerTrackingUri('sqlite:///relative.db', mounts), undefined);
  });

  it('reaches the port where it is published, on the host network, or at the container address', () => {
    assert.deepEqual(workspaceServeTarget({ NetworkSettings: { Ports: { '5001/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }] } } }, 5001), { host: '127.0.0.1', port: 32768 });
    assert.deepEqual(workspaceServeTarget({ HostConfig: { NetworkMode: 'host' } }, 5001), { host: '127.0.0.1', port: 5001 });
    assert.deepEqual(workspaceServeTarget({ NetworkSettings: { Ports: {}, Networks: { bridge: { IPAddress: '172.17.0.5' } } } }, 5001), { host: '172.17.0.5', port: 5001 });
    assert.equal(workspaceServeTarget({ NetworkSettings: { Ports: {} } }, 5001), undefined);
  });
});
