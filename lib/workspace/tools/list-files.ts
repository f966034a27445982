import { z } from "zod";
import { listFiles } from "../files";
import { MAX_TOOL_RESULT_CHARS, defineTool } from "./shared";

const schema = z.object({
  dir: z.string().optional().describe("Folder relative to the repository root; omit to list everything"),
});

/**
 * `list_files(dir?)`: the repository's files (tracked and untracked, .gitignored excluded), one per line,
 * bounded to {@link MAX_TOOL_RESULT_CHARS} characters with a `… N more files` marker.
 * `data`: `{ files }` (all of them).
 */
export const listFilesTool = defineTool({
  name: "list_files",
  description:
    "List the repository's files (tracked and untracked; .gitignored files excluded), optionally under one folder.",
  schema,
  async run(ctx, args) {
    const files = await listFiles(ctx.worktree, args.dir);
    if (files.length === 0) return { ok: true, output: "(no files)", data: { files } };
    const shown: string[] = [];
    let chars = 0;
    for (const f of files) {
      if (chars + f.length + 1 > MAX_TOOL_RESULT_CHARS) break;
      shown.push(f);
      chars += f.length + 1;
    }
    const more = files.length - shown.length;
    const note = more > 0 ? `\n… ${more} more files, list a folder with dir=… to see them` : "";
    return { ok: true, output: shown.join("\n") + note, data: { files } };
  },
});
