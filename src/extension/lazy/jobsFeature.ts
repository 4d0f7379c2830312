// Bundled apart (dist/lazy/jobsFeature.js): the Jobs view and its commands (~60 KB of its
// own, the cluster backends staying in jobsLib.js), registered on first use through
// lazy/lazyFeature.ts (see registerFeatures.ts).
export { registerJobsView } from '../jobs/registerJobs';
