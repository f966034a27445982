// The agents' workspace tools against a real temporary git worktree: windows and markers of read_file,
// search counts, edit refusals, create/overwrite refusals, all-or-nothing patches, sandboxed commands,
// and a 3,000-line file changed by one edit with every other byte unchanged.
import { mkdtemp, readFile as fsReadFile, rm, writeFile as fsWriteFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createTwoFilesPatch } from "diff";
import { ensureExampleRepository, executeTool, noteSeenInFull, prepareWorktree, READ_WINDOW_LINES } from "@/lib/workspace";

let dataDir: string;
let worktree: string;
const big = Array.from({ length: 3_000 }, (_, i) => `export const value${i + 1} = ${i + 1}; // line ${i + 1}`);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "squadron-tools-"));
  const repo = await ensureExampleRepository(dataDir);
  worktree = (await prepareWorktree({ repoPath: repo, dataDir, taskId: "tools", baseBranch: "main" })).path;
  await fsWriteFile(path.join(worktree, "big.js"), `${big.join("\n")}\n`);
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const ctx = (seenInFull?: Set<string>) => ({ worktree, testCommand: "node --test", ...(seenInFull ? { seenInFull } : {}) });
const call = (name: string, args: Record<string, unknown>) => executeTool(ctx(), { id: name, name, arguments: args });

describe("read_file", () => {
  test("shows numbered lines in a bounded window and says how to read on", async () => {
    const first = await call("read_file", { path: "big.js" });
    expect(first.ok).toBe(true);
    expect(first.output).toMatch(/^big\.js: lines 1–\d+ of 3000\n\s+1\texport const value1 = 1;/);
    const data = first.data as { endLine: number; complete: boolean };
    expect(data.complete).toBe(false);
    expect(data.endLine).toBeLessThanOrEqual(READ_WINDOW_LINES);
    expect(first.output).toContain(`… ${3000 - data.endLine} more lines, read with start_line=${data.endLine + 1}`);
    const range = await call("read_file", { path: "big.js", start_line: 1500, end_line: 1502 });
    expect(range.output).toBe(
      [
        "big.js: lines 1500–1502 of 3000",
        "  1500\texport const value1500 = 1500; // line 1500",
        "  1501\texport const value1501 = 1501; // line 1501",
        "  1502\texport const value1502 = 1502; // line 1502",
        "(lines 1–1499 not shown)",
        "… 1498 more lines, read with start_line=1503",
      ].join("\n"),
    );
    expect((await call("read_file", { path: "big.js", start_line: 4000 })).output).toMatch(/has 3000 lines; start_line 4000 is past its end/);
    const whole = await call("read_file", { path: "package.json" });
    expect(whole.data).toMatchObject({ path: "package.json", complete: true });
  });
});

describe("search", () => {
  test("finds literal text with file:line and a count, and regexes on request", async () => {
    const hit = await call("search", { pattern: "value2999 =" });
    expect(hit.output).toBe("1 match in 1 file for \"value2999 =\":\nbig.js:2999: export const value2999 = 2999; // line 2999");
    const many = await call("search", { pattern: "export const value", path_glob: "*.js" });
    expect(many.output).toMatch(/^3000 matches in 1 file/);
    expect(many.output).toMatch(/… 2900 more matches: narrow the pattern or set path_glob$/);
    const regex = await call("search", { pattern: "value(12|13) =", regex: true });
    expect((regex.data as { count: number }).count).toBe(2);
    const literal = await call("search", { pattern: "value(12|13) =" });
    expect(literal.output).toMatch(/^0 matches/);
    const bad = await call("search", { pattern: "(", regex: true });
    expect(bad.ok).toBe(false);
  });
});

describe("edit_file", () => {
  test("refuses no match and several matches, saying how many and where; nothing changes", async () => {
    const before = await fsReadFile(path.join(worktree, "big.js"), "utf8");
    const none = await call("edit_file", { path: "big.js", old_str: "value1 = 2;", new_str: "x" });
    expect(none).toMatchObject({ ok: false });
    expect(none.output).toMatch(/not found in big\.js \(0 matches\)/);
    const several = await call("edit_file", { path: "big.js", old_str: "= 7", new_str: "= 8" });
    expect(several.output).toMatch(/occurs \d+ times in big\.js \(at lines 7, 70, 71/);
    expect(await fsReadFile(path.join(worktree, "big.js"), "utf8")).toBe(before);
  });

  test("one edit in a 3,000-line file leaves every other byte identical", async () => {
    const before = await fsReadFile(path.join(worktree, "big.js"), "utf8");
    const edited = await call("edit_file", {
      path: "big.js",
      old_str: "export const value2500 = 2500;",
      new_str: "export const value2500 = 2500.5;",
    });
    expect(edited.ok).toBe(true);
    expect(edited.output).toMatch(/^Edited big\.js: 1 replacement \(at line 2500\)/);
    const after = await fsReadFile(path.join(worktree, "big.js"), "utf8");
    expect(after).toBe(before.replace("value2500 = 2500;", "value2500 = 2500.5;"));
    expect(after.split("\n").filter((l, i) => l !== before.split("\n")[i])).toEqual(["export const value2500 = 2500.5; // line 2500"]);
  });

  test("replace_all changes every occurrence", async () => {
    await fsWriteFile(path.join(worktree, "dup.txt"), "a\nb\na\n");
    const r = await call("edit_file", { path: "dup.txt", old_str: "a", new_str: "c", replace_all: true });
    expect(r.data).toMatchObject({ replacements: 2, lines: [1, 3] });
    expect(await fsReadFile(path.join(worktree, "dup.txt"), "utf8")).toBe("c\nb\nc\n");
  });
});

describe("create_file and write_file", () => {
  test("create_file refuses to overwrite; write_file only replaces what the agent saw in full", async () => {
    expect((await call("create_file", { path: "src/new.js", content: "export {};\n" })).ok).toBe(true);
    const again = await call("create_file", { path: "src/new.js", content: "oops" });
    expect(again.output).toMatch(/already exists as a file/);
    expect(await fsReadFile(path.join(worktree, "src/new.js"), "utf8")).toBe("export {};\n");

    const seen = new Set<string>();
    const blind = await executeTool(ctx(seen), { id: "w", name: "write_file", arguments: { path: "big.js", content: "gone" } });
    expect(blind.output).toMatch(/have not read all of it/);
    const partial = await executeTool(ctx(seen), { id: "r", name: "read_file", arguments: { path: "big.js" } });
    noteSeenInFull(seen, { name: "read_file" }, partial);
    expect(seen.has("big.js")).toBe(false);
    const small = await executeTool(ctx(seen), { id: "r2", name: "read_file", arguments: { path: "./dup.txt" } });
    noteSeenInFull(seen, { name: "read_file" }, small);
    const replaced = await executeTool(ctx(seen), { id: "w2", name: "write_file", arguments: { path: "dup.txt", content: "z\n" } });
    expect(replaced.ok).toBe(true);
    expect((await fsReadFile(path.join(worktree, "big.js"), "utf8")).length).toBeGreaterThan(1000);
  });
});

describe("apply_patch", () => {
  test("applies a unified diff; a hunk that does not fit changes nothing and is named", async () => {
    const before = await fsReadFile(path.join(worktree, "big.js"), "utf8");
    const changed = before.replace("value10 = 10;", "value10 = 100;").replace("value2000 = 2000;", "value2000 = 0;");
    const patch = createTwoFilesPatch("a/big.js", "b/big.js", before, changed);
    const ok = await call("apply_patch", { unified_diff: patch });
    expect(ok.output).toBe("Applied the diff: modified big.js (2 hunks).");
    expect(await fsReadFile(path.join(worktree, "big.js"), "utf8")).toBe(changed);

    // The same patch again: its first hunk's removed line is gone now.
    const stale = await call("apply_patch", { unified_diff: patch + createTwoFilesPatch("/dev/null", "b/brand-new.txt", "", "hi\n") });
    expect(stale.ok).toBe(false);
    expect(stale.output).toMatch(/Hunk 1 of 2 \(@@ -\d+,\d+ \+\d+,\d+ @@\) does not apply to big\.js: .*Nothing was changed/);
    expect(await fsReadFile(path.join(worktree, "big.js"), "utf8")).toBe(changed);
    expect((await call("read_file", { path: "brand-new.txt" })).ok).toBe(false);

    const create = await call("apply_patch", { unified_diff: createTwoFilesPatch("/dev/null", "b/brand-new.txt", "", "hi\n") });
    expect(create.output).toBe("Applied the diff: created brand-new.txt (1 hunk).");
    expect((await call("apply_patch", { unified_diff: "not a diff" })).ok).toBe(false);
  });
});

describe("run_command and run_tests", () => {
  test("shows the exit code and bounded output; run_tests passes a filter", async () => {
    const r = await call("run_command", { command: "echo out; echo err >&2; exit 3" });
    expect(r.ok).toBe(true);
    expect(r.output).toMatch(/^exit code: 3 \(\d+ ms\)\n\n/);
    expect(r.output).toContain("out");
    const long = await call("run_command", { command: "seq 1 20000" });
    expect(long.output).toMatch(/lines \(\d+ characters\) left out|truncated/);
    expect(long.output).toContain("\n20000");
    const slow = await call("run_command", { command: "sleep 5", timeout_s: 1 });
    expect(slow.output).toMatch(/^timed out after 1 s/);
    const tests = await call("run_tests", { filter: "test/does-not-exist.test.js" });
    expect(tests.output).toMatch(/^status: failed/);
    expect(tests.data).toMatchObject({ command: "node --test 'test/does-not-exist.test.js'" });
  }, 60_000);
});
