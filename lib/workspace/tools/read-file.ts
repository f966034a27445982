import { z } from "zod";
import { MAX_TOOL_FILE_BYTES, readFile } from "../files";
import { MAX_TOOL_RESULT_CHARS, defineTool, failure, numbered, pathKey, splitLines } from "./shared";

/** Most lines one read_file call returns (≈ 400 lines of code fit a model's attention and the output cap). */
export const READ_WINDOW_LINES = 400;
/** A longer line is shown cut, with how many characters were left out (minified files). */
export const MAX_LINE_CHARS = 2_000;

const schema = z.object({
  path: z.string().min(1).describe("Path relative to the repository root, e.g. src/app.js"),
  start_line: z.int().min(1).optional().describe("First line to show (1-based); default 1"),
  end_line: z.int().min(1).optional().describe(`Last line to show (inclusive); default start_line + ${READ_WINDOW_LINES - 1}`),
});

/**
 * `read_file(path, start_line?, end_line?)`: numbered lines of a UTF-8 file, at most
 * {@link READ_WINDOW_LINES} lines and {@link MAX_TOOL_RESULT_CHARS} characters per call. When lines are
 * left out the output ends with `… N more lines, read with start_line=K`, never silently.
 * `data`: `{ path, startLine, endLine, totalLines, complete }` — `complete` when the whole file was shown,
 * which is what lets `write_file` replace it.
 */
export const readFileTool = defineTool({
  name: "read_file",
  description:
    `Read a UTF-8 text file of the repository as numbered lines, at most ${READ_WINDOW_LINES} lines per call. ` +
    "Use start_line/end_line to read a range of a long file (find the lines with search first).",
  schema,
  async run(ctx, args) {
    const content = await readFile(ctx.worktree, args.path, { maxBytes: MAX_TOOL_FILE_BYTES });
    const lines = splitLines(content);
    const total = lines.length;
    if (total === 0) {
      return { ok: true, output: `(${args.path} is empty)`, data: { path: pathKey(args.path), startLine: 0, endLine: 0, totalLines: 0, complete: true } };
    }
    const start = args.start_line ?? 1;
    if (start > total) return failure(`${args.path} has ${total} lines; start_line ${start} is past its end.`);
    const requestedEnd = Math.min(args.end_line ?? start + READ_WINDOW_LINES - 1, total);
    if (requestedEnd < start) return failure(`end_line (${args.end_line}) is before start_line (${start}).`);
    const end = Math.min(requestedEnd, start + READ_WINDOW_LINES - 1);
    const out: string[] = [];
    let chars = 0;
    let shownEnd = start - 1;
    let lineCut = false;
    for (let n = start; n <= end; n++) {
      let line = lines[n - 1] ?? "";
      if (line.length > MAX_LINE_CHARS) {
        line = `${line.slice(0, MAX_LINE_CHARS)} … [line cut: ${line.length - MAX_LINE_CHARS} more characters]`;
        lineCut = true;
      }
      const text = numbered(n, line);
      if (chars + text.length + 1 > MAX_TOOL_RESULT_CHARS && out.length > 0) break;
      out.push(text);
      chars += text.length + 1;
      shownEnd = n;
    }
    const notes: string[] = [];
    if (shownEnd < total) notes.push(`… ${total - shownEnd} more lines, read with start_line=${shownEnd + 1}`);
    if (start > 1) notes.unshift(`(lines 1–${start - 1} not shown)`);
    const complete = start === 1 && shownEnd === total && !lineCut;
    const header = `${args.path}: lines ${start}–${shownEnd} of ${total}`;
    return {
      ok: true,
      output: [header, ...out, ...notes].join("\n"),
      data: { path: pathKey(args.path), startLine: start, endLine: shownEnd, totalLines: total, complete },
    };
  },
});
