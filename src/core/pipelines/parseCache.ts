import { SizedLru } from '../common/sizedLru';
import { parseYaml, type ParsedYaml } from './yamlDocument';

// Completion, hover, definition and symbols each arrive with the same text right after
// an edit; parsing a 2,000-stage file once instead of four times is what keeps them snappy.
// Keyed by the text itself, so a cached parse can never be stale. Bounded by the text it
// holds too: a parse takes many times its text in memory.
const cache = new SizedLru<ParsedYaml>(32, 8_000_000);

export function parseYamlCached(text: string): ParsedYaml {
  const hit = cache.get(text);
  if (hit) return hit;
  const parsed = parseYaml(text);
  cache.set(text, parsed);
  return parsed;
}

/** What the cache holds now, for the memory regression test. */
export function parseCacheSize(): { entries: number; chars: number } {
  return cache.size;
}
