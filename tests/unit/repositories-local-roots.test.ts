// LOCAL_REPOSITORY_ROOTS: where `POST /api/v1/repositories` accepts a `localPath`.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { Database } from "@/db/client";
import { env } from "@/lib/env";
import { AppError, httpStatusOf } from "@/lib/errors";
import { createRepository, createRepositoryInputSchema } from "@/lib/repositories/create-repository";
import { localRepositoryRoots, resolveLocalRepositoryPath } from "@/lib/repositories/local-roots";

let base: string;
let root: string;
let otherRoot: string;
let outside: string;

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), "squadron-roots-")));
  root = path.join(base, "repos");
  otherRoot = path.join(base, "more-repos");
  outside = path.join(base, "elsewhere");
  for (const dir of [path.join(root, "app"), path.join(otherRoot, "lib"), path.join(outside, "secret-repo"), path.join(base, "repos-evil", "x")]) {
    await mkdir(dir, { recursive: true });
  }
  execFileSync("git", ["init", "--quiet", path.join(root, "app")]);
  execFileSync("git", ["init", "--quiet", path.join(outside, "secret-repo")]);
  await symlink(path.join(outside, "secret-repo"), path.join(root, "sneaky-link"));
  await symlink(root, path.join(base, "root-link"));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

/** The AppError a refused path produces. */
async function refusal(localPath: string, roots: string[]): Promise<AppError> {
  try {
    await resolveLocalRepositoryPath(localPath, roots);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`${localPath} was accepted`);
}

describe("localRepositoryRoots", () => {
  test("defaults to <DATA_DIR>/repos", () => {
    expect(localRepositoryRoots(undefined)).toEqual([path.resolve(env.DATA_DIR, "repos")]);
    expect(localRepositoryRoots(" ,  ")).toEqual([path.resolve(env.DATA_DIR, "repos")]);
  });

  test("parses a comma-separated list, trimming, resolving and de-duplicating", () => {
    expect(localRepositoryRoots(" /srv/a , /srv/b/,/srv/a ")).toEqual(["/srv/a", "/srv/b"]);
    expect(localRepositoryRoots("relative/repos")).toEqual([path.resolve("relative/repos")]);
  });
});

describe("resolveLocalRepositoryPath", () => {
  test("accepts a folder under any allowed root and returns its real path", async () => {
    expect(await resolveLocalRepositoryPath(path.join(root, "app"), [root, otherRoot])).toBe(path.join(root, "app"));
    expect(await resolveLocalRepositoryPath(path.join(otherRoot, "lib"), [root, otherRoot])).toBe(path.join(otherRoot, "lib"));
    // Spelled through a symlinked root, or with `..` that stays inside.
    expect(await resolveLocalRepositoryPath(path.join(base, "root-link", "app"), [root])).toBe(path.join(root, "app"));
    expect(await resolveLocalRepositoryPath(path.join(root, "x", "..", "app"), [root])).toBe(path.join(root, "app"));
  });

  test("a root given as a symlink still admits the folders under its target", async () => {
    expect(await resolveLocalRepositoryPath(path.join(root, "app"), [path.join(base, "root-link")])).toBe(
      path.join(root, "app"),
    );
  });

  test("refuses paths outside the roots with a 422 naming the allowed roots", async () => {
    const error = await refusal(path.join(outside, "secret-repo"), [root, otherRoot]);
    expect(error.code).toBe("invalid_input");
    expect(httpStatusOf(error.code)).toBe(422);
    expect(error.message).toContain(`${root}, ${otherRoot}`);
    expect(error.details).toMatchObject({
      allowedRoots: [root, otherRoot],
      issues: [{ path: "localPath", message: expect.stringContaining("LOCAL_REPOSITORY_ROOTS") }],
    });
  });

  test("refuses escapes: .., a sibling folder sharing the root's prefix, the root itself, system folders", async () => {
    for (const p of [
      path.join(root, "..", "elsewhere", "secret-repo"),
      path.join(base, "repos-evil", "x"),
      root,
      `${root}/`,
      "/etc",
      "/",
      "../relative-escape",
      "sub/../../relative-escape",
    ]) {
      await expect(refusal(p, [root])).resolves.toBeInstanceOf(AppError);
    }
  });

  test("a relative path names a folder inside the first root, not one relative to the working directory", async () => {
    await expect(resolveLocalRepositoryPath("relative/path", [root])).resolves.toBe(path.join(await realpath(root), "relative", "path"));
  });

  test("resolves symlinks before checking: a link under the root pointing outside is refused", async () => {
    await expect(refusal(path.join(root, "sneaky-link"), [root])).resolves.toMatchObject({ code: "invalid_input" });
    await expect(refusal(path.join(root, "sneaky-link", "sub", "dir"), [root])).resolves.toMatchObject({
      code: "invalid_input",
    });
  });

  test("answers the same for existing and missing paths outside the roots (no probing of the host)", async () => {
    const existing = await refusal(path.join(outside, "secret-repo"), [root]);
    const missing = await refusal(path.join(outside, "no-such-repo"), [root]);
    expect(missing.message.replace("no-such-repo", "X")).toBe(existing.message.replace("secret-repo", "X"));
  });

  test("refuses NUL bytes", async () => {
    await expect(refusal(`${root}/app\0/x`, [root])).resolves.toMatchObject({ code: "invalid_input" });
  });
});

describe("createRepository", () => {
  // The path is checked before anything touches the database.
  const db = {} as unknown as Database;

  test("refuses a localPath outside LOCAL_REPOSITORY_ROOTS (default <DATA_DIR>/repos) with a 422", async () => {
    const input = createRepositoryInputSchema.parse({ name: "secret", localPath: path.join(outside, "secret-repo") });
    const attempt = createRepository(db, "org", input);
    await expect(attempt).rejects.toMatchObject({ code: "invalid_input" });
    await expect(attempt).rejects.toThrow(/outside the allowed repository roots/);
    await expect(attempt).rejects.toThrow(path.resolve(env.DATA_DIR, "repos"));
  });
});
