import { strict as assert } from 'node:assert';
import { mlWorkspacePreset, offerMlWorkspacePreset } from '../../../src/extension/workspaces/model';
import { containerCreateOptions } from '../../../src/core/hosts/workspaceSpec';
import { idleLimitMs } from '../../../src/core/hosts/idleStop';

describe('workspaces: the ML Workspace preset', () => {
  it('runs the image on 8080 with its token login and 512 MB of shm, as a launchable spec', () => {
    const p = mlWorkspacePreset('tok123');
    const o = containerCreateOptions(p);
    assert.equal(o.Image, 'mltooling/ml-workspace:latest');
    assert.deepEqual(Object.keys(o.ExposedPorts ?? {}), ['8080/tcp']);
    assert.deepEqual(o.Env, ['AUTHENTICATE_VIA_JUPYTER=tok123']);
    assert.equal(o.HostConfig?.ShmSize, 512 * 1024 * 1024);
    assert.equal(offerMlWorkspacePreset([]), true);
    assert.equal(offerMlWorkspacePreset([{ name: 'mine', image: 'mltooling/ml-workspace:0.13.2' }]), false);
    assert.equal(offerMlWorkspacePreset([{ name: 'other', image: 'pytorch/pytorch:2.3.0' }]), true);
  });

  it('writes idleStopMinutes as a label the refresh reads back', () => {
    const o = containerCreateOptions({ image: 'x', idleStopMinutes: 45 });
    assert.equal(idleLimitMs(o.Labels), 45 * 60_000);
    assert.equal(idleLimitMs(containerCreateOptions({ image: 'x' }).Labels), undefined);
  });
});
