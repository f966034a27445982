import path from "node:path";
import { z } from "zod";
import type { ToolDefinition } from "@/lib/llm/types";
import { toJsonSchema } from "@/lib/llm/schemas";

/** A repository-relative path argument. */
export const repoPath = z.string().min(1).describe("Path relative to the repository root, e.g. src/app.js");

/**
 * Largest output a tool returns to the model, in characters (≈ 3.5k tokens). Tools stop before it and
 * say how to get the rest, so the agent loop's own cut (16,000 characters) is never reached silently.
 */
export const MAX_TOOL_RESULT_CHARS = 14_000;

/** What a tool call produced: `output` is the text sent back to the model; `data` is for the UI, logs and the loop. */
export type ToolResult = { ok: boolean; output: string; data?: unknown };

/**
 * Where a tool runs: the agent's worktree, the repository's test command, the repository-relative
 * paths whose whole current content the agent has seen in this run (read in full, created or written
 * by it) — `write_file` refuses to replace any other existing file, see {@link noteSeenInFull} — and
 * the organization and repository whose knowledge `search_knowledge` searches.
 */
export type ToolContext = {
  worktree: string;
  testCommand: string;
  seenInFull?: ReadonlySet<string>;
  /**
   * Whose knowledge `search_knowledge` searches: the task's organization and repository (null:
   * organization-wide knowledge only). Absent: the tool refuses.
   */
  knowledge?: { organizationId: string; repositoryId: string | null };
};

/** One workspace tool: its name, what the model is told, its argument schema and its body. */
export type WorkspaceTool<S extends z.ZodType = z.ZodType> = {
  name: string;
  description: string;
  schema: S;
  run(ctx: ToolContext, args: z.infer<S>): Promise<ToolResult>;
};

/** Declares a tool with its argument types inferred from `schema`. */
export function defineTool<S extends z.ZodType>(tool: WorkspaceTool<S>): WorkspaceTool<S> {
  return tool;
}

/** The model tool definition (JSON Schema parameters generated from the zod schema). */
export function toDefinition(tool: WorkspaceTool): ToolDefinition {
  return { name: tool.name, description: tool.description, parameters: toJsonSchema(tool.schema) };
}

/** A refusal the model can act on. */
export function failure(message: string, data?: unknown): ToolResult {
  return { ok: false, output: `Error: ${message}`, ...(data === undefined ? {} : { data }) };
}

/** Splits text into lines without the line terminators; a final newline does not add an empty line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** 1-based line number at which character `index` of `text` is. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line += 1;
  return line;
}

/** `  42\tcontent` — the numbering read_file and edit_file show. */
export function numbered(lineNumber: number, line: string): string {
  return `${String(lineNumber).padStart(6)}\t${line}`;
}

/**
 * Bounds command output for the model: at most `maxChars`, keeping the head and the tail and saying
 * how many lines were left out in between.
 */
export function headAndTail(text: string, maxChars = MAX_TOOL_RESULT_CHARS): string {
  if (text.length <= maxChars) return text;
  const half = Math.floor((maxChars - 80) / 2);
  const head = text.slice(0, half);
  const tail = text.slice(text.length - half);
  const cutLines = splitLines(text.slice(half, text.length - half)).length;
  return `${head}\n… ${cutLines} lines (${text.length - 2 * half} characters) left out …\n${tail}`;
}

/** The key a path is remembered under in {@link ToolContext.seenInFull}: `./src//a.js` → `src/a.js`. */
export function pathKey(relPath: string): string {
  return path.posix.normalize(relPath.replaceAll("\\", "/")).replace(/^(\.\/)+/, "").replace(/\/$/, "");
}
