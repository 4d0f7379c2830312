// Deadlines for remote calls. Apart from hostConnection so that code in the main bundle
// (the view's host status) can use them without loading ssh2 and dockerode.

export class HostTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  if (!ms) return p;
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => {
      onTimeout?.();
      reject(new HostTimeoutError(`${what} did not answer within ${Math.round(ms / 100) / 10} s`));
    }, ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
