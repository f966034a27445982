import { stat } from "node:fs/promises";
import { z } from "zod";
import { requireWorktree } from "../git";
import { writeFile } from "../files";
import { resolveInside } from "../paths";
import { defineTool, failure, pathKey, splitLines } from "./shared";

const schema = z.object({
  path: z.string().min(1).describe("Path relative to the repository root, e.g. src/app.js"),
  content: z.string().describe("The complete new content of the file (not a diff)"),
});

/**
 * `write_file(path, content)`: replaces a whole file. Allowed for a new file, or for an existing file
 * whose whole current content this agent has seen in this run (`ctx.seenInFull`: read in full with
 * read_file, or created/written by it). Any other existing file is refused with nothing written, so a
 * model cannot silently delete lines it never saw (a file shown in windows must be changed with
 * edit_file or apply_patch). `data`: `{ path, bytes, lines }`.
 */
export const writeFileTool = defineTool({
  name: "write_file",
  description:
    "Replace a whole file with new content. Only for new files or small files you have read in full in this run; " +
    "prefer edit_file or apply_patch to change part of a file.",
  schema,
  async run(ctx, args) {
    const root = await requireWorktree(ctx.worktree);
    const full = await resolveInside(root, args.path);
    const existing = await stat(full).catch(() => null);
    if (existing?.isFile() && !ctx.seenInFull?.has(pathKey(args.path))) {
      return failure(
        `${args.path} exists and you have not read all of it in this run; nothing was written. ` +
          "Change it with edit_file or apply_patch, or read_file it in full before replacing it whole.",
      );
    }
    await writeFile(ctx.worktree, args.path, args.content);
    const bytes = Buffer.byteLength(args.content);
    return {
      ok: true,
      output: `Wrote ${args.path} (${bytes} bytes).`,
      data: { path: pathKey(args.path), bytes, lines: splitLines(args.content).length },
    };
  },
});
