// What "Attach VS Code" does for a workspace, decided from which remote extensions are
// installed. Pure (no `vscode`): the command carries the plan out.

export const DEV_CONTAINERS = 'ms-vscode-remote.remote-containers';
export const REMOTE_SSH = 'ms-vscode-remote.remote-ssh';

export type AttachPlan =
  /** Dev Containers attaches a window to a running container of the local engine. */
  | { kind: 'command'; command: 'remote-containers.attachToRunningContainer'; args: [string] }
  /** Remote-SSH opens the host (its project folder when known) in a new window. */
  | { kind: 'open-folder'; uri: string }
  | { kind: 'command'; command: 'opensshremotes.openEmptyWindow'; args: [{ host: string }] }
  /** Nothing installed can do it: say what to install. */
  | { kind: 'install'; extension: string; why: string };

export interface AttachInput {
  hostKind: 'local' | 'ssh';
  /** The SSH host as Remote-SSH knows it: the ~/.ssh/config alias, else user@hostName. */
  sshHost?: string;
  containerId: string;
  /** Where the project is on the SSH host (the host's remoteProjectPath). */
  remoteFolder?: string;
  installed: (id: string) => boolean;
}

export function attachPlan(i: AttachInput): AttachPlan {
  if (i.hostKind === 'local') {
    if (i.installed(DEV_CONTAINERS)) return { kind: 'command', command: 'remote-containers.attachToRunningContainer', args: [i.containerId] };
    return { kind: 'install', extension: DEV_CONTAINERS, why: 'Attaching VS Code to a container needs the Dev Containers extension.' };
  }
  if (!i.installed(REMOTE_SSH)) return { kind: 'install', extension: REMOTE_SSH, why: 'Opening a GPU server in VS Code needs the Remote - SSH extension.' };
  const host = i.sshHost ?? '';
  if (i.remoteFolder?.startsWith('/')) return { kind: 'open-folder', uri: `vscode-remote://ssh-remote+${encodeURIComponent(host)}${i.remoteFolder.split('/').map(encodeURIComponent).join('/')}` };
  return { kind: 'command', command: 'opensshremotes.openEmptyWindow', args: [{ host }] };
}
