// The one way a benchmark reports: a `RESULT` line with the figure, the target beside it
// and PASS / FALLS SHORT, so `npm run bench` and the README's table read the same columns.
// A bench that cannot measure says NOT MEASURED with the reason (and exits non-zero).

/**
 * @typedef {object} Target
 * @property {string} label   what is compared: "vs dvc exp show", "p95", "RSS"
 * @property {number} value   the measured figure, in the unit of `goal`
 * @property {'>=' | '<='} op  ≥ for ratios "times faster", ≤ for times and sizes
 * @property {number} goal
 * @property {string} unit    "×", " ms", " MB", " MB/s"
 * @property {boolean} [check] a yes/no condition: only its label is printed
 */

const symbol = { '>=': '≥', '<=': '≤' };

/** @param {number} n */
function num(n) {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  return abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(2);
}

/**
 * @param {Target} t
 * @returns {boolean}
 */
export function meets(t) {
  return t.op === '>=' ? t.value >= t.goal : t.value <= t.goal;
}

/**
 * The target column: "vs dvc exp show 52.3× (target ≥ 100×)".
 * @param {Target} t
 */
export function describeTarget(t) {
  if (t.check) return t.label;
  return `${t.label} ${num(t.value)}${t.unit} (target ${symbol[t.op]} ${+t.goal.toPrecision(6)}${t.unit})`;
}

/**
 * Prints `RESULT <measure> | <figure> | <targets> | PASS|FALLS SHORT` and returns whether
 * every target was met.
 * @param {string} measure   what was measured: "dvc experiments (200)"
 * @param {string} figure    the numbers behind it: "ours 24 ms vs dvc exp show 1.36 s"
 * @param {Target[]} targets
 */
export function result(measure, figure, targets) {
  const pass = targets.every(meets);
  const verdict = targets.length === 0 ? 'NO TARGET' : pass ? 'PASS' : 'FALLS SHORT';
  console.log(`RESULT ${measure} | ${figure} | ${targets.map(describeTarget).join('; ') || '-'} | ${verdict}`);
  return pass;
}

/**
 * @param {string} measure
 * @param {string} reason  what is missing and the command that provides it
 */
export function notMeasured(measure, reason) {
  console.log(`RESULT ${measure} | not measured: ${reason} | - | NOT MEASURED`);
}

/**
 * @param {number} value
 * @param {number} goal
 * @param {string} [label]
 * @returns {Target}
 */
export function faster(value, goal, label = 'faster') {
  return { label, value, op: '>=', goal, unit: '×' };
}

/**
 * @param {string} label
 * @param {number} value
 * @param {number} goal
 * @param {string} unit
 * @returns {Target}
 */
export function atMost(label, value, goal, unit) {
  return { label, value, op: '<=', goal, unit };
}

/**
 * @param {string} label
 * @param {number} value
 * @param {number} goal
 * @param {string} unit
 * @returns {Target}
 */
export function atLeast(label, value, goal, unit) {
  return { label, value, op: '>=', goal, unit };
}

/**
 * "Same answer as the peer" as a target, so a faster wrong answer never reads PASS.
 * @param {boolean} equal
 * @returns {Target}
 */
export function sameAnswer(equal) {
  return { label: equal ? 'same answer' : 'ANSWERS DIFFER', value: equal ? 1 : 0, op: '>=', goal: 1, unit: '', check: true };
}
