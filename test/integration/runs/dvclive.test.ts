import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DvcLiveSource } from '../../../src/core/runs/dvc/dvcliveSource';
import { requirePeer } from '../harness';

// What the script logs, step by step, is what we must read back.
const script = `
import json, sys
from dvclive import Live
logged = {'train/loss': [], 'acc': []}
with Live(sys.argv[1], save_dvc_exp=False, dvcyaml=None) as live:
    live.log_params({'lr': 0.1, 'model': {'depth': 3, 'name': 'mlp'}})
    for i in range(5):
        for k, v in (('train/loss', 1 / (i + 1)), ('acc', i / 7)):
            live.log_metric(k, v)
            logged[k].append([live.step, v])
        live.log_metric('summary_only', 42.5, plot=False)
        live.next_step()
print(json.dumps(logged))
`;

describe('DVCLive output written by the real DVCLive', function () {
  let dir = '';
  let logged: Record<string, [number, number][]>;

  before(function () {
    const python = requirePeer(this, 'python');
    dir = mkdtempSync(path.join(tmpdir(), 'mlops-dvclive-'));
    logged = JSON.parse(execFileSync(python, ['-c', script, path.join(dir, 'dvclive')], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!);
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('lists params, latest metrics and histories as logged', async () => {
    const src = new DvcLiveSource(path.join(dir, 'dvclive'));
    const { runs, warnings } = await src.list();
    assert.deepEqual(warnings, []);
    assert.equal(runs.length, 1);
    assert.deepEqual(runs[0].params, { lr: '0.1', 'model.depth': '3', 'model.name': 'mlp' });
    for (const [key, points] of Object.entries(logged)) {
      const h = await src.metricHistory('workspace', key);
      assert.deepEqual(h.map((p) => [p.step, p.value]), points, key);
      assert.equal(runs[0].metrics[key].value, points[points.length - 1][1]);
    }
    assert.equal(runs[0].metrics.summary_only.value, 42.5);
  });

  it('warns about a bad row naming the file, and keeps the rest', async () => {
    const tsv = path.join(dir, 'dvclive', 'plots', 'metrics', 'acc.tsv');
    appendFileSync(tsv, '5\toops\n');
    const { runs, warnings } = await new DvcLiveSource(path.join(dir, 'dvclive')).list();
    assert.deepEqual(warnings.map((w) => w.file), [tsv]);
    assert.equal(runs[0].metrics['train/loss'].value, logged['train/loss'][4][1]);
  });
});
