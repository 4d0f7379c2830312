// Bundled apart (dist/lazy/dataFeature.js): the Data view and its commands (~25 KB of its
// own, the DVC and git readers staying in dataLib.js), registered on first use through
// lazy/lazyFeature.ts (see registerFeatures.ts).
export { registerDataView } from '../data/registerData';
