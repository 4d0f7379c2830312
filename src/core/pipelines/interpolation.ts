/** One `${...}` reference in the source, with the offsets of the whole `${...}`. */
export interface Interpolation {
  /** What is inside, trimmed: `item.lr`, `train.epochs`. */
  expr: string;
  start: number;
  end: number;
}

const REF = /\$\{([^}]*)\}/g;

/**
 * Finds `${...}` in a scalar's source text (quoted or not, the offsets are the file's).
 * `\${` is DVC's escape for a literal and is skipped.
 */
export function findInterpolations(source: string, base: number): Interpolation[] {
  if (!source.includes('${')) return [];
  const out: Interpolation[] = [];
  for (const m of source.matchAll(REF)) {
    const i = m.index ?? 0;
    if (i > 0 && source[i - 1] === '\\') continue;
    out.push({ expr: m[1].trim(), start: base + i, end: base + i + m[0].length });
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
