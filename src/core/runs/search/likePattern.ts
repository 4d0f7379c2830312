// SQL LIKE as MLflow's stores run it: `%` is any run of characters, `_` exactly one character
// (a code point), no escape character, case-sensitive (MLflow turns on SQLite's
// case_sensitive_like). Matched without regular expressions: the classic wildcard walk that
// returns to the last `%`, O(text × pattern) at worst, so a crafted pattern cannot explode.

/** Whether `text` matches the LIKE `pattern`; `ignoreCase` for ILIKE. */
export function likeMatch(text: string, pattern: string, ignoreCase = false): boolean {
  const t = Array.from(ignoreCase ? text.toLowerCase() : text);
  const p = Array.from(ignoreCase ? pattern.toLowerCase() : pattern);
  let ti = 0;
  let pi = 0;
  let starP = -1;
  let starT = 0;
  while (ti < t.length) {
    if (pi < p.length && p[pi] === '%') {
      starP = pi++;
      starT = ti;
    } else if (pi < p.length && (p[pi] === '_' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (starP >= 0) {
      pi = starP + 1;
      ti = ++starT;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '%') pi++;
  return pi === p.length;
}
