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
export {
  workspaceTools,
  workspaceToolNames,
  WORKSPACE_TOOL_NAMES,
  workspaceToolDefinitions,
  toolsForRole,
  executeTool,
  noteSeenInFull,
  testStatusLine,
  toolArgumentSchemas,
  READ_WINDOW_LINES,
  MAX_TOOL_RESULT_CHARS,
  type ToolContext,
  type ToolResult,
  type WorkspaceToolName,
  type ToolOverrides,
} from "./tools";
export { buildRepositoryMap, type RepositoryMapOptions } from "./repo-map";
export { SQUADRON_AUTHOR } from "./git";
