import { mkdir, mkdtemp, readFile as fsReadFile, rm, symlink, writeFile as fsWriteFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { AppError } from "@/lib/errors";
import {
  ensureExampleRepository,
  executeTool,
  listFiles,
  prepareWorktree,
  readFile,
  workspaceTools,
  writeFile,
} from "@/lib/workspace";

let dataDir: string;
let outside: string;
let worktree: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "squadron-files-"));
  outside = await mkdtemp(path.join(tmpdir(), "squadron-outside-"));
  await fsWriteFile(path.join(outside, "secret.txt"), "top secret");
  const repo = await ensureExampleRepository(dataDir);
  worktree = (await prepareWorktree({ repoPath: repo, dataDir, taskId: "files", baseBranch: "main" })).path;
  await symlink(outside, path.join(worktree, "escape-dir"));
  await symlink(path.join(outside, "secret.txt"), path.join(worktree, "escape-file"));
  await symlink(path.join(outside, "does-not-exist.txt"), path.join(worktree, "dangling"));
  await symlink(path.join(worktree, ".git"), path.join(worktree, "git-link"));
  await symlink("src/app.js", path.join(worktree, "app-link.js"));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

const ctx = () => ({ worktree, testCommand: "true" });

async function invalidInput(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  expect(error.code).toBe("invalid_input");
  return error.message;
}

describe("path confinement", () => {
  const escapes: [string, RegExp][] = [
    ["/etc/passwd", /absolute/],
    ["\\etc\\passwd", /absolute/],
    ["C:\\Windows\\win.ini", /absolute/],
    ["../outside.txt", /leaves the repository/],
    ["src/../../outside.txt", /leaves the repository/],
    ["src/../../../../etc/passwd", /leaves the repository/],
    [".git/config", /\.git is off limits/],
    ["src/../.git/HEAD", /\.git is off limits/],
    [".GIT/config", /\.git is off limits/],
    ["escape-dir/secret.txt", /outside the repository through a symlink/],
    ["escape-file", /outside the repository through a symlink/],
    ["escape-dir/new.txt", /outside the repository through a symlink/],
    ["dangling", /symlink whose target does not exist/],
    ["git-link/config", /into \.git through a symlink/],
    ["", /empty path/],
  ];

  test.each(escapes)("readFile refuses %j", async (p, why) => {
    expect(await invalidInput(readFile(worktree, p))).toMatch(why);
  });

  test.each(escapes)("writeFile refuses %j and writes nothing", async (p, why) => {
    expect(await invalidInput(writeFile(worktree, p, "pwned"))).toMatch(why);
  });

  test("nothing outside the worktree was touched", async () => {
    expect(await fsReadFile(path.join(outside, "secret.txt"), "utf8")).toBe("top secret");
    await expect(fsReadFile(path.join(outside, "new.txt"), "utf8")).rejects.toThrow();
    await expect(fsReadFile(path.join(outside, "does-not-exist.txt"), "utf8")).rejects.toThrow();
  });

  test("listFiles refuses a folder outside the worktree", async () => {
    expect(await invalidInput(listFiles(worktree, "../"))).toMatch(/leaves the repository/);
    expect(await invalidInput(listFiles(worktree, "escape-dir"))).toMatch(/symlink/);
  });

  test("a symlink that stays inside the worktree is followed", async () => {
    expect(await readFile(worktree, "app-link.js")).toContain("createServer");
  });

  test("functions refuse a folder that is not a git worktree", async () => {
    expect(await invalidInput(readFile(outside, "secret.txt"))).toMatch(/Not a git worktree/);
  });
});

describe("file access", () => {
  test("writes create folders; reads return the text; lists include untracked files sorted", async () => {
    await writeFile(worktree, "lib/deep/nested/util.js", "export const x = 1;\n");
    expect(await readFile(worktree, "./lib/deep/nested/util.js")).toBe("export const x = 1;\n");
    const files = await listFiles(worktree);
    expect(files).toEqual(expect.arrayContaining(["lib/deep/nested/util.js", "src/app.js", "test/todos.test.js"]));
    expect(files).toEqual([...files].sort());
    expect(files.some((f) => f.startsWith(".git"))).toBe(false);
    expect(await listFiles(worktree, "lib")).toEqual(["lib/deep/nested/util.js"]);
  });

  test("missing files are not_found; folders and binaries are refused", async () => {
    const missing = await readFile(worktree, "nope.txt").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(AppError);
    expect(missing).toMatchObject({ code: "not_found" });
    expect(await invalidInput(readFile(worktree, "src"))).toMatch(/Not a file/);
    await fsWriteFile(path.join(worktree, "blob.bin"), Buffer.from([0x89, 0x50, 0x00, 0x01]));
    expect(await invalidInput(readFile(worktree, "blob.bin"))).toMatch(/Binary/);
    await mkdir(path.join(worktree, "adir"), { recursive: true });
    expect(await invalidInput(writeFile(worktree, "adir", "x"))).toMatch(/folder exists/);
    expect(await invalidInput(writeFile(worktree, "src/app.js/inner.js", "x"))).toMatch(/file is in the way/);
  });
});

describe("tools", () => {
  test("tool definitions carry JSON Schemas generated from zod", () => {
    expect(workspaceTools.map((t) => t.name)).toEqual([
      "list_files",
      "read_file",
      "search",
      "search_knowledge",
      "edit_file",
      "create_file",
      "apply_patch",
      "write_file",
      "run_command",
      "run_tests",
    ]);
    const write = workspaceTools.find((t) => t.name === "write_file");
    expect(write?.parameters).toMatchObject({
      type: "object",
      properties: { path: { type: "string" }, content: { type: "string" } },
      required: ["path", "content"],
      additionalProperties: false,
    });
    expect(write?.parameters).not.toHaveProperty("$schema");
  });

  test("escape attempts, bad arguments, unknown tools and missing files come back as ok:false", async () => {
    const cases = [
      { name: "read_file", arguments: { path: "../../etc/passwd" } },
      { name: "write_file", arguments: { path: "/tmp/pwned", content: "x" } },
      { name: "write_file", arguments: { path: ".git/hooks/pre-commit", content: "x" } },
      { name: "read_file", arguments: { path: "escape-file" } },
      { name: "read_file", arguments: {} },
      { name: "write_file", arguments: { path: "a.txt", content: 42 } },
      { name: "read_file", arguments: { path: "missing.txt" } },
      { name: "list_files", arguments: { dir: "no-such-dir" } },
      { name: "delete_everything", arguments: {} },
    ];
    for (const [i, c] of cases.entries()) {
      const result = await executeTool(ctx(), { id: `c${i}`, ...c });
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/^Error: /);
    }
    const unknown = await executeTool(ctx(), { id: "u", name: "delete_everything", arguments: {} });
    expect(unknown.output).toMatch(/Available tools: list_files, read_file, search, search_knowledge, edit_file, create_file, apply_patch, write_file, run_command, run_tests/);
    const badArgs = await executeTool(ctx(), { id: "b", name: "read_file", arguments: {} });
    expect(badArgs.output).toMatch(/Invalid arguments for read_file: .*path/s);
  });

  test("write_file then read_file round-trips through the tools", async () => {
    const written = await executeTool(ctx(), {
      id: "w",
      name: "write_file",
      arguments: { path: "notes/todo.md", content: "- ship it\n" },
    });
    expect(written).toMatchObject({ ok: true, output: "Wrote notes/todo.md (10 bytes)." });
    const read = await executeTool(ctx(), { id: "r", name: "read_file", arguments: { path: "notes/todo.md" } });
    expect(read).toMatchObject({ ok: true, output: "notes/todo.md: lines 1–1 of 1\n     1\t- ship it" });
    const listed = await executeTool(ctx(), { id: "l", name: "list_files", arguments: { dir: "notes" } });
    expect(listed).toMatchObject({ ok: true, output: "notes/todo.md" });
  });
});
