// Bundled apart (dist/lazy/telemetryLib.js): the telemetry SDK is ~1.4 MB and is loaded
// only when telemetry is on and a connection string is configured.
export { TelemetryReporter } from '@vscode/extension-telemetry';
