/**
 * A least-recently-used map keyed by text, bounded both in entries and in the characters
 * of its keys (the text it holds, and what was parsed from it grows with it). Counting
 * entries alone let 40 edits of a 2.5 MB file hold 2.8 GB. The newest entry is kept even
 * when it alone is over the bound: it is the one being asked about.
 */
export class SizedLru<V> {
  private readonly map = new Map<string, V>();
  private chars = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxChars: number,
  ) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.map.delete(key);
      this.map.set(key, hit); // most recently used last
    }
    return hit;
  }

  set(key: string, value: V): void {
    if (this.map.delete(key)) this.chars -= key.length;
    this.map.set(key, value);
    this.chars += key.length;
    while (this.map.size > 1 && (this.map.size > this.maxEntries || this.chars > this.maxChars)) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.chars -= oldest.length;
    }
  }

  /** Characters of text held, for tests. */
  get size(): { entries: number; chars: number } {
    return { entries: this.map.size, chars: this.chars };
  }
}
