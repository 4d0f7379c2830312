// The readers of every file store kind but mlflow.db, bundled apart (dist/lazy/runsReaders.js):
// the run-store worker loads them on the first store of such a kind, so a window whose only
// store is an mlflow.db never parses the yaml and git libraries they bring (about 500 KB)
// before its first listing.
export { createFileRunSource } from '../fileSources';
