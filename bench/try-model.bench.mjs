// Try Model's request path (dist/core.js `invoke`: node http, one kept-alive connection) vs
// `curl` to the same served model: p50 of 50 POSTs of the same body to `/invocations` each,
// curl also reusing one connection (all 50 URLs in one curl). Each side's figure is the time
// of a request as it measures it (our hrtime around a request; curl's %{time_total}), so
// starting a process is in neither. The model: a small sklearn classifier logged with
// mlflow.sklearn.log_model (input example) and registered, served by the real
// `mlflow models serve` through our argv (ServedModel). Cached in ~/.cache/mlops-workbench.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/lib.mjs';
import { atMost, notMeasured, result, sameAnswer } from './lib/verdict.mjs';

const VERSION = 1;
const REQUESTS = 50;
const GOAL = 1.2;
const python = join(root, '.venv-peers', 'bin', 'python');
const mlflow = join(root, '.venv-peers', 'bin', 'mlflow');
const measure = `try model: p50 of ${REQUESTS} POST /invocations to mlflow models serve, ours vs curl`;
if (!existsSync(python)) {
  notMeasured(measure, `${python} missing; run bash scripts/setup/peers.sh`);
  process.exit(1);
}
try {
  execFileSync('curl', ['--version'], { stdio: 'ignore' });
} catch {
  notMeasured(measure, 'curl is not installed (apt-get install -y curl)');
  process.exit(1);
}
const env = { ...process.env, MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' };
const dir = join(homedir(), '.cache', 'mlops-workbench', `try-model-bench-v${VERSION}`);
const db = join(dir, 'mlflow.db');

const logModel = `
import json, logging, sys
logging.disable(logging.WARNING)
import mlflow, numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
mlflow.set_tracking_uri('sqlite:///' + sys.argv[1])
rng = np.random.default_rng(3)
X = pd.DataFrame(rng.normal(size=(200, 4)), columns=['a', 'b', 'c', 'd'])
y = (X['a'] * X['b'] > 0).astype(int)
with mlflow.start_run():
    info = mlflow.sklearn.log_model(LogisticRegression().fit(X, y), name='model', input_example=X[:5], registered_model_name='bench-clf')
print(json.dumps({'version': info.registered_model_version, 'location': mlflow.get_logged_model(info.model_id).artifact_location}))
`;
if (!existsSync(join(dir, 'model.json'))) {
  // In place (the store holds absolute artifact paths); model.json, written last, marks it done.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`logging the bench model into ${dir} (once) ...`);
  const out = execFileSync(python, ['-c', logModel, db], { encoding: 'utf8', env, cwd: dir });
  writeFileSync(join(dir, 'model.json'), out.trim().split('\n').pop() ?? '');
}
const logged = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const location = String(logged.location);

const core = createRequire(import.meta.url)(join(root, 'dist', 'core.js'));
const port = await core.findFreePort();
const server = new core.ServedModel({ mlflow, target: { name: 'bench-clf', version: String(logged.version) }, trackingUri: `sqlite:///${db}`, host: '127.0.0.1', port }, { env });
try {
  const health = await server.waitHealthy(180_000);
  if (!health.healthy) {
    notMeasured(measure, `the model server did not start: ${health.reason}\n${server.logTail(10)}`);
    process.exitCode = 1;
  } else {
    const folder = core.localFolder(location);
    const example = await core.exampleRequest(folder, await core.readMlModel(folder));
    const body = JSON.stringify(JSON.parse(example.text));
    const bodyFile = join(dir, 'body.json');
    writeFileSync(bodyFile, body);
    const url = `${server.url}/invocations`;
    const curlArgs = ['-s', '-H', 'Content-Type: application/json', '--data-binary', `@${bodyFile}`, '-w', '\\n%{http_code} %{time_total}\\n'];
    for (let i = 0; i < REQUESTS; i++) curlArgs.push('-o', '/dev/null', url);
    const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // Alternating rounds, so that a burst of load on the machine falls on both sides.
    const oursP50 = [];
    const curlP50 = [];
    let same = true;
    await core.invoke(server.url, body, { format: 'json', repeats: 10 }); // warm-up
    for (let round = 0; round < 3; round++) {
      const r = await core.invoke(server.url, body, { format: 'json', repeats: REQUESTS });
      same &&= r.status === 200 && r.latency.n === REQUESTS;
      oursP50.push(r.latency.p50Ms);
      const lines = execFileSync('curl', curlArgs, { encoding: 'utf8' }).trim().split('\n').filter((l) => /^\d{3} /.test(l));
      same &&= lines.length === REQUESTS && lines.every((l) => l.startsWith('200 '));
      const times = lines.map((l) => Number(l.split(' ')[1]) * 1000).sort((a, b) => a - b);
      curlP50.push(times[Math.ceil(times.length / 2) - 1]);
    }
    const ours = median(oursP50);
    const theirs = median(curlP50);
    console.log(`ours p50 ${oursP50.map((x) => x.toFixed(2)).join(', ')} ms; curl p50 ${curlP50.map((x) => x.toFixed(2)).join(', ')} ms (3 rounds)`);
    result(measure, `ours ${ours.toFixed(2)} ms vs curl ${theirs.toFixed(2)} ms (median of 3 rounds' p50)`, [atMost('overhead over curl', ours / theirs, GOAL, '×'), sameAnswer(same)]);
  }
} finally {
  await server.stop();
}
