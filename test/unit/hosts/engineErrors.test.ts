import { strict as assert } from 'node:assert';
import { describeEngineError } from '../../../src/core/hosts/engineErrors';

// Errors shaped as dockerode and Node produce them. The texts are the engine's own: the
// GPU one was seen on this project's engine (see REAL-COMPONENTS.md and the integration
// test, which also checks the real 404); the port one is what dockerd 20.10 prints.
function engineError(statusCode: number, message: string) {
  return Object.assign(new Error(`(HTTP code ${statusCode}) server error - ${message}`), { statusCode, json: { message } });
}
function sysError(code: string, address: string) {
  return Object.assign(new Error(`connect ${code} ${address}`), { code, address });
}

describe('engineErrors', () => {
  it('no NVIDIA runtime for a GPU request', () => {
    const p = describeEngineError(engineError(500, 'could not select device driver "" with capabilities: [[gpu]]'), 'gpu-box (SSH)');
    assert.equal(p.kind, 'no-gpu-runtime');
    assert.match(p.message, /gpu-box \(SSH\).*NVIDIA Container Toolkit/);
    assert.match(p.nextStep, /nvidia-ctk runtime configure/);
    assert.equal(p.detail, 'could not select device driver "" with capabilities: [[gpu]]');
  });

  it('image missing', () => {
    const p = describeEngineError(engineError(404, 'No such image: pytorch/pytorch:latest'));
    assert.equal(p.kind, 'image-missing');
    assert.match(p.message, /pytorch\/pytorch:latest/);
    assert.match(p.nextStep, /docker pull/);
  });

  it('port already allocated', () => {
    const p = describeEngineError(
      engineError(500, 'driver failed programming external connectivity on endpoint ws (3f2a): Bind for 127.0.0.1:8888 failed: port is already allocated'),
    );
    assert.equal(p.kind, 'port-taken');
    assert.match(p.message, /\(8888\)/);
  });

  it('engine down: refused or missing socket, or the remote CLI saying so', () => {
    assert.equal(describeEngineError(sysError('ECONNREFUSED', '/var/run/docker.sock')).kind, 'engine-down');
    assert.equal(describeEngineError(sysError('ENOENT', '/var/run/docker.sock')).kind, 'engine-down');
    assert.equal(describeEngineError(new Error('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?')).kind, 'engine-down');
    // `docker system dial-stdio` on an SSH host whose engine is gone (seen in hostFaults.test.ts).
    const ssh = describeEngineError(new Error('failed to open the raw stream connection: dial unix /var/run/docker.sock: connect: no such file or directory'), 'gpu-box (SSH)');
    assert.equal(ssh.kind, 'engine-down');
    assert.match(ssh.message, /engine on gpu-box \(SSH\) is not running/);
  });

  it('engine down: the socket accepted and hung up without an answer', () => {
    for (const e of [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }),
      // The remote CLI's dial-stdio when the socket went away under a kept stream.
      new Error('error while Copy (stdin to stream): write unix @->/var/run/docker.sock: write: broken pipe')]) {
      const p = describeEngineError(e);
      assert.equal(p.kind, 'engine-down', e.message);
      assert.match(p.message, /closed the connection without answering/);
    }
  });

  it('permission denied on the socket', () => {
    const p = describeEngineError(sysError('EACCES', '/var/run/docker.sock'));
    assert.equal(p.kind, 'permission-denied');
    assert.match(p.nextStep, /docker group/);
    assert.equal(describeEngineError(new Error('failed to open the raw stream connection: dial unix /run/user/docker.sock: connect: permission denied')).kind, 'permission-denied');
  });

  it('name taken, no docker CLI on the SSH host, timeouts, and anything else', () => {
    assert.equal(describeEngineError(engineError(409, 'Conflict. The container name "/ws" is already in use by container "abc".')).kind, 'name-taken');
    assert.equal(describeEngineError(new Error('bash: line 1: docker: command not found')).kind, 'no-docker-cli');
    assert.equal(describeEngineError(Object.assign(new Error('x did not answer within 5 s'), { code: 'ETIMEDOUT' })).kind, 'timeout');
    const other = describeEngineError('weird');
    assert.equal(other.kind, 'other');
    assert.match(other.message, /weird/);
  });
});
