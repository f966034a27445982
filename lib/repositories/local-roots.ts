import { realpath } from "node:fs/promises";
import path from "node:path";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * The folders under which a repository's `localPath` may lie: `LOCAL_REPOSITORY_ROOTS` (comma-separated;
 * relative entries resolve against the working directory), else `<DATA_DIR>/repos`. Absolute paths, as
 * configured (not yet resolved through symlinks).
 */
export function localRepositoryRoots(setting: string | undefined = env.LOCAL_REPOSITORY_ROOTS): string[] {
  const entries = (setting ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const roots = entries.length > 0 ? entries : [path.join(env.DATA_DIR, "repos")];
  return [...new Set(roots.map((p) => path.resolve(p)))];
}

function isStrictlyInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/** `p` with symlinks resolved in its longest existing part (the rest appended as spelled). */
async function realOrResolved(p: string): Promise<string> {
  let existing = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    const real = await realpath(existing).catch(() => null);
    if (real !== null) return path.join(real, ...rest);
    const parent = path.dirname(existing);
    if (parent === existing) return path.resolve(p);
    rest.unshift(path.basename(existing));
    existing = parent;
  }
}

/**
 * Checks that `localPath` names a folder strictly inside one of `roots`, after resolving symlinks in
 * both (so a symlink under a root that points elsewhere is refused, and a root that is itself a symlink
 * still works). For a path that does not (fully) exist, symlinks in its existing part are resolved and
 * the rest is taken as spelled; the answer for a path outside the roots is the same whether it exists
 * or not (no probing of the server's file system). A relative `localPath` is taken inside the first root.
 *
 * @param roots default {@link localRepositoryRoots}
 * @returns the real path (symlinks resolved in its existing part)
 * @throws AppError `invalid_input` (422) naming the allowed roots when the path is outside all of them
 */
export async function resolveLocalRepositoryPath(
  localPath: string,
  roots: string[] = localRepositoryRoots(),
): Promise<string> {
  const allowed = roots.join(", ");
  const message = `localPath must be a folder inside one of the allowed repository roots (${allowed}); set LOCAL_REPOSITORY_ROOTS to change them`;
  const refused = () =>
    new AppError("invalid_input", `localPath ${localPath} is outside the allowed repository roots: ${allowed}`, {
      issues: [{ path: "localPath", message }],
      allowedRoots: roots,
    });
  if (localPath.includes("\0")) throw refused();
  // A relative path names a folder inside the first root (as the Settings form says), never one
  // relative to the server's working directory.
  const candidate = await realOrResolved(path.isAbsolute(localPath) || roots.length === 0 ? localPath : path.join(roots[0]!, localPath));
  const realRoots = await Promise.all(roots.map(realOrResolved));
  if (!realRoots.some((root) => isStrictlyInside(root, candidate))) throw refused();
  return candidate;
}
