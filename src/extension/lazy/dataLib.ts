// Bundled apart (dist/lazy/dataLib.js) and required when the Data view first lists
// artifacts or a data command runs, so that activation never parses simple-git or the
// DVC readers.
export { listArtifacts, type Artifact, type ArtifactListing } from '../../core/data/artifacts';
export { artifactState, notInRemoteFromCli, STATE_TEXT, type ArtifactState, type ArtifactStateKind } from '../../core/data/artifactState';
export { readDirManifest, objectPath } from '../../core/data/cacheLayout';
export { cacheWorkspaceCopy } from '../../core/data/cacheCopy';
export { compareVersions, type VersionComparison } from '../../core/data/compareVersions';
export { DataError, type DataProblem } from '../../core/data/dataErrors';
export { readDvcConfig, type DvcConfig } from '../../core/data/dvcConfig';
export { dvcDataStatus, runDvc } from '../../core/data/dvcCli';
export { GitObjects } from '../../core/data/gitObjects';
export { openRepo, type RepoInfo } from '../../core/data/gitRepo';
export { metricsAcrossRevisions, type MetricsTable } from '../../core/data/metricsTable';
export { restoreRecord } from '../../core/data/versionCheckout';
export { parseSshUrl, pushedOnSsh } from '../../core/data/remotePresence';
export { listVersions, type ArtifactVersion } from '../../core/data/versionHistory';
export { HashCache } from '../../core/pipelines/status/dvcHash';
export { findDvcRoot } from '../../core/pipelines/status/stageStatus';
// The experiment commands' two git questions (Apply's changed files, Push/Pull's remotes).
export { changedTrackedFiles, gitRemotes } from '../../core/runs/dvc/expGitQueries';
