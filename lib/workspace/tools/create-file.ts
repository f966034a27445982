import { stat } from "node:fs/promises";
import { z } from "zod";
import { requireWorktree } from "../git";
import { writeFile } from "../files";
import { resolveInside } from "../paths";
import { defineTool, failure, pathKey, splitLines } from "./shared";

const schema = z.object({
  path: z.string().min(1).describe("Path relative to the repository root, e.g. test/delete.test.js"),
  content: z.string().describe("The complete content of the new file"),
});

/**
 * `create_file(path, content)`: writes a new file (folders created as needed). Refuses, writing
 * nothing, when anything already exists at `path` — existing files change through edit_file or
 * apply_patch. `data`: `{ path, bytes, lines }`.
 */
export const createFileTool = defineTool({
  name: "create_file",
  description: "Create a new file with its complete content (folders are created as needed). Refuses to overwrite an existing file: change those with edit_file or apply_patch.",
  schema,
  async run(ctx, args) {
    const root = await requireWorktree(ctx.worktree);
    const full = await resolveInside(root, args.path);
    const existing = await stat(full).catch(() => null);
    if (existing) {
      const what = existing.isDirectory() ? "a folder" : `a file (${existing.size} bytes)`;
      return failure(`${args.path} already exists as ${what}; nothing was written. Change an existing file with edit_file or apply_patch.`);
    }
    await writeFile(ctx.worktree, args.path, args.content);
    const bytes = Buffer.byteLength(args.content);
    return {
      ok: true,
      output: `Created ${args.path} (${splitLines(args.content).length} lines, ${bytes} bytes).`,
      data: { path: pathKey(args.path), bytes, lines: splitLines(args.content).length },
    };
  },
});
