// Bundled apart (dist/lazy/modelsFeature.js): the Models view and its commands (~40 KB),
// registered on first use through lazy/lazyFeature.ts (see registerFeatures.ts).
export { registerModelsView } from '../models/registerModels';
