/**
 * Git workspaces for squads: the bundled example repository, one worktree per task, file access
 * confined to the worktree, a sandboxed test runner (bubblewrap, see `sandbox/`), patches and commits, and the same
 * operations as model tools (`workspaceTools` + `executeTool`).
 */
export { ensureExampleRepository } from "./example-repository";
export { prepareWorktree, collectPatch, commitWorktree } from "./worktree";
export { listFiles, readFile, writeFile, MAX_READ_BYTES, MAX_WRITE_BYTES } from "./files";
export { runTests, scrubEnvironment, DEFAULT_MAX_OUTPUT_BYTES, type RunTestsResult } from "./run-tests";
export {
  selectSandboxDriver,
  unsandboxedAllowed,
  unsandboxedDriver,
  bubblewrapAvailability,
  defaultSandboxLimits,
  stripUnsandboxedWarning,
  UNSANDBOXED_WARNING_PREFIX,
  type SandboxDriver,
  type SandboxKind,
  type SandboxLimits,
} from "./sandbox";
export { workspaceTools, executeTool, testStatusLine, toolArgumentSchemas, type ToolResult } from "./tools";
export { SQUADRON_AUTHOR } from "./git";
