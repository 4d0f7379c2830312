// Finds the real components that scripts/components/up.sh started (components.json).
// A suite whose component is missing prints why and skips; with
// MLOPS_REQUIRE_INTEGRATION=1 (CI) the missing component fails the suite instead.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface DockerComponent {
  socketPath: string;
  image: string;
}

export interface SshComponent {
  host: string;
  port: number;
  username: string;
  privateKeyPath: string;
  knownHostsPath: string;
  hostKeyFingerprint: string;
  dockerHost: string | null;
}

interface Components {
  docker?: DockerComponent;
  ssh?: SshComponent;
  sshAlt?: SshComponent;
}

export const stateDir = process.env.MLOPS_TEST_STATE ?? '/tmp/mlops-test';
export const repoRoot = path.resolve(__dirname, '../..');

function readComponents(): Components {
  const file = path.join(stateDir, 'components.json');
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Components;
}

/** Skips (or, in CI, fails) the current suite when `why` is set. */
export function requireOrSkip(ctx: Mocha.Context, why: string | undefined): void {
  if (!why) return;
  if (process.env.MLOPS_REQUIRE_INTEGRATION === '1') {
    throw new Error(`required integration component missing: ${why}`);
  }
  console.log(`      skipped: ${why}`);
  ctx.skip();
}

export function requireComponent<K extends keyof Components>(ctx: Mocha.Context, name: K): NonNullable<Components[K]> {
  const c = readComponents()[name];
  requireOrSkip(ctx, c ? undefined : `${name} is not running (start it with bash scripts/components/up.sh)`);
  return c as NonNullable<Components[K]>;
}

/** Tools of the peers' venv (.venv-peers, made by scripts/setup/peers.sh). */
export function requirePeer(ctx: Mocha.Context, tool: 'python' | 'mlflow' | 'dvc'): string {
  const bin = path.join(repoRoot, '.venv-peers', 'bin', tool);
  requireOrSkip(ctx, existsSync(bin) ? undefined : `${bin} is missing (run bash scripts/setup/peers.sh)`);
  return bin;
}

/** Resolves when `cond` holds; polls instead of sleeping a fixed time. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
