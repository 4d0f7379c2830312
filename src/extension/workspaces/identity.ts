// Who "me" is for the owner label and the Mine/Team split: `mlops.user`, else the OS user.
import { userInfo } from 'node:os';
import { resolveUser } from '../../core/hosts/ownership';
import { setting } from '../settings';

/** Read at each use: a change of `mlops.user` applies to the next launch and refresh. */
export function currentUser(): string {
  return resolveUser(setting('user'), () => userInfo().username);
}
