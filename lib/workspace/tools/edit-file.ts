import { z } from "zod";
import { MAX_TOOL_FILE_BYTES, readFile, writeFile } from "../files";
import { defineTool, failure, lineAt, numbered, pathKey, splitLines } from "./shared";

const schema = z.object({
  path: z.string().min(1).describe("Path relative to the repository root, e.g. src/app.js"),
  old_str: z.string().min(1).describe("The exact text to replace, including whitespace and indentation; it must occur exactly once unless replace_all"),
  new_str: z.string().describe("The text to put in its place"),
  replace_all: z.boolean().optional().describe("Replace every occurrence instead of requiring exactly one (default false)"),
});

/** Lines of context shown around an edit so the model sees the result. */
const SNIPPET_CONTEXT = 3;

/** Start indexes of every occurrence of `needle` in `text` (non-overlapping). */
function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) found.push(i);
  return found;
}

/**
 * `edit_file(path, old_str, new_str, replace_all?)`: exact-match replacement. Refuses (nothing written)
 * when `old_str` occurs 0 times, or more than once without `replace_all`, saying how many and at which
 * lines. Only the matched text changes; every other byte of the file stays as it was.
 * `data`: `{ path, replacements, lines }` (1-based lines where the replacements start).
 */
export const editFileTool = defineTool({
  name: "edit_file",
  description:
    "Replace an exact piece of text in a file: old_str must match the file exactly (whitespace included) and occur once " +
    "(or set replace_all). Include enough surrounding lines to make it unique. The rest of the file is untouched.",
  schema,
  async run(ctx, args) {
    const content = await readFile(ctx.worktree, args.path, { maxBytes: MAX_TOOL_FILE_BYTES });
    // The file's own line endings: an old_str written with \n still matches a CRLF file.
    const crlf = content.includes("\r\n");
    const oldStr = crlf ? args.old_str.replace(/\r?\n/g, "\r\n") : args.old_str;
    const newStr = crlf ? args.new_str.replace(/\r?\n/g, "\r\n") : args.new_str;
    const at = occurrences(content, oldStr);
    if (at.length === 0) {
      const first = args.old_str.split("\n").find((l) => l.trim() !== "")?.trim();
      const near = first ? splitLines(content).flatMap((l, i) => (l.includes(first) ? [i + 1] : [])).slice(0, 5) : [];
      const hint = near.length > 0 ? ` Its first line appears at line ${near.join(", ")}: read those lines and copy the text exactly.` : " Read the file (or search) and copy the text exactly, whitespace included.";
      return failure(`old_str was not found in ${args.path} (0 matches); nothing was changed.${hint}`, { path: pathKey(args.path), matches: 0 });
    }
    if (at.length > 1 && !args.replace_all) {
      const lines = at.map((i) => lineAt(content, i));
      return failure(
        `old_str occurs ${at.length} times in ${args.path} (at lines ${lines.slice(0, 20).join(", ")}${lines.length > 20 ? ", …" : ""}); nothing was changed. ` +
          "Include more surrounding lines to make it unique, or set replace_all to change every one.",
        { path: pathKey(args.path), matches: at.length, lines },
      );
    }
    let next = "";
    let last = 0;
    const startLines: number[] = [];
    let shift = 0;
    for (const i of at) {
      next += content.slice(last, i) + newStr;
      last = i + oldStr.length;
      startLines.push(lineAt(content, i) + shift);
      shift += splitLines(newStr).length - splitLines(oldStr).length;
    }
    next += content.slice(last);
    await writeFile(ctx.worktree, args.path, next);
    const lines = splitLines(next);
    const firstLine = startLines[0]!;
    const from = Math.max(1, firstLine - SNIPPET_CONTEXT);
    const to = Math.min(lines.length, firstLine + Math.max(1, splitLines(newStr).length) - 1 + SNIPPET_CONTEXT);
    const snippet = lines.slice(from - 1, to).map((l, k) => numbered(from + k, l));
    const count = at.length;
    return {
      ok: true,
      output: `Edited ${args.path}: ${count} replacement${count === 1 ? "" : "s"} (at line ${startLines.join(", ")}). Lines ${from}–${to} now:\n${snippet.join("\n")}`,
      data: { path: pathKey(args.path), replacements: count, lines: startLines },
    };
  },
});
