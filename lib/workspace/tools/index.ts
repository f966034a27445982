/**
 * The workspace tools an agent calls in its worktree, one module each. Every tool validates its
 * arguments with zod, never throws for the model's mistakes (an unknown tool, bad arguments, a refused
 * path, a missing file come back as `ok: false` with a message the model can act on) and keeps its
 * output under `MAX_TOOL_RESULT_CHARS`, saying what it left out and how to get it.
 *
 * Which role gets which tool is the role definition's business (`lib/agents/roles`), narrowed or
 * widened per squad agent (`lib/agents/agent-tools.ts`).
 */
import { z } from "zod";
import type { AgentRole } from "@/db/schema/agent-roles";
import { roleTools } from "@/lib/agents/roles";
import { AppError } from "@/lib/errors";
import type { ToolCall, ToolDefinition } from "@/lib/llm/types";
import { messageOf } from "../errno";
import { applyPatchTool } from "./apply-patch";
import { createFileTool } from "./create-file";
import { editFileTool } from "./edit-file";
import { listFilesTool } from "./list-files";
import { readFileTool } from "./read-file";
import { runCommandTool } from "./run-command";
import { runTestsTool } from "./run-tests";
import { searchTool } from "./search";
import { searchKnowledgeTool } from "./search-knowledge";
import { failure, pathKey, toDefinition, type ToolContext, type ToolResult, type WorkspaceTool } from "./shared";
import { writeFileTool } from "./write-file";

export { testStatusLine } from "./run-tests";
export { READ_WINDOW_LINES } from "./read-file";
export { MAX_SEARCH_MATCHES } from "./search";
export { knowledgeResultText, DEFAULT_KNOWLEDGE_HITS, MAX_KNOWLEDGE_HITS } from "./search-knowledge";
export { MAX_TOOL_RESULT_CHARS, type ToolContext, type ToolResult } from "./shared";

const tools = [
  listFilesTool,
  readFileTool,
  searchTool,
  searchKnowledgeTool,
  editFileTool,
  createFileTool,
  applyPatchTool,
  writeFileTool,
  runCommandTool,
  runTestsTool,
] as const;

/** Every workspace tool name, in the order tools are offered (`ask_teammate` is the agent loop's, not here). */
export const WORKSPACE_TOOL_NAMES = [
  "list_files",
  "read_file",
  "search",
  "search_knowledge",
  "edit_file",
  "create_file",
  "apply_patch",
  "write_file",
  "run_command",
  "run_tests",
] as const;
export type WorkspaceToolName = (typeof WORKSPACE_TOOL_NAMES)[number];
/** Same list as {@link WORKSPACE_TOOL_NAMES} (kept for existing callers). */
export const workspaceToolNames: readonly WorkspaceToolName[] = WORKSPACE_TOOL_NAMES;
// The module list and the name list must agree (order included): checked once at load.
if (tools.map((t) => t.name).join() !== WORKSPACE_TOOL_NAMES.join()) throw new Error("lib/workspace/tools: tool modules and WORKSPACE_TOOL_NAMES disagree");

const byName = new Map<string, WorkspaceTool>(tools.map((t) => [t.name, t as unknown as WorkspaceTool]));

/** Argument schemas of the workspace tools; the JSON Schemas the model sees are generated from these. */
export const toolArgumentSchemas = {
  list_files: listFilesTool.schema,
  read_file: readFileTool.schema,
  search: searchTool.schema,
  search_knowledge: searchKnowledgeTool.schema,
  edit_file: editFileTool.schema,
  create_file: createFileTool.schema,
  apply_patch: applyPatchTool.schema,
  write_file: writeFileTool.schema,
  run_command: runCommandTool.schema,
  run_tests: runTestsTool.schema,
} satisfies Record<WorkspaceToolName, z.ZodType>;

/** All workspace tools as model tool definitions (JSON Schema parameters). */
export const workspaceTools: ToolDefinition[] = tools.map((t) => toDefinition(t as unknown as WorkspaceTool));

/** The definitions of the named tools, in the offering order; unknown names are ignored. */
export function workspaceToolDefinitions(names: readonly string[]): ToolDefinition[] {
  const wanted = new Set(names);
  return workspaceTools.filter((t) => wanted.has(t.name));
}

/** Per-agent changes to a role's tools (`agents.tool_overrides`): names added, names removed. */
export type ToolOverrides = { enabled?: readonly string[]; disabled?: readonly string[] };

/**
 * The workspace tool definitions an agent of `role` is offered: the role's tools (`roleTools`, from
 * `lib/agents/roles`: builders and QA get `run_command` and `run_tests`; the architect and the tech lead
 * only read-only tools; the product manager none), plus `overrides.enabled`, minus `overrides.disabled`
 * (disabling wins). Offering order of {@link WORKSPACE_TOOL_NAMES}; names that are no workspace tool
 * (e.g. `ask_teammate`, built by the agent loop, or a typo) are ignored. Never throws.
 */
export function toolsForRole(role: AgentRole, overrides: ToolOverrides = {}): ToolDefinition[] {
  const disabled = new Set(overrides.disabled ?? []);
  const names = [...roleTools(role), ...(overrides.enabled ?? [])].filter((n) => !disabled.has(n));
  return workspaceToolDefinitions(names);
}

/**
 * Executes one model tool call in `ctx.worktree`. Never throws for the model's mistakes: they come back
 * as `ok: false` with a message. Unexpected errors (e.g. git missing) also come back as `ok: false`.
 */
export async function executeTool(ctx: ToolContext, call: ToolCall): Promise<ToolResult> {
  const tool = byName.get(call.name);
  if (!tool) return failure(`Unknown tool "${call.name}". Available tools: ${workspaceToolNames.join(", ")}.`);
  const args = tool.schema.safeParse(call.arguments ?? {});
  if (!args.success) return failure(`Invalid arguments for ${call.name}: ${z.prettifyError(args.error)}`);
  try {
    return await tool.run(ctx, args.data);
  } catch (error) {
    if (error instanceof AppError) return failure(error.message);
    return failure(messageOf(error));
  }
}

/**
 * Updates the set of paths whose whole content an agent has seen (what `write_file` may replace) from
 * one finished tool call: a complete `read_file`, a `create_file` / `write_file` add the path; a file an
 * `apply_patch` deleted is dropped. Call it in the agent loop with each (memoised) tool result, so a
 * replayed run rebuilds the same set.
 */
export function noteSeenInFull(seen: Set<string>, call: Pick<ToolCall, "name">, result: { ok: boolean; data?: unknown }): void {
  if (!result.ok) return;
  const data = z.looseObject({ path: z.string().optional(), complete: z.boolean().optional() }).safeParse(result.data);
  if (call.name === "read_file" && data.success && data.data.path && data.data.complete) seen.add(pathKey(data.data.path));
  if ((call.name === "create_file" || call.name === "write_file") && data.success && data.data.path) seen.add(pathKey(data.data.path));
  if (call.name === "apply_patch") {
    const files = z.object({ files: z.array(z.object({ path: z.string(), change: z.string() })) }).safeParse(result.data);
    for (const f of files.success ? files.data.files : []) {
      if (f.change === "delete") seen.delete(f.path);
      if (f.change === "create") seen.add(f.path);
    }
  }
}
