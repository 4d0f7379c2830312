// Bundled apart (dist/lazy/languageClientLib.js) and required on first use, so that
// activation does not parse ~900 KB of language-client code.
export { LanguageClient, TransportKind } from 'vscode-languageclient/node';
