// Which MLflow tracking server the Runs view reads (`mlops.mlflow.trackingUri`) and its
// credentials. Credentials live in SecretStorage, keyed by the server's origin so that a
// token never goes to another server; never in settings, which are plain JSON in a repo.
import * as vscode from 'vscode';
import { showInfo, showWarning } from '../notify';
import type { MlflowAuth } from '../../core/runs/mlflow/mlflowRestClient';
import { authForServer, redactTrackingUri, trackingOrigin } from '../../core/runs/mlflow/trackingUri';
import { setting, updateSetting } from '../settings';
import type { ServerSpec } from './runsModel';

const SECRET_PREFIX = 'mlops.mlflow.credentials:';

/** The user's own tracking URI (a repository's settings cannot name one), credentials and all. */
export function configuredTrackingUri(): string {
  return setting('mlflow.trackingUri').trim();
}

/** The server to list, when one is configured with an http(s) URI; keyed and shown without credentials. */
export function serverSpecs(): ServerSpec[] {
  const uri = configuredTrackingUri();
  return /^https?:\/\//i.test(uri) ? [{ kind: 'mlflow-rest', location: redactTrackingUri(uri) }] : [];
}

const origin = trackingOrigin;

export class MlflowCredentials {
  /** One question per server and session; every request waits on the same answer. */
  private readonly asked = new Map<string, Promise<boolean>>();

  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** Stored credentials for the server, else those in the configured URI, else MLflow's environment variables when allowed. */
  async get(uri: string): Promise<MlflowAuth | undefined> {
    const raw = await this.secrets.get(SECRET_PREFIX + origin(uri));
    let stored: MlflowAuth | undefined;
    if (raw) {
      try {
        stored = JSON.parse(raw) as MlflowAuth;
      } catch {
        // A damaged entry: as if none were stored.
      }
    }
    return authForServer({ uri, configured: configuredTrackingUri(), stored, env: process.env, ask: (o) => this.ask(o) });
  }

  private ask(o: string): Promise<boolean> {
    let answer = this.asked.get(o);
    if (!answer) {
      const send = vscode.l10n.t('Send Credentials');
      answer = Promise.resolve(
        showWarning(
          vscode.l10n.t('{0} is plain http on another machine: anyone on the network can read the MLflow credentials of your environment (MLFLOW_TRACKING_TOKEN / _USERNAME / _PASSWORD) if they are sent. Send them?', o),
          send,
          vscode.l10n.t('Do Not Send'),
        ),
      ).then((pick) => pick === send);
      this.asked.set(o, answer);
    }
    return answer;
  }

  set(uri: string, auth: MlflowAuth): Thenable<void> {
    return this.secrets.store(SECRET_PREFIX + origin(uri), JSON.stringify(auth));
  }

  clear(uri: string): Thenable<void> {
    return this.secrets.delete(SECRET_PREFIX + origin(uri));
  }

  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => e.key.startsWith(SECRET_PREFIX) && listener());
  }
}

/** Asks for the tracking URI when none is set; saves it to the user settings. */
async function askTrackingUri(): Promise<string | undefined> {
  const uri = await vscode.window.showInputBox({
    value: configuredTrackingUri(),
    title: vscode.l10n.t('MLflow tracking server'),
    prompt: vscode.l10n.t('The URI of the MLflow tracking server, as in MLFLOW_TRACKING_URI'),
    placeHolder: 'https://mlflow.example.com',
    ignoreFocusOut: true,
    validateInput: (v) => (/^https?:\/\/[^/\s]+/i.test(v.trim()) ? undefined : vscode.l10n.t('An http:// or https:// URI')),
  });
  if (!uri) return undefined;
  // A machine-scoped setting: user settings only, so that a repository cannot name the server.
  await updateSetting('mlflow.trackingUri', uri.trim());
  return uri.trim();
}

/** `MLOps: Connect to MLflow Tracking Server…`: the URI, then credentials if the server wants them. */
export async function connectCommand(creds: MlflowCredentials): Promise<boolean> {
  const uri = await askTrackingUri();
  if (!uri) return false;
  const set = vscode.l10n.t('Set credentials…');
  const answer = await vscode.window.showQuickPick([vscode.l10n.t('No credentials'), set], { title: vscode.l10n.t('Does {0} ask for a token or a password?', origin(uri)) });
  if (answer === set) return setCredentialsCommand(creds);
  return true;
}

/** `MLOps: Set MLflow Tracking Server Credentials`: a token, or a user name and password. */
export async function setCredentialsCommand(creds: MlflowCredentials): Promise<boolean> {
  const uri = configuredTrackingUri() || (await askTrackingUri());
  if (!uri) return false;
  const kind = await vscode.window.showQuickPick(
    [
      { label: vscode.l10n.t('Access token'), description: vscode.l10n.t('sent as "Authorization: Bearer …" (MLFLOW_TRACKING_TOKEN)'), id: 'token' as const },
      { label: vscode.l10n.t('User name and password'), description: vscode.l10n.t("basic auth, as MLflow's basic-auth app expects (MLFLOW_TRACKING_USERNAME / _PASSWORD)"), id: 'basic' as const },
    ],
    { title: vscode.l10n.t('Credentials for {0}', origin(uri)), placeHolder: vscode.l10n.t('How does the server authenticate?'), ignoreFocusOut: true },
  );
  if (!kind) return false;
  let auth: MlflowAuth;
  if (kind.id === 'token') {
    const token = await vscode.window.showInputBox({ title: vscode.l10n.t('Access token for {0}', origin(uri)), password: true, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Paste the token')) });
    if (!token) return false;
    auth = { token: token.trim() };
  } else {
    const username = await vscode.window.showInputBox({ title: vscode.l10n.t('User name on {0}', origin(uri)), ignoreFocusOut: true, validateInput: (v) => (v ? undefined : vscode.l10n.t('A user name')) });
    if (!username) return false;
    const password = await vscode.window.showInputBox({ title: vscode.l10n.t('Password of {0} on {1}', username, origin(uri)), password: true, ignoreFocusOut: true });
    if (password === undefined) return false;
    auth = { username, password };
  }
  await creds.set(uri, auth);
  void showInfo(vscode.l10n.t('credentials for {0} saved in the secret storage.', origin(uri)));
  return true;
}

export async function clearCredentialsCommand(creds: MlflowCredentials): Promise<void> {
  const uri = configuredTrackingUri();
  if (!uri) {
    void showInfo(vscode.l10n.t('no MLflow tracking server is set (mlops.mlflow.trackingUri).'));
    return;
  }
  await creds.clear(uri);
  void showInfo(vscode.l10n.t('credentials for {0} removed.', origin(uri)));
}
