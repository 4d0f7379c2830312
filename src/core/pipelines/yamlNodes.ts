import { isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { LineIndex } from '../common/positions';
import type { PipelineDiagnostic, Severity } from './diagnostics';
import { errorMessage } from '../common/errors';

/** A scalar's value as text (numbers and booleans too); undefined for anything else. */
export function scalarText(node: unknown): string | undefined {
  if (isScalar(node) && node.value !== null && node.value !== undefined && typeof node.value !== 'object') return String(node.value);
  return undefined;
}

/** Source offsets [start, end) of a node, or undefined for a node the parser made up. */
export function spanOf(node: unknown): [number, number] | undefined {
  const r = (node as Node | null | undefined)?.range;
  return r ? [r[0], r[1]] : undefined;
}

export function pairKey(pair: Pair): string | undefined {
  return scalarText(pair.key);
}

/** The pairs of a map, skipping those whose key is not a plain scalar (`? [a]: b`). */
export function* entries(map: YAMLMap): Generator<[string, Pair]> {
  for (const pair of map.items) {
    const key = pairKey(pair);
    if (key !== undefined) yield [key, pair];
  }
}

/**
 * Like entries(), but of a repeated key only the last pair, at the first one's place:
 * what PyYAML (MLflow's loader) makes of a map with duplicate keys.
 */
export function lastEntries(map: YAMLMap): [string, Pair][] {
  const last = new Map<string, Pair>();
  for (const [key, pair] of entries(map)) last.set(key, pair);
  return [...last];
}

/** The value of the last pair with `key` (YAMLMap.get gives the first), as PyYAML keeps it. */
export function lastValue(map: YAMLMap, key: string): unknown {
  let value: unknown;
  for (const [k, pair] of entries(map)) if (k === key) value = pair.value;
  return value;
}

export function typeName(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isPair(node)) return 'a pair';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'boolean') return 'a boolean';
    if (typeof v === 'number') return 'a number';
    if (typeof v === 'string') return 'a string';
  }
  return 'an alias';
}

export function isStringScalar(node: unknown): boolean {
  return isScalar(node) && typeof node.value === 'string';
}

/** Collects diagnostics with ranges mapped from offsets. */
export class DiagnosticSink {
  readonly items: PipelineDiagnostic[] = [];
  /** `log` hears about a check that threw (the server's log); the user gets one warning. */
  constructor(
    private readonly lines: LineIndex,
    private readonly log?: (line: string) => void,
  ) {}

  at(target: unknown, severity: Severity, code: string, message: string, related?: { span: [number, number]; message: string }[]): void {
    const span = Array.isArray(target) ? (target as [number, number]) : spanOf(target);
    if (!span) return;
    const d: PipelineDiagnostic = { range: this.lines.rangeOf(span[0], span[1]), severity, code, message };
    if (related?.length) d.related = related.map((r) => ({ range: this.lines.rangeOf(r.span[0], r.span[1]), message: r.message }));
    this.items.push(d);
  }

  /**
   * Runs one check so that what it throws (a stack overflow on a crafted file, a bug)
   * costs that check only: the diagnostics of the others are still published.
   */
  isolate(what: string, check: () => void): void {
    try {
      check();
    } catch (err) {
      this.log?.(`The ${what} check failed: ${errorMessage(err)}`);
      this.items.push({
        range: this.lines.rangeOf(0, 0),
        severity: 'warning',
        code: 'check-failed',
        message: `MLOps could not finish the ${what} check on this file (${errorMessage(err)}); the other checks ran. See the MLOps language server log.`,
      });
    }
  }
}
