// Bundled apart (dist/lazy/workspaceCommandsFeature.js): the Workspaces view's commands (the
// launch flow and its profiles, workspace actions, terminals, port forwards, Jupyter,
// TensorBoard, attach), registered on first use through lazy/lazyFeature.ts (see
// registerFeatures.ts); the view itself stays in extension.js.
export { registerWorkspaceCommands } from '../workspaces/workspaceCommands';
