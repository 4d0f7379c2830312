// The registry readers the model-registry worker loads from beside its bundle on first use
// (dist/lazy/modelsReaders.js): the mlruns/ file store, GTO tags and MLmodel files, which
// bring the YAML parser and simple-git with them. The mlflow.db reader stays in the worker's
// own bundle, so the worker starts and lists an mlflow.db with a fifth of the code to parse.
export { readGtoRegistry } from '../gtoRegistry';
export { readFileRegistry } from '../mlflowFileRegistry';
export { readMlModel } from '../mlmodel';
