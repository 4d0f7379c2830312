// Who holds a GPU, through the real batched probe: the one shell command runs on the test
// sshd's long-lived shell (and locally), and a real container's main pid is traced to the
// container through /proc/<pid>/cgroup by the same shell code.
//
// No GPU exists here. Without nvidia-smi the probe must answer "no NVIDIA GPU"; to reach
// the process → container step, a stand-in `nvidia-smi` (a 4-line sh script put first on
// PATH) prints NVIDIA's documented CSV naming the container's real pid. The thing under
// test, the shell loop over /proc and its parsing, runs for real.
import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GPU_PROBE_SCRIPT, interpretGpuProbeScript, type GpuProbeResult } from '../../../src/core/hosts/gpuProbe';
import { gpuHolders } from '../../../src/core/hosts/gpuHolders';
import { OWNER_LABEL } from '../../../src/core/hosts/ownership';
import type { HostConnection } from '../../../src/core/hosts/hostConnection';
import { placeGpus } from '../../../src/core/hosts/gpuPlacement';
import { gpuSnapshot, listWorkspaces, probeGpus } from '../../../src/core/hosts/workspaces';
import { onLocalAndSsh, OWNER_LABEL as TEST_OWNER, ownerLabels, startTestWorkspace, stateDir, waitFor } from '../harness';

const UUID = 'GPU-00000000-1111-4222-8333-444444444444';

/** A stand-in nvidia-smi reporting `pids` as compute processes on one A100. */
function standIn(dir: string, pids: number[]): void {
  const apps = pids.map((p) => `echo "${p}, /usr/bin/python3, 30500, ${UUID}"`).join('; ');
  writeFileSync(
    path.join(dir, 'nvidia-smi'),
    `#!/bin/sh\ncase "$1" in\n--query-gpu=*) echo "0, ${UUID}, NVIDIA A100-SXM4-80GB, 30600, 81920, 71, 60";;\n--query-compute-apps=*) ${apps || 'true'};;\nesac\n`,
  );
  chmodSync(path.join(dir, 'nvidia-smi'), 0o755);
}

async function probeWith(conn: HostConnection, dir: string): Promise<GpuProbeResult> {
  return interpretGpuProbeScript(await conn.exec(['sh', '-c', `PATH=${dir}:$PATH; ${GPU_PROBE_SCRIPT}`], { reuseShell: true }));
}

describe('GPU holders through the real batched probe', function () {
  this.timeout(120000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(path.join(stateDir, 'gpu-standin-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  onLocalAndSsh((label, connect, image) => {
    const labels = ownerLabels(`gpu-${label}`);
    after(async () => {
      const docker = connect().docker();
      const left = await docker.listContainers({ all: true, filters: { label: [`${TEST_OWNER}=${labels[TEST_OWNER]}`] } });
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
    });

    it(`${label}: the real batched command on a host without nvidia-smi answers "no NVIDIA GPU", saying why`, async () => {
      const r = await probeGpus(connect());
      assert.deepEqual(r, { kind: 'none', reason: 'no NVIDIA GPU', detail: 'nvidia-smi is not installed on this host, or not on the PATH of its login shell' });
    });

    it(`${label}: placement on a host without nvidia-smi skips it, saying why`, async () => {
      const snap = await gpuSnapshot(label, connect());
      assert.deepEqual(placeGpus([snap], { count: 1, type: 'A100' }, { freeMemoryMiB: 1024 }), {
        reasons: [{ host: label, reason: 'no NVIDIA GPU (nvidia-smi is not installed on this host, or not on the PATH of its login shell)' }],
      });
    });

    it(`${label}: a real container's pid maps to that workspace and its owner; a gone pid says so; after the container exits, so does its pid`, async () => {
      const c = await startTestWorkspace(connect(), { ...labels, [OWNER_LABEL]: 'alice' }, { image: image(), name: `bert-ft-${labels[TEST_OWNER]}` });
      const pid = ((await c.inspect()).State as { Pid: number }).Pid;
      assert.ok(pid > 0, 'the engine reports the main pid of a running container');
      const gonePid = 4194303; // above the default pid_max: no such process
      standIn(dir, [pid, gonePid, 1]);
      const r = await probeWith(connect(), dir);
      assert.equal(r.kind, 'gpus', JSON.stringify(r));
      if (r.kind !== 'gpus') return;
      const byPid = new Map(r.processes.map((p) => [p.pid, p]));
      assert.deepEqual(byPid.get(pid)?.owner, { kind: 'container', containerId: c.id });
      assert.deepEqual(byPid.get(gonePid)?.owner, { kind: 'exited' });
      assert.equal(byPid.get(1)?.owner.kind, 'host', 'pid 1 of this machine is in no Docker container');
      const ws = await listWorkspaces(connect().docker(), { [TEST_OWNER]: labels[TEST_OWNER] });
      const holders = gpuHolders(r.gpus[0], r.processes, ws);
      assert.equal(holders.find((h) => h.process.pid === pid)?.text, `alice/bert-ft-${labels[TEST_OWNER]}`);

      // The container exits between two probes: its pid is reported as exited, not an error.
      await c.kill();
      await waitFor(async () => !((await c.inspect()).State as { Running: boolean }).Running, 30000, 'the container to stop');
      const after = await probeWith(connect(), dir);
      assert.ok(after.kind === 'gpus');
      assert.deepEqual(after.processes.find((p) => p.pid === pid)?.owner, { kind: 'exited' });
      await c.remove({ force: true });
    });
  });
});
