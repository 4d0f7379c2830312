/** A message for the log or the user from anything thrown, without a stack. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

/**
 * For `.catch()` after reading an optional file: a missing file reads as empty, any other
 * failure (EACCES, EISDIR, ...) still rejects instead of passing for "no such file".
 */
export function emptyIfMissing(e: NodeJS.ErrnoException): Promise<string> {
  return e?.code === 'ENOENT' ? Promise.resolve('') : Promise.reject(e);
}
