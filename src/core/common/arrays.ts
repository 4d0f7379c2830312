// `target.push(...items)` and `Math.max(...items)` pass every item as an argument: past
// about 120k items (130k `${a}` in one crafted scalar) that overflows the stack, and the
// RangeError took all of a file's diagnostics with it. These loop instead.

/** Appends every item of `items` to `target`, for any number of items. */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest number of `items`; -Infinity for none, as `Math.max()` gives. */
export function maxOf(items: Iterable<number>): number {
  let max = -Infinity;
  for (const x of items) if (x > max || Number.isNaN(x)) max = x;
  return max;
}
