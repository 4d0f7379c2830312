// Polling for the E2E suites: they wait for what the real workbench does, never a fixed time.

/** Resolves with the first truthy value of `fn`; throws `timed out: <what>` after `timeoutMs`. */
export async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 30000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
