// Bundled apart (dist/lazy/yamlLib.js): the yaml package (~115 KB) is imported by the
// pipeline, provenance and params readers that activation registers, but is read only when
// one of them parses a file. dist/extension.js holds a stand-in that requires this bundle on
// first use (scripts/extensionBundle.mjs, LAZY_PACKAGES).
export * from 'yaml';
