// Bundled apart (dist/lazy/hostsLib.js) and required when the Workspaces view is first
// shown or a workspace command runs, so that activation never parses ssh2 and dockerode.
import { utils } from 'ssh2';

export { HostKeyError, knownHostsFile, LocalHostConnection, localDockerEndpoint, SshHostConnection } from '../../core/hosts/hostConnection';
export { mergeHosts } from '../../core/hosts/sshConfig';

/** True when a private key file is encrypted and cannot be used without its passphrase. */
export function keyNeedsPassphrase(key: Buffer): boolean {
  const parsed = utils.parseKey(key);
  return parsed instanceof Error && /passphrase|encrypted/i.test(parsed.message);
}

/** undefined when the passphrase opens the key, else ssh2's reason. */
export function keyPassphraseError(key: Buffer, passphrase: string): string | undefined {
  const parsed = utils.parseKey(key, passphrase);
  return parsed instanceof Error ? parsed.message : undefined;
}
