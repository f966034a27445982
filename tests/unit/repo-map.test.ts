import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { buildRepositoryMap, fileSymbols, pathsMentioned, REPOSITORY_MAP_HEADING } from "@/lib/workspace/repo-map";

const TS = `import { z } from "zod";

/** A todo. */
export interface Todo {
  id: number;
}

export const MAX_TODOS = 100;

export function createTodo(title: string): Todo {
  const inner = () => 1;
  return { id: inner() };
}

export class TodoStore {
  add(todo: Todo) {}
}
`;

/**
 * The repository map agents get in their briefs (lib/workspace/repo-map.ts): tree-sitter symbols with
 * their 1-based lines (nested declarations left out), the line fallback for languages without a
 * grammar, focus files first, and the size bound with its marker.
 */
describe("repository map", () => {
  let repo: string;

  beforeAll(() => {
    repo = mkdtempSync(path.join(tmpdir(), "repo-map-"));
    mkdirSync(path.join(repo, "src", "deep", "er"), { recursive: true });
    writeFileSync(path.join(repo, "src", "todos.ts"), TS);
    writeFileSync(path.join(repo, "src", "deep", "er", "notes.txt"), "plain text\n");
    writeFileSync(path.join(repo, "src", "tool.lua"), "function greet(name)\n  return name\nend\n");
    for (let i = 0; i < 30; i++) writeFileSync(path.join(repo, `file-${String(i).padStart(2, "0")}.md`), `# ${i}\n`);
    execFileSync("git", ["init", "-q"], { cwd: repo });
    execFileSync("git", ["add", "."], { cwd: repo });
  });

  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  test("tree-sitter lists top-level declarations with their lines, not nested ones", async () => {
    const { symbols, via } = await fileSymbols("src/todos.ts", TS);
    expect(via).toBe("tree-sitter");
    const lines = TS.split("\n");
    const byName = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(symbols.map((s) => s.line)).toEqual(
      expect.arrayContaining([byName("interface Todo"), byName("MAX_TODOS"), byName("function createTodo"), byName("class TodoStore")]),
    );
    expect(symbols.some((s) => s.signature.includes("inner"))).toBe(false);
    expect(symbols.find((s) => s.line === byName("function createTodo"))?.signature).toContain("createTodo(title: string)");
  });

  test("a language without a grammar falls back to declaration lines", async () => {
    const { symbols, via } = await fileSymbols("src/tool.lua", "function greet(name)\n  return name\nend\n");
    expect(via).toBe("lines");
    expect(symbols).toEqual([{ line: 1, signature: "function greet(name)" }]);
  });

  test("the map lists files and symbols, focus files first, and says what it cut", async () => {
    const map = await buildRepositoryMap(repo, { focusText: "Fix createTodo in todos.ts", maxFiles: 10 });
    expect(map).toMatch(/^Files \(33\):/);
    expect(map).toContain("  src/todos.ts");
    expect(map).toMatch(/… 23 more files \(list_files shows them\)/);
    expect(map).toMatch(/Top-level symbols \(.*tree-sitter.*\)/);
    expect(map).toMatch(/src\/todos\.ts\n {2}L\d+: export interface Todo/);
    expect(pathsMentioned("Fix createTodo in todos.ts", ["src/todos.ts", "src/other.ts"])).toEqual(["src/todos.ts"]);

    const small = await buildRepositoryMap(repo, { maxChars: 300 });
    expect(small.length).toBeLessThanOrEqual(300);
    expect(small).toMatch(/… map cut at 300 characters$/);
    expect(REPOSITORY_MAP_HEADING).toMatch(/Repository map/);
  });
});
