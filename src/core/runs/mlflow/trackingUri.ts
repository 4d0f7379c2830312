// A tracking URI may carry credentials (`https://user:pass@host`, as MLflow accepts). They
// belong in the request only: every log line, warning, source id and webview state uses
// the redacted form. And MLflow's environment credentials go only to a server the user
// chose, never in clear text to another machine without asking.
import type { MlflowAuth } from './mlflowRestClient';

// Linear: one pass over the authority, no nested quantifiers.
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i;

/** The URI without its `user:password@` part (unchanged when it has none). */
export function redactTrackingUri(uri: string): string {
  return uri.replace(USERINFO, '$1');
}

/** Basic auth written into the URI, as MLflow's client reads it. */
export function uriCredentials(uri: string): MlflowAuth | undefined {
  try {
    const u = new URL(uri);
    return u.username ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : undefined;
  } catch {
    return undefined;
  }
}

export function trackingOrigin(uri: string): string {
  try {
    return new URL(redactTrackingUri(uri)).origin;
  } catch {
    return redactTrackingUri(uri);
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** MLflow's own credential variables, as its client reads them. */
export function envCredentials(env: NodeJS.ProcessEnv): MlflowAuth | undefined {
  if (env.MLFLOW_TRACKING_TOKEN) return { token: env.MLFLOW_TRACKING_TOKEN };
  if (env.MLFLOW_TRACKING_USERNAME) return { username: env.MLFLOW_TRACKING_USERNAME, password: env.MLFLOW_TRACKING_PASSWORD ?? '' };
  return undefined;
}

/**
 * May the environment's credentials go to `serverUri`? `withhold`: it is not a server the
 * user configured (their own setting or MLFLOW_TRACKING_URI); `ask`: it is, but over plain
 * http to another machine, where anyone on the way can read them; `send` otherwise.
 */
export function envCredentialsDecision(serverUri: string, userUris: readonly (string | undefined)[]): 'send' | 'ask' | 'withhold' {
  const origin = trackingOrigin(serverUri);
  if (!userUris.some((u) => u && trackingOrigin(u.trim()) === origin)) return 'withhold';
  try {
    const u = new URL(redactTrackingUri(serverUri));
    return u.protocol === 'http:' && !isLoopbackHost(u.hostname) ? 'ask' : 'send';
  } catch {
    return 'withhold';
  }
}

export interface AuthChoice {
  serverUri: string;
  /** Saved in the secret storage for this server's origin. */
  stored?: MlflowAuth;
  /** The user's own tracking URIs: the user-level setting and MLFLOW_TRACKING_URI. */
  userUris: readonly (string | undefined)[];
  env: NodeJS.ProcessEnv;
  /** Asks the user whether to send env credentials in clear text; true to send. */
  ask: (origin: string) => Promise<boolean>;
}

/** What the extension knows when a source asks for credentials (see authForServer). */
export interface ServerAuthContext {
  /** The server the request goes to, as the source names it (without credentials). */
  uri: string;
  /** The user's mlops.mlflow.trackingUri, credentials and all; '' when unset. */
  configured: string;
  stored?: MlflowAuth;
  env: NodeJS.ProcessEnv;
  ask: (origin: string) => Promise<boolean>;
}

/**
 * The credentials for a request to `uri`: those in the configured URI when it names the
 * same server, and the environment's only for a server the user configured (the setting
 * or MLFLOW_TRACKING_URI).
 */
export function authForServer(c: ServerAuthContext): Promise<MlflowAuth | undefined> {
  const serverUri = c.configured && trackingOrigin(c.configured) === trackingOrigin(c.uri) ? c.configured : c.uri;
  return chooseMlflowAuth({ serverUri, stored: c.stored, userUris: [c.configured, c.env.MLFLOW_TRACKING_URI], env: c.env, ask: c.ask });
}

/** The credentials for one request: stored, else in the URI, else the environment's when allowed. */
export async function chooseMlflowAuth(c: AuthChoice): Promise<MlflowAuth | undefined> {
  if (c.stored) return c.stored;
  const inUri = uriCredentials(c.serverUri);
  if (inUri) return inUri;
  const env = envCredentials(c.env);
  if (!env) return undefined;
  const decision = envCredentialsDecision(c.serverUri, c.userUris);
  if (decision === 'send') return env;
  if (decision === 'ask' && (await c.ask(trackingOrigin(c.serverUri)))) return env;
  return undefined;
}
