// Telemetry in one place. Nothing is sent unless VS Code's telemetry is on AND a
// connection string is configured (package.json `telemetryConnectionString`); the
// reporter is not even loaded otherwise. Events carry no file paths or user data: only
// the names below, enumerated string values and numbers.

/** Every event we may send, with the properties each may carry. */
export const TelemetryEvents = {
  activated: 'activated',
  languageServerStarted: 'languageServer/started',
  languageServerFailed: 'languageServer/failed',
  commandRun: 'command/run',
} as const;
export type TelemetryEventName = (typeof TelemetryEvents)[keyof typeof TelemetryEvents];

/** The part of @vscode/extension-telemetry's TelemetryReporter we use. */
export interface TelemetrySender {
  sendTelemetryEvent(name: string, properties?: Record<string, string>, measurements?: Record<string, number>): void;
  dispose(): Promise<unknown> | unknown;
}

export interface TelemetryOptions {
  connectionString: string;
  /** VS Code's current telemetry setting (`vscode.env.isTelemetryEnabled`). */
  isTelemetryEnabled: () => boolean;
  createSender: (connectionString: string) => TelemetrySender;
}

// Values that look like paths, URLs, e-mail addresses or host names are user data.
const LOOKS_PERSONAL = /[\\/@:]|\.\w{1,5}$|\s/;

/** Keeps only short identifier-like values; anything else is dropped, not sent. */
export function sanitizeProperties(props: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    if (typeof v === 'string' && v.length <= 64 && !LOOKS_PERSONAL.test(v)) out[k] = v;
  }
  return out;
}

export class Telemetry {
  private sender: TelemetrySender | undefined;
  private sentCount = 0;

  constructor(private readonly options: TelemetryOptions) {}

  /** Whether an event would leave the machine right now. */
  get enabled(): boolean {
    return this.options.connectionString.trim() !== '' && this.options.isTelemetryEnabled();
  }

  /** Events handed to a reporter since start (for tests and the log). */
  get sent(): number {
    return this.sentCount;
  }

  send(name: TelemetryEventName, properties?: Record<string, string>, measurements?: Record<string, number>): void {
    if (!this.enabled) return;
    this.sender ??= this.options.createSender(this.options.connectionString);
    this.sender.sendTelemetryEvent(name, sanitizeProperties(properties), measurements);
    this.sentCount++;
  }

  async dispose(): Promise<void> {
    await this.sender?.dispose();
    this.sender = undefined;
  }
}
