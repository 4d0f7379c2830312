// Bundled apart (dist/lazy/jobsLib.js) and required when the Jobs view first reads a
// cluster or a job command runs, so that activation never parses the cluster backends.
export { SlurmBackend } from '../../core/jobs/slurm/slurmBackend';
export { RemoteRootMissingError, syncProject } from '../../core/jobs/sync/codeSync';
export { fetchResults, syncedFiles } from '../../core/jobs/sync/fetchResults';
export { sftpRemoteFs } from '../../core/jobs/sync/remoteFs';
export { RayBackend } from '../../core/jobs/ray/rayBackend';
export { logResultsFs, parseResultsLog } from '../../core/jobs/ray/resultsInLog';
export { captureSubmitPart } from '../../core/provenance/jobSubmitCapture';
export { entryPointRunTags, saveSubmitPart, writeJobProvenance } from '../../core/provenance/jobProvenance';
