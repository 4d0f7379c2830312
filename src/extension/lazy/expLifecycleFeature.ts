// Bundled apart (dist/lazy/expLifecycleFeature.js): DVC's experiment lifecycle commands
// (queue, run, workers, kill, apply, branch...), registered on first use through
// lazy/lazyFeature.ts (see registerFeatures.ts).
export { registerExpLifecycle } from '../expLifecycle/registerExpLifecycle';
