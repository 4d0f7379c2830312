// known_hosts as OpenSSH reads it: plain names, [host]:port, comma lists, wildcards and
// negations, hashed |1|salt|hmac entries; @cert-authority lines are skipped (we check
// plain host keys, not certificates) and @revoked keys are refused.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export type HostPattern = { kind: 'plain'; patterns: string[] } | { kind: 'hashed'; salt: Buffer; hash: Buffer };

export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  host: HostPattern;
  keyType: string;
  key: Buffer;
  /** 1-based line in the file, for messages like OpenSSH's "Offending key in ...:3". */
  line: number;
}

export type HostKeyVerdict =
  | { status: 'match'; line: number }
  | { status: 'unknown'; fingerprint: string; keyType: string; otherKeyTypes: string[] }
  | { status: 'mismatch'; fingerprint: string; keyType: string; line: number; revoked: boolean };

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const m = fields.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // an unknown marker: OpenSSH ignores the line too
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) return;
    const host = parseHostField(hosts);
    if (!host) return;
    entries.push({ ...(marker ? { marker } : {}), host, keyType, key: Buffer.from(b64, 'base64'), line: i + 1 });
  });
  return entries;
}

function parseHostField(field: string): HostPattern | undefined {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return undefined;
    return { kind: 'hashed', salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  }
  return { kind: 'plain', patterns: field.split(',').filter(Boolean) };
}

/**
 * How known_hosts names a host: `host` on port 22, `[host]:port` otherwise. Lowercased, as ssh
 * does before every lookup: the hash of a hashed entry covers the exact bytes, so a host typed
 * `GPU.example.com` must be hashed as `gpu.example.com` to find the entry OpenSSH wrote.
 */
export function knownHostsName(host: string, port: number): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

function wildcard(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

/** OpenSSH's match_hostname: any positive pattern matches and no negated one does. */
export function hostMatches(pattern: HostPattern, name: string): boolean {
  if (pattern.kind === 'hashed') {
    const h = createHmac('sha1', pattern.salt).update(name).digest();
    return h.length === pattern.hash.length && h.equals(pattern.hash);
  }
  let matched = false;
  for (const p of pattern.patterns) {
    if (p.startsWith('!')) {
      if (wildcard(p.slice(1), name)) return false;
    } else if (wildcard(p, name)) matched = true;
  }
  return matched;
}

/** The algorithm name inside an SSH public key blob (string length + name first). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return n > 0 && n < 64 && 4 + n <= blob.length ? blob.subarray(4, 4 + n).toString('latin1') : 'unknown';
}

/** `SHA256:` + unpadded base64 of the key blob's SHA-256, as `ssh-keygen -lf` prints. */
export function fingerprintSha256(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/**
 * Checks the key a server presented for host:port. A known key is a match; another key of
 * the same type (or a revoked one) is a mismatch; nothing for this host and type is unknown.
 */
export function verifyHostKey(entries: readonly KnownHostEntry[], host: string, port: number, presented: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const keyType = keyTypeOf(presented);
  const fingerprint = fingerprintSha256(presented);
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(presented));
  if (revoked) return { status: 'mismatch', fingerprint, keyType, line: revoked.line, revoked: true };
  const forHost = entries.filter((e) => !e.marker && hostMatches(e.host, name));
  const same = forHost.find((e) => e.key.equals(presented));
  if (same) return { status: 'match', line: same.line };
  const changed = forHost.find((e) => e.keyType === keyType);
  if (changed) return { status: 'mismatch', fingerprint, keyType, line: changed.line, revoked: false };
  const otherKeyTypes = [...new Set(forHost.map((e) => e.keyType))];
  return { status: 'unknown', fingerprint, keyType, otherKeyTypes };
}

/** Key types known_hosts lists for host:port, so the connection can ask the server for one of them first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return [...new Set(entries.filter((e) => !e.marker && hostMatches(e.host, name)).map((e) => e.keyType))];
}

/** The line to append for a newly trusted host (hashed like `HashKnownHosts yes` when asked). */
export function knownHostsLine(host: string, port: number, blob: Buffer, opts: { hashed?: boolean; salt?: Buffer } = {}): string {
  const name = knownHostsName(host, port);
  let field = name;
  if (opts.hashed) {
    const salt = opts.salt ?? randomBytes(20);
    field = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${field} ${keyTypeOf(blob)} ${blob.toString('base64')}`;
}

/** What to tell the user when a server's key changed, worded after OpenSSH's warning. */
export function mismatchMessage(hostLabel: string, v: Extract<HostKeyVerdict, { status: 'mismatch' }>, file: string): string {
  if (v.revoked) return `The ${v.keyType} host key of ${hostLabel} (${v.fingerprint}) is marked @revoked in ${file}:${v.line}. Connection refused.`;
  return (
    `The ${v.keyType} host key of ${hostLabel} has changed (now ${v.fingerprint}); it does not match ${file}:${v.line}. ` +
    `Someone could be eavesdropping, or the server was reinstalled. Connection refused: if the change is expected, ` +
    `remove the old key (ssh-keygen -R) and connect again.`
  );
}
