import { cp, mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { commitConfig, git, gitTopLevel } from "./git";

/** Where the bundled example lives in the app's source tree (resolved from the working directory). */
export const defaultExampleSource = () => path.join(process.cwd(), "examples", "todo-api");

async function hasCommit(dir: string): Promise<boolean> {
  const top = await gitTopLevel(dir);
  if (!top) return false;
  const head = await git(top, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { okExitCodes: [0, 1, 128] });
  return head.exitCode === 0;
}

/**
 * Makes sure the bundled example repository exists: `<dataDir>/repos/todo-api`, a copy of
 * `examples/todo-api` committed on branch `main` by "Squadron <squadron@localhost>".
 *
 * Idempotent and crash-safe: the repository is built in a temporary folder and renamed into place, so
 * the target either does not exist or is complete. An existing repository is returned untouched.
 *
 * @param opts.sourceDir folder to copy (default `examples/todo-api` under the working directory)
 * @returns the absolute path of the repository
 * @throws AppError `conflict` when the target exists but is not a git repository with a commit
 */
export async function ensureExampleRepository(dataDir: string, opts: { sourceDir?: string } = {}): Promise<string> {
  const reposDir = path.resolve(dataDir, "repos");
  const target = path.join(reposDir, "todo-api");
  if (await hasCommit(target)) return target;
  if (await stat(target).catch(() => null)) {
    throw new AppError("conflict", `${target} exists but is not a git repository with a commit; move it away to recreate the example`);
  }

  const source = opts.sourceDir ?? defaultExampleSource();
  if (!(await stat(/*turbopackIgnore: true*/ source).catch(() => null))?.isDirectory()) {
    throw new AppError("not_found", `Example source folder not found: ${source}`);
  }
  await mkdir(reposDir, { recursive: true });
  const staging = await mkdtemp(path.join(reposDir, ".todo-api-"));
  try {
    await cp(source, staging, {
      recursive: true,
      filter: (src) => !["node_modules", ".git"].includes(path.basename(src)),
    });
    await git(staging, ["init", "--quiet", "--initial-branch=main"]);
    await git(staging, ["add", "--all"]);
    await git(staging, [...commitConfig, "commit", "--quiet", "--no-verify", "-m", "Import the todo-api example"]);
    try {
      await rename(staging, target);
    } catch (error) {
      // Another process won the race: fine if what it built is complete.
      if (await hasCommit(target)) return target;
      throw error;
    }
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
