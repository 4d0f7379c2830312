// A remote URL as it may be shown and stored: never with the user's password or token.
// Covers URL forms (https://user:token@host/...) and leaves scp-like ssh forms
// (git@host:org/repo.git) alone: there the user is a login name, not a secret.

/** The URL with any `user:password@` / `token@` of a URL form removed, and its query/fragment dropped. */
export function stripCredentials(url: string): string {
  const s = url.trim();
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/?#]*)(.*)$/.exec(s);
  if (!m) return s; // scp-like or a path
  const [, scheme, authority, rest] = m;
  const at = authority.lastIndexOf('@');
  const host = at >= 0 ? authority.slice(at + 1) : authority;
  // ssh://git@host keeps its login name; any password after it goes.
  const user = at >= 0 && /^ssh:/i.test(scheme) ? `${authority.slice(0, at).split(':')[0]}@` : '';
  // Tokens also travel as ?private_token= / #...: keep the path only.
  const path = rest.replace(/[?#].*$/, '');
  return `${scheme}${user}${host}${path}`;
}
