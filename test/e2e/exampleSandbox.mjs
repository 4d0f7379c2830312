// The E2E opens the example project after its pipeline ran, so the Runs view has real
// runs to show (mlflow.db, dvclive/) and the Pipelines view stages that are up to date:
// a throw-away copy (scripts/example/make-sandbox.sh) where `dvc repro` runs with the
// peers' venv. Without that venv, the caller opens examples/ as it is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * { dir, remove() } of a sandbox whose pipeline ran, or undefined with the reason printed.
 * @param {string} root
 * @returns {{ dir: string, remove: () => void } | undefined}
 */
export function prepareExampleSandbox(root) {
  const bin = join(root, '.venv-peers', 'bin');
  if (!existsSync(join(bin, 'dvc'))) {
    console.log(`=== opening examples/ as it is: ${join(bin, 'dvc')} is missing (scripts/components/up.sh makes the peers' venv), so the Runs view shows its welcome text`);
    return undefined;
  }
  const started = Date.now();
  const parent = mkdtempSync(join(tmpdir(), 'mlops-e2e-example-'));
  const remove = () => rmSync(parent, { recursive: true, force: true });
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1' };
  const made = spawnSync('bash', [join(root, 'scripts/example/make-sandbox.sh'), join(parent, 'project')], { env, encoding: 'utf8' });
  const dir = made.stdout?.trim().split('\n').pop();
  const repro = made.status === 0 && dir ? spawnSync('dvc', ['repro'], { cwd: dir, env, encoding: 'utf8' }) : undefined;
  if (!repro || repro.status !== 0) {
    const why = (repro ?? made).stderr || (repro ?? made).stdout || String((repro ?? made).error ?? '');
    console.log(`=== opening examples/ as it is: the example pipeline did not run in a sandbox (exit ${(repro ?? made).status}):\n${why.trim().split('\n').slice(-15).join('\n')}`);
    remove();
    return undefined;
  }
  console.log(`=== example pipeline ran (dvc repro) in ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // `repro` ran, so make-sandbox.sh printed the directory.
  return { dir: /** @type {string} */ (dir), remove };
}
