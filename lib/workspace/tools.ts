import { z } from "zod";
import { AppError } from "@/lib/errors";
import { toJsonSchema } from "@/lib/llm/schemas";
import type { ToolCall, ToolDefinition } from "@/lib/llm/types";
import { messageOf } from "./errno";
import { listFiles, readFile, writeFile } from "./files";
import { runTests, type RunTestsResult } from "./run-tests";

const repoPath = z.string().min(1).describe("Path relative to the repository root, e.g. src/app.js");

/** Argument schemas of the workspace tools; the JSON Schemas the model sees are generated from these. */
export const toolArgumentSchemas = {
  list_files: z.object({
    dir: z.string().optional().describe("Folder relative to the repository root; omit to list everything"),
  }),
  read_file: z.object({ path: repoPath }),
  write_file: z.object({
    path: repoPath,
    content: z.string().describe("The complete new content of the file (not a diff)"),
  }),
  run_tests: z.object({}),
} as const;

type ToolName = keyof typeof toolArgumentSchemas;
const toolNames: readonly ToolName[] = ["list_files", "read_file", "write_file", "run_tests"];

const descriptions: Record<ToolName, string> = {
  list_files:
    "List the repository's files (tracked and untracked; .gitignored files excluded), optionally under one folder.",
  read_file: "Read a UTF-8 text file of the repository.",
  write_file: "Create or overwrite a file of the repository with its complete new content. Folders are created as needed.",
  run_tests:
    "Run the repository's test command. Returns a first line `status: passed`, `status: failed` or `status: timed out`, then the output.",
};

/** The tools an agent may call in its worktree, as model tool definitions (JSON Schema parameters). */
export const workspaceTools: ToolDefinition[] = toolNames.map((name) => ({
  name,
  description: descriptions[name],
  parameters: toJsonSchema(toolArgumentSchemas[name]),
}));

/** What a tool call produced: `output` is the text sent back to the model; `data` is for the UI and logs. */
export type ToolResult = { ok: boolean; output: string; data?: unknown };

/** The first line of a `run_tests` tool result; offline scenarios test for `status: passed`. */
export function testStatusLine(result: RunTestsResult): string {
  const status = result.timedOut ? "timed out" : result.passed ? "passed" : "failed";
  const code = result.exitCode === null ? "no exit code" : `exit code ${result.exitCode}`;
  return `status: ${status} (${code}, ${result.durationMs} ms)`;
}

function isToolName(name: string): name is ToolName {
  return Object.hasOwn(toolArgumentSchemas, name);
}

function failure(message: string): ToolResult {
  return { ok: false, output: `Error: ${message}` };
}

/**
 * Executes one model tool call in a worktree. Never throws for the model's mistakes: an unknown tool,
 * invalid arguments, a refused path or a missing file come back as `ok: false` with a message the
 * model can act on. `run_tests` runs `ctx.testCommand`; a failing test run is `ok: true` (the tool
 * worked) with `data.passed: false`.
 */
export async function executeTool(ctx: { worktree: string; testCommand: string }, call: ToolCall): Promise<ToolResult> {
  if (!isToolName(call.name)) {
    return failure(`Unknown tool "${call.name}". Available tools: ${toolNames.join(", ")}.`);
  }
  try {
    switch (call.name) {
      case "list_files": {
        const args = toolArgumentSchemas.list_files.safeParse(call.arguments);
        if (!args.success) return failure(`Invalid arguments for list_files: ${z.prettifyError(args.error)}`);
        const files = await listFiles(ctx.worktree, args.data.dir);
        return { ok: true, output: files.length > 0 ? files.join("\n") : "(no files)", data: { files } };
      }
      case "read_file": {
        const args = toolArgumentSchemas.read_file.safeParse(call.arguments);
        if (!args.success) return failure(`Invalid arguments for read_file: ${z.prettifyError(args.error)}`);
        const content = await readFile(ctx.worktree, args.data.path);
        return { ok: true, output: content, data: { path: args.data.path, bytes: Buffer.byteLength(content) } };
      }
      case "write_file": {
        const args = toolArgumentSchemas.write_file.safeParse(call.arguments);
        if (!args.success) return failure(`Invalid arguments for write_file: ${z.prettifyError(args.error)}`);
        await writeFile(ctx.worktree, args.data.path, args.data.content);
        const bytes = Buffer.byteLength(args.data.content);
        return { ok: true, output: `Wrote ${args.data.path} (${bytes} bytes).`, data: { path: args.data.path, bytes } };
      }
      case "run_tests": {
        const args = toolArgumentSchemas.run_tests.safeParse(call.arguments);
        if (!args.success) return failure(`Invalid arguments for run_tests: ${z.prettifyError(args.error)}`);
        const result = await runTests(ctx.worktree, ctx.testCommand);
        const note = result.truncated ? "\n(output truncated)" : "";
        return { ok: true, output: `${testStatusLine(result)}\n\n${result.output}${note}`, data: result };
      }
    }
  } catch (error) {
    if (error instanceof AppError) return failure(error.message);
    return failure(messageOf(error));
  }
}
