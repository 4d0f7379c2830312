// The extension-host half of the hand-off with the E2E runner's browser checks (the
// runner's half is test/e2e/browserAsks.mjs): a suite writes `e2e-<topic>-<n>.ready`
// (JSON: the title, the step and what to expect) beside the results file and waits for
// `e2e-<topic>-<n>.done` ({ ok, error }).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitFor } from './waitFor';

export type AskRunner = (title: string, step: string, data: Record<string, unknown>) => Promise<boolean>;

// A check that waits on a busy page (other suites' screenshots) can take a while.
const ANSWER_MS = 90000;

/**
 * Asks for `topic`'s browser checks, numbered in order. Each ask resolves true once the
 * runner passed it, throws with its error when it failed, and resolves false when no
 * browser runs the suites (desktop VS Code). `answerMs`: how long one answer may take.
 */
export function runnerAsker(topic: string, answerMs = ANSWER_MS): AskRunner {
  let asked = 0;
  return async (title, step, data) => {
    const results = process.env.MLOPS_E2E_RESULTS;
    if (!results || !process.env.MLOPS_E2E_SHOT_READY) return false;
    const n = ++asked;
    const dir = path.dirname(results);
    const done = path.join(dir, `e2e-${topic}-${n}.done`);
    fs.rmSync(done, { force: true });
    fs.writeFileSync(path.join(dir, `e2e-${topic}-${n}.ready`), JSON.stringify({ title, step, ...data }));
    const answer = await waitFor(() => (fs.existsSync(done) ? (JSON.parse(fs.readFileSync(done, 'utf8')) as { ok: boolean; error?: string }) : undefined), `the runner's answer to "${title}"`, answerMs);
    assert.ok(answer.ok, `${title}: ${answer.error}`);
    return true;
  };
}
