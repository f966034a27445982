import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** Where the vendored tasks live (`eval/tasks/<id>/`, made by `eval/vendor-tasks.sh`). */
export const TASKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "tasks");

/**
 * `eval/tasks/<id>/manifest.json`: the bug report the squad is given (`title`, `description`), the
 * repository's test command, the hidden test files (under `hidden/`, copied to the repository root
 * when judging, never shown to the agent) and where the code came from upstream.
 */
export const manifestSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    title: z.string().min(1).max(200),
    description: z.string().min(1).max(10_000),
    testCommand: z.string().min(1),
    hidden: z.array(z.string().regex(/^[^/\\]+\.test\.(js|mjs|cjs)$/, "a file name under hidden/ ending in .test.js/.mjs/.cjs")).min(1),
    upstream: z.object({
      repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
      commit: z.string().regex(/^[0-9a-f]{40}$/),
      version: z.string().min(1),
      fixCommit: z.string().regex(/^[0-9a-f]{40}$/),
      fixTitle: z.string().min(1),
      license: z.string().min(1),
      copyright: z.string().min(1),
      files: z.record(z.string(), z.string()),
    }),
  })
  .strict();
export type Manifest = z.infer<typeof manifestSchema>;

export type EvalTask = Manifest & {
  /** `eval/tasks/<id>` */
  dir: string;
  /** The repository at the commit before the fix (what the squad works on). */
  repoDir: string;
  /** Absolute paths of the hidden test files. */
  hiddenFiles: string[];
  /** The upstream fix commit's source change (`git show` output: a commit header, then the diff). */
  upstreamPatch: string;
};

/** The upstream patch without its commit header: from the first `diff --git` line on. */
export function diffOnly(patch: string): string {
  const at = patch.search(/^diff --git /m);
  return at < 0 ? patch : patch.slice(at);
}

/** Reads and validates one task (throws naming the task and the bad field). */
export function loadTask(id: string, tasksDir: string = TASKS_DIR): EvalTask {
  const dir = path.join(tasksDir, id);
  const file = path.join(dir, "manifest.json");
  if (!existsSync(file)) throw new Error(`no eval task ${id} (${file} is missing)`);
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`eval task ${id}: invalid manifest: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  if (parsed.data.id !== id) throw new Error(`eval task ${id}: manifest id is ${parsed.data.id}`);
  const hiddenFiles = parsed.data.hidden.map((f) => path.join(dir, "hidden", f));
  for (const f of hiddenFiles) if (!existsSync(f)) throw new Error(`eval task ${id}: hidden test ${f} is missing`);
  const repoDir = path.join(dir, "repo");
  if (!existsSync(repoDir)) throw new Error(`eval task ${id}: ${repoDir} is missing`);
  const upstreamPatch = readFileSync(path.join(dir, "upstream-fix.patch"), "utf8");
  return { ...parsed.data, dir, repoDir, hiddenFiles, upstreamPatch };
}

/** Every vendored task, by id. */
export function loadTasks(tasksDir: string = TASKS_DIR): EvalTask[] {
  return readdirSync(tasksDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((id) => loadTask(id, tasksDir));
}
