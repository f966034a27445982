import { lstat, realpath } from "node:fs/promises";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { hasErrorCode } from "./errno";

const invalid = (relPath: string, why: string) =>
  new AppError("invalid_input", `Path "${relPath}" is not allowed: ${why}`);

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

function touchesGitDir(root: string, candidate: string): boolean {
  return path
    .relative(root, candidate)
    .split(path.sep)
    .some((segment) => segment.toLowerCase() === ".git");
}


/**
 * Resolves a worktree-relative path to an absolute one inside `root` (a real path), or refuses it.
 *
 * Refused with AppError `invalid_input`: empty paths, NUL bytes, absolute paths (POSIX, `\\` or drive
 * letters), `..` escapes, any `.git` segment (case-insensitive), and paths whose existing part resolves
 * through a symlink to outside the worktree or into `.git` — including dangling symlinks, which a write
 * would follow. The path itself need not exist.
 */
export async function resolveInside(root: string, relPath: string): Promise<string> {
  if (relPath.length === 0) throw invalid(relPath, "empty path");
  if (relPath.includes("\0")) throw invalid(relPath, "contains a NUL byte");
  const unified = relPath.replace(/\\/g, "/");
  if (unified.startsWith("/") || /^[a-zA-Z]:/.test(unified) || path.isAbsolute(relPath)) {
    throw invalid(relPath, "absolute paths are not allowed; use a path relative to the repository root");
  }
  const normalized = path.posix.normalize(unified);
  if (normalized === ".." || normalized.startsWith("../")) throw invalid(relPath, "it leaves the repository");
  const segments = normalized.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.some((s) => s.toLowerCase() === ".git")) throw invalid(relPath, ".git is off limits");
  const full = path.join(root, ...segments);

  // Walk up to the deepest part that exists and check where it really points.
  let probe = full;
  for (;;) {
    try {
      const real = await realpath(probe);
      if (!isInside(root, real)) throw invalid(relPath, "it resolves outside the repository through a symlink");
      if (touchesGitDir(root, real)) throw invalid(relPath, "it resolves into .git through a symlink");
      break;
    } catch (error) {
      if (!hasErrorCode(error, "ENOENT", "ENOTDIR")) throw error;
      const dangling = await lstat(probe).then(
        (s) => s.isSymbolicLink(),
        () => false,
      );
      if (dangling) throw invalid(relPath, "it goes through a symlink whose target does not exist");
      const parent = path.dirname(probe);
      if (parent === probe || !isInside(root, parent)) break;
      probe = parent;
    }
  }
  return full;
}

/** `absolute` as a repository-relative path with `/` separators. */
export function toRelative(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join("/");
}
