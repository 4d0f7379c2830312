// The launch setup the provenance suites share: the peers' environment, a process runner
// that resolves with the exit status (printing the output of a failure), and the
// LaunchInput of a launch from a project folder here (git and the probes run on this
// machine unless a container's runner is given).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { nodeRunner } from '../../../src/core/provenance/runner';
import type { LaunchInput } from '../../../src/core/provenance/session';

/** The process environment with the peers' dvc first on PATH, without DVC analytics or an inherited MLflow store. */
export function peersEnv(dvc: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(dvc)}:${process.env.PATH}`, DVC_NO_ANALYTICS: '1', ...extra };
  if (!('MLFLOW_TRACKING_URI' in extra)) delete env.MLFLOW_TRACKING_URI;
  return env;
}

/** Runs argv in cwd with `env` plus `extra`; resolves with its exit status. */
export function spawnExec(env: NodeJS.ProcessEnv): (cwd: string, argv: string[], extra: Record<string, string>) => Promise<number | undefined> {
  return (cwd, argv, extra) =>
    new Promise<number | undefined>((resolve) => {
      const child = spawn(argv[0], argv.slice(1), { cwd, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => {
        if (code !== 0) console.log(out);
        resolve(code ?? undefined);
      });
    });
}

/** A launch from `cwd` on this machine; `o` overrides any field (a container's runner, an image, MLflow). */
export function launchInput(o: Pick<LaunchInput, 'launcher' | 'cwd' | 'command' | 'python' | 'env'> & Partial<LaunchInput>): LaunchInput {
  return {
    local: nodeRunner,
    remote: nodeRunner,
    host: hostname(),
    readText: (rel) => readFile(path.join(o.cwd, rel), 'utf8').catch(() => undefined),
    ...o,
  };
}
