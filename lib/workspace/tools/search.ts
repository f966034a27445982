import { z } from "zod";
import { git, requireWorktree } from "../git";
import { MAX_TOOL_RESULT_CHARS, defineTool, failure } from "./shared";

/** Most matches listed in one search result; the total is always given. */
export const MAX_SEARCH_MATCHES = 100;
/** A longer matching line is shown cut. */
const MAX_MATCH_LINE_CHARS = 300;

const schema = z.object({
  pattern: z.string().min(1).describe("Text to find (a literal string unless regex is true)"),
  path_glob: z
    .string()
    .min(1)
    .optional()
    .describe("Only files matching this glob, e.g. src/**/*.ts or *.md (a glob without / matches in every folder)"),
  regex: z.boolean().optional().describe("Treat pattern as an extended regular expression (default false: literal text)"),
});

/**
 * `search(pattern, path_glob?, regex?)`: `git grep -n` over tracked and untracked, not ignored, text
 * files of the worktree. Output: the match count, then up to {@link MAX_SEARCH_MATCHES} `path:line: text`
 * lines (bounded to {@link MAX_TOOL_RESULT_CHARS} characters) and `… N more matches` when cut.
 * git grep is used everywhere (also where ripgrep is installed) so results do not depend on the machine.
 * `data`: `{ count, files, matches: { path, line }[] }`.
 */
export const searchTool = defineTool({
  name: "search",
  description:
    "Search the repository's files for text (git grep). Returns the number of matches and path:line: text for each, " +
    "so you can read_file just those lines. Literal text by default; set regex for an extended regular expression.",
  schema,
  async run(ctx, args) {
    const root = await requireWorktree(ctx.worktree);
    const glob = args.path_glob ? (args.path_glob.includes("/") ? args.path_glob : `**/${args.path_glob}`) : undefined;
    const gitArgs = ["grep", "-n", "-I", "--no-color", "--untracked", args.regex ? "-E" : "-F", "-e", args.pattern, "--"];
    if (glob) gitArgs.push(`:(glob)${glob}`);
    let stdout: string;
    try {
      ({ stdout } = await git(root, gitArgs, { okExitCodes: [0, 1] }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return failure(`search failed: ${message.replace(/^git .*? failed \(exit \d+\): /, "")}`);
    }
    const matches: { path: string; line: number; text: string }[] = [];
    for (const row of stdout.split("\n")) {
      const m = /^(.*?):(\d+):(.*)$/.exec(row);
      if (m) matches.push({ path: m[1]!, line: Number(m[2]), text: m[3]! });
    }
    const files = new Set(matches.map((m) => m.path)).size;
    const where = glob ? ` in ${args.path_glob}` : "";
    if (matches.length === 0) {
      return { ok: true, output: `0 matches for ${JSON.stringify(args.pattern)}${where}.`, data: { count: 0, files: 0, matches: [] } };
    }
    const out = [`${matches.length} match${matches.length === 1 ? "" : "es"} in ${files} file${files === 1 ? "" : "s"} for ${JSON.stringify(args.pattern)}${where}:`];
    let chars = out[0]!.length;
    let shown = 0;
    for (const m of matches.slice(0, MAX_SEARCH_MATCHES)) {
      const text = m.text.length > MAX_MATCH_LINE_CHARS ? `${m.text.slice(0, MAX_MATCH_LINE_CHARS)} …` : m.text;
      const row = `${m.path}:${m.line}: ${text.trim()}`;
      if (chars + row.length + 1 > MAX_TOOL_RESULT_CHARS) break;
      out.push(row);
      chars += row.length + 1;
      shown += 1;
    }
    if (shown < matches.length) out.push(`… ${matches.length - shown} more matches: narrow the pattern or set path_glob`);
    return {
      ok: true,
      output: out.join("\n"),
      data: { count: matches.length, files, matches: matches.map(({ path, line }) => ({ path, line })) },
    };
  },
});
