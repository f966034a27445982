import { mkdir, readFile as fsReadFile, stat, writeFile as fsWriteFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "@/lib/errors";
import { hasErrorCode } from "./errno";
import { git, requireWorktree } from "./git";
import { resolveInside, toRelative } from "./paths";

/** Largest file `readFile` returns whole by default, in bytes (256 KiB ≈ 64k tokens: more would swamp a model's context). */
export const MAX_READ_BYTES = 256 * 1024;
/** Largest file the tools open at all (read by line ranges, searched, edited), in bytes (8 MiB). */
export const MAX_TOOL_FILE_BYTES = 8 * 1024 * 1024;
/** Largest content `writeFile` accepts, in bytes. */
export const MAX_WRITE_BYTES = 1024 * 1024;

async function statOrNull(file: string) {
  return stat(file).catch(() => null);
}

/**
 * Files of the worktree, tracked and untracked (files ignored by `.gitignore` and everything under
 * `.git` excluded), as sorted repository-relative paths with `/` separators.
 * @param dir optional repository-relative folder to list under
 * @throws AppError `invalid_input` for a path outside the worktree, `not_found` for a missing folder
 */
export async function listFiles(worktree: string, dir?: string): Promise<string[]> {
  const root = await requireWorktree(worktree);
  const args = ["ls-files", "--cached", "--others", "--exclude-standard", "-z"];
  if (dir !== undefined && dir !== "" && dir !== ".") {
    const full = await resolveInside(root, dir);
    const info = await statOrNull(full);
    if (!info) throw new AppError("not_found", `Folder not found: ${dir}`);
    if (!info.isDirectory()) throw new AppError("invalid_input", `Not a folder: ${dir}`);
    args.push("--", toRelative(root, full) || ".");
  }
  const { stdout } = await git(root, args);
  const listed = new Set(stdout.split("\0").filter((p) => p !== ""));
  const present: string[] = [];
  for (const rel of listed) {
    // --cached still lists files deleted from the working tree.
    const info = await statOrNull(path.join(root, rel));
    if (info?.isFile()) present.push(rel);
  }
  return present.sort();
}

/**
 * The UTF-8 text of a worktree file.
 * @param opts.maxBytes largest file accepted, in bytes (default {@link MAX_READ_BYTES})
 * @throws AppError `invalid_input` (path outside the worktree, a folder, a binary file, larger than
 *   `maxBytes`) or `not_found`
 */
export async function readFile(worktree: string, relPath: string, opts: { maxBytes?: number } = {}): Promise<string> {
  const maxBytes = opts.maxBytes ?? MAX_READ_BYTES;
  const root = await requireWorktree(worktree);
  const full = await resolveInside(root, relPath);
  const info = await statOrNull(full);
  if (!info) throw new AppError("not_found", `File not found: ${relPath}`);
  if (!info.isFile()) throw new AppError("invalid_input", `Not a file: ${relPath}`);
  if (info.size > maxBytes) {
    throw new AppError("invalid_input", `File too large to read: ${relPath} is ${info.size} bytes (limit ${maxBytes})`);
  }
  const bytes = await fsReadFile(full);
  if (bytes.subarray(0, 8192).includes(0)) throw new AppError("invalid_input", `Binary file: ${relPath}`);
  return bytes.toString("utf8");
}

/**
 * Creates or replaces a worktree file with `content` (UTF-8), creating missing folders.
 * @throws AppError `invalid_input` for a path outside the worktree, a folder at that path, or content
 *   larger than {@link MAX_WRITE_BYTES}
 */
export async function writeFile(worktree: string, relPath: string, content: string): Promise<void> {
  const root = await requireWorktree(worktree);
  const full = await resolveInside(root, relPath);
  const size = Buffer.byteLength(content, "utf8");
  if (size > MAX_WRITE_BYTES) {
    throw new AppError("invalid_input", `Content too large: ${size} bytes (limit ${MAX_WRITE_BYTES})`);
  }
  if (full === root) throw new AppError("invalid_input", `Not a file path: ${relPath}`);
  const info = await statOrNull(full);
  if (info?.isDirectory()) throw new AppError("invalid_input", `A folder exists at ${relPath}`);
  try {
    await mkdir(path.dirname(full), { recursive: true });
  } catch (error) {
    // A file where a folder of the path should be.
    if (hasErrorCode(error, "ENOTDIR", "EEXIST")) {
      throw new AppError("invalid_input", `Cannot create the folders of ${relPath}: a file is in the way`);
    }
    throw error;
  }
  await fsWriteFile(full, content, "utf8");
}
