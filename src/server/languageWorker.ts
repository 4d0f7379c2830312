// Entry of the language server's worker thread (bundled as dist/serverWorker.js): see
// languageHandlers.ts, and server.ts for the watchdog around it.
import { serveIsolated } from '../core/common/isolatedWorkerServe';
import { languageHandlers } from './languageHandlers';

serveIsolated(languageHandlers);
