import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import * as vscode from 'vscode';
import type { MlopsApi } from '../../../src/extension/api';
import type { LaunchResult } from '../../../src/extension/workspaces/launch';
import type { WorkspacesTreeProvider } from '../../../src/extension/workspaces/workspacesTree';
import { waitFor } from '../waitFor';

// The idle auto-stop's background probe in the real workbench: while the Workspaces view
// does not refresh, a workspace launched with an idle limit still has its host probed about
// once a minute, through the same snapshot the view's refresh makes. A hidden view and a
// view with its refresh off (mlops.workspaces.gpuRefreshSeconds = 0) are the same to the
// watch (no snapshot for a minute); the setting is used because the runner's browser checks
// of the sidebar run beside this suite, and hiding the view would pull it from under them.
// The engine has no GPU, so nothing is ever idle here: what is checked is that the probe
// happens while the view does not look (the state machine is unit-tested on a clock).
const LOCAL = 'This machine';
const SLEEP = ['sh', '-c', 'trap "exit 0" TERM; sleep 300 & wait'];
const MARK = 'mlops.test.idleWatch';
const mark = `e2e-idle-${process.pid}-${randomBytes(3).toString('hex')}`;

async function tree(): Promise<WorkspacesTreeProvider> {
  const ext = vscode.extensions.getExtension<MlopsApi>('mlops.mlops-workbench');
  assert.ok(ext);
  return (await ext.activate()).views.workspaces as unknown as WorkspacesTreeProvider;
}

describe('Workspaces idle watch: without the view refreshing, the hosts of workspaces with an idle limit are still probed', function () {
  this.timeout(240000);
  const cfg = () => vscode.workspace.getConfiguration('mlops');
  let engine: Docker | undefined;
  let image = 'local/busybox:1';
  let refreshBefore: number | undefined;

  before(function () {
    const dockerHost = vscode.workspace.getConfiguration('mlops').get<string>('docker.host', '');
    if (!dockerHost.startsWith('unix://')) return this.skip(); // no components: no host to launch on
    engine = new Docker({ socketPath: dockerHost.slice('unix://'.length) });
    refreshBefore = cfg().inspect<number>('workspaces.gpuRefreshSeconds')?.globalValue;
    try {
      const c = JSON.parse(fs.readFileSync(path.join(process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test', 'components.json'), 'utf8'));
      image = c.docker?.image ?? image;
    } catch {
      // the default image name of up.sh
    }
  });

  after(async () => {
    if (!engine) return;
    for (const c of await engine.listContainers({ all: true, filters: { label: [`${MARK}=${mark}`] } })) await engine.getContainer(c.Id).remove({ force: true });
    await cfg().update('workspaces.gpuRefreshSeconds', refreshBefore, vscode.ConfigurationTarget.Global);
  });

  it('launched with a 30 min limit while the view does not refresh, its host is probed in the background a minute after its last snapshot', async () => {
    const t = await tree();
    await cfg().update('workspaces.gpuRefreshSeconds', 0, vscode.ConfigurationTarget.Global);
    const seen: Array<{ at: number; ids: string[] }> = [];
    const sub = t.onSnapshot((host, s) => {
      if (host.name === LOCAL) seen.push({ at: Date.now(), ids: s.workspaces.ok ? s.workspaces.list.map((w) => w.id) : [] });
    });
    try {
      const r = await vscode.commands.executeCommand<LaunchResult>('mlops.launchWorkspace', {
        host: LOCAL,
        profile: { name: 'e2e-idle', image, command: SLEEP, ports: [], mountProject: false, idleStopMinutes: 30 },
        labels: { [MARK]: mark },
      });
      assert.ok(r?.id, 'no launch result');
      const launchedAt = Date.now();
      // The launch re-renders the view once (a snapshot right away when the host is shown);
      // after that only the watch probes: about a minute after the last snapshot, not before.
      const gap = () => {
        const after = seen.filter((s) => s.at >= launchedAt);
        for (let i = 0; i < after.length; i++) {
          const prev = i ? after[i - 1].at : launchedAt;
          if (after[i].ids.includes(r.id) && after[i].at - prev >= 45000) return { at: after[i].at, waited: after[i].at - prev, before: i };
        }
        return undefined;
      };
      const probe = await waitFor(gap, 'a background probe of This machine listing the new workspace', 150000);
      const early = seen.filter((s) => s.at >= launchedAt && s.at < probe.at);
      assert.ok(early.length <= 1, `${early.length} snapshots of the host before the background probe: the view kept refreshing`);
      assert.ok(probe.waited <= 100000, `the background probe came ${probe.waited} ms after the last snapshot (expected about 60-75 s)`);
      assert.equal((await engine!.getContainer(r.id).inspect()).Config.Labels['mlops.idleStopMinutes'], '30');
    } finally {
      sub.dispose();
    }
  });
});
