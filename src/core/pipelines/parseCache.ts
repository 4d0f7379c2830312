import { parseYaml, type ParsedYaml } from './yamlDocument';

// Completion, hover, definition and symbols each arrive with the same text right after
// an edit; parsing a 2,000-stage file once instead of four times is what keeps them snappy.
// Keyed by the text itself, so a cached parse can never be stale.
const cache = new Map<string, ParsedYaml>();
const MAX_ENTRIES = 32;

export function parseYamlCached(text: string): ParsedYaml {
  const hit = cache.get(text);
  if (hit) {
    cache.delete(text);
    cache.set(text, hit); // most recently used last
    return hit;
  }
  const parsed = parseYaml(text);
  cache.set(text, parsed);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  return parsed;
}
