// Bundled apart (dist/lazy/provenanceFeature.js): the launcher that records what made each
// run, Reproduce Run and its clean-up (~60 KB with core/provenance), loaded by the first
// launch or command through lazy/lazyFeature.ts (see registerFeatures.ts).
export { registerProvenance } from '../provenance/registerProvenance';
