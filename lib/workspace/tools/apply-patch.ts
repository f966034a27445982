import { rm, stat } from "node:fs/promises";
import { applyPatch, parsePatch } from "diff";
import { z } from "zod";
import { requireWorktree } from "../git";
import { MAX_TOOL_FILE_BYTES, readFile, writeFile } from "../files";
import { resolveInside } from "../paths";
import { defineTool, failure, pathKey } from "./shared";

const schema = z.object({
  unified_diff: z
    .string()
    .min(1)
    .describe("A unified diff (as made by git diff or diff -u) with ---/+++ headers naming repository-relative paths; a/ and b/ prefixes are fine"),
});

/** `a/src/x.js` → `src/x.js`; `/dev/null` → null. */
function patchPath(name: string | undefined): string | null {
  if (!name) return null;
  const clean = name.trim().split("\t")[0]!;
  if (clean === "/dev/null") return null;
  return clean.replace(/^[ab]\//, "");
}

/**
 * `apply_patch(unified_diff)`: applies a unified diff with the `diff` library (exact context; a hunk
 * may sit at other line numbers than its header says). All-or-nothing: when any hunk of any file does
 * not apply, nothing is written and the message names the file and the hunk. Creates files (`--- /dev/null`)
 * and deletes them (`+++ /dev/null`). `data`: `{ files: { path, change, hunks }[] }`.
 */
export const applyPatchTool = defineTool({
  name: "apply_patch",
  description:
    "Apply a unified diff (---/+++ headers, @@ hunks with a few lines of exact context) to one or more files. " +
    "All or nothing: if a hunk does not match the current file, nothing is changed and you are told which.",
  schema,
  async run(ctx, args) {
    const root = await requireWorktree(ctx.worktree);
    let patches;
    try {
      patches = parsePatch(args.unified_diff);
    } catch (error) {
      return failure(`The diff could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
    }
    patches = patches.filter((p) => p.hunks.length > 0);
    if (patches.length === 0) return failure("The diff has no hunks (@@ … @@ sections); nothing was changed.");
    const planned: { path: string; change: "create" | "modify" | "delete"; content: string; hunks: number }[] = [];
    for (const p of patches) {
      const oldPath = patchPath(p.oldFileName);
      const newPath = patchPath(p.newFileName);
      const target = newPath ?? oldPath;
      if (!target) return failure("A file in the diff names neither an old nor a new path.");
      const full = await resolveInside(root, target);
      const exists = (await stat(full).catch(() => null))?.isFile() ?? false;
      const change = oldPath === null ? "create" : newPath === null ? "delete" : "modify";
      if (change === "create" && exists) return failure(`The diff creates ${target}, which already exists; nothing was changed.`);
      if (change !== "create" && !exists) return failure(`The diff changes ${target}, which does not exist; nothing was changed.`);
      if (oldPath && newPath && oldPath !== newPath) return failure(`Renames are not supported (${oldPath} → ${newPath}); nothing was changed.`);
      let content = change === "create" ? "" : await readFile(root, target, { maxBytes: MAX_TOOL_FILE_BYTES });
      // Hunk by hunk, so a refusal can say which one did not fit.
      for (const [i, hunk] of p.hunks.entries()) {
        const next = applyPatch(content, { ...p, hunks: [hunk] });
        if (next === false) {
          const header = `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`;
          return failure(
            `Hunk ${i + 1} of ${p.hunks.length} (${header}) does not apply to ${target}: its context and removed lines do not match the file ` +
              `(read lines ${Math.max(1, hunk.oldStart - 3)}–${hunk.oldStart + hunk.oldLines + 3} and copy them exactly). Nothing was changed.`,
          );
        }
        content = next;
      }
      planned.push({ path: target, change, content, hunks: p.hunks.length });
    }
    for (const f of planned) {
      if (f.change === "delete") await rm(await resolveInside(root, f.path));
      else await writeFile(root, f.path, f.content);
    }
    const summary = planned.map((f) => `${f.change === "create" ? "created" : f.change === "delete" ? "deleted" : "modified"} ${f.path} (${f.hunks} hunk${f.hunks === 1 ? "" : "s"})`);
    return {
      ok: true,
      output: `Applied the diff: ${summary.join("; ")}.`,
      data: { files: planned.map((f) => ({ path: pathKey(f.path), change: f.change, hunks: f.hunks })) },
    };
  },
});

