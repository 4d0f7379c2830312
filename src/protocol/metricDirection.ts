// Part of the compare panel's contract: the host sends the user's patterns (settings) and
// the webview applies this rule to them. Pure and import-free, so webview bundles can take it.
/**
 * Which way a metric improves, for marking the best run in the comparison table. The
 * user's patterns (settings `mlops.metrics.lowerIsBetter` / `higherIsBetter`) come first,
 * then a guess from the name: losses, errors and times go down, the rest (accuracy, F1,
 * AUC, ...) go up.
 */
export interface MetricDirectionPrefs {
  lower: readonly string[];
  higher: readonly string[];
}

// Metrics whose smaller values are better; the others are taken as accuracy-like.
const LOWER_BY_NAME = /(loss|err|error|mse|mae|rmse|mape|perplexity|ppl|wer|cer|latency|time|duration|fpr|fnr)/i;

/**
 * A glob over a whole metric name, case-insensitive: `*` is any run of characters
 * (slashes too: `train/*` is a prefix), `?` one character; everything else is literal.
 */
export function globMatches(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'is').test(name);
}

/** How specific a pattern is: its literal characters (so `val_loss` beats `*loss*` beats `*`). */
const specificity = (pattern: string) => pattern.replace(/[*?]/g, '').length;

function bestMatch(patterns: readonly string[], name: string): number {
  let best = -1;
  for (const p of patterns) if (p.trim() && globMatches(p.trim(), name)) best = Math.max(best, specificity(p.trim()));
  return best;
}

/**
 * True when smaller values of `metric` are better. A name matched by both lists goes by
 * its more specific pattern (`*` everywhere, `*acc*` up); a tie goes to lower.
 */
export function lowerIsBetter(metric: string, prefs?: MetricDirectionPrefs): boolean {
  if (prefs) {
    const lower = bestMatch(prefs.lower, metric);
    const higher = bestMatch(prefs.higher, metric);
    if (lower >= 0 || higher >= 0) return lower >= higher;
  }
  return LOWER_BY_NAME.test(metric);
}
