import { strict as assert } from 'node:assert';
import { exposedPorts, forwardTarget } from '../../../src/core/hosts/portForward';

describe('hosts: where a workspace port is reachable', () => {
  it('uses the published host port, reading 0.0.0.0 and :: as loopback and preferring IPv4', () => {
    const info = {
      NetworkSettings: {
        Ports: {
          '8888/tcp': [
            { HostIp: '::', HostPort: '32769' },
            { HostIp: '0.0.0.0', HostPort: '32768' },
          ],
          '6006/tcp': [{ HostIp: '127.0.0.1', HostPort: '16006' }],
          '9000/tcp': null,
        },
      },
    };
    assert.deepEqual(forwardTarget(info, 8888), { ok: true, target: { host: '127.0.0.1', port: 32768 } });
    assert.deepEqual(forwardTarget(info, 6006), { ok: true, target: { host: '127.0.0.1', port: 16006 } });
    assert.deepEqual(forwardTarget({ NetworkSettings: { Ports: { '8888/tcp': [{ HostIp: '::', HostPort: '32769' }] } } }, 8888), { ok: true, target: { host: '127.0.0.1', port: 32769 } });
  });

  it('says how to fix a port that is not published', () => {
    const r = forwardTarget({ NetworkSettings: { Ports: { '9000/tcp': null } } }, 9000);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.error : '', /Port 9000 is not published .* Launch it again with 9000/);
  });

  it('on the host network the container port is the host port', () => {
    assert.deepEqual(forwardTarget({ HostConfig: { NetworkMode: 'host' }, NetworkSettings: { Ports: {} } }, 8000), { ok: true, target: { host: '127.0.0.1', port: 8000 } });
  });

  it('lists exposed and published TCP ports once, lowest first', () => {
    assert.deepEqual(exposedPorts({ Config: { ExposedPorts: { '8888/tcp': {}, '53/udp': {} } }, NetworkSettings: { Ports: { '6006/tcp': null, '8888/tcp': [] } } }), [6006, 8888]);
  });
});
