/** One `${...}` reference in the source, with the offsets of the whole `${...}`. */
export interface Interpolation {
  /** What is inside, trimmed: `item.lr`, `train.epochs`. */
  expr: string;
  start: number;
  end: number;
}

/**
 * Finds `${...}` in a scalar's source text (quoted or not, the offsets are the file's).
 * `\${` is DVC's escape for a literal and is skipped. A scan with indexOf, not a regex:
 * `/\$\{([^}]*)\}/g` retries from every `${` to the end when none closes, which is
 * quadratic on a crafted line (1 MB took over a minute).
 */
export function findInterpolations(source: string, base: number): Interpolation[] {
  const out: Interpolation[] = [];
  let from = 0;
  for (;;) {
    const i = source.indexOf('${', from);
    if (i < 0) break;
    // Like `[^}]*\}`: the first `}` after the `${` closes it, nested `${` included.
    const close = source.indexOf('}', i + 2);
    if (close < 0) break; // no later `${` can close either
    if (i === 0 || source[i - 1] !== '\\') out.push({ expr: source.slice(i + 2, close).trim(), start: base + i, end: base + close + 1 });
    from = close + 1;
  }
  return out;
}

export function hasInterpolation(s: string): boolean {
  return s.includes('${');
}

/** A name path DVC can resolve: `a`, `a.b`, `a[0].b`, `a.b-c`. Anything else is no plain reference. */
export function isSimpleReference(expr: string): boolean {
  return /^[A-Za-z_][\w-]*(\.[\w-]+|\[\d+\])*$/.test(expr);
}
