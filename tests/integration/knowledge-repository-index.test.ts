import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { startStack, type Client, type Stack } from "../fixtures/stack";

type IndexJson = {
  status: "indexing" | "indexed" | "failed";
  commit: string | null;
  filesTotal: number;
  filesIndexed: number;
  filesSkipped: number;
  chunks: number;
  embedder: string | null;
  store: string | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
};
type ChunkRow = { id: string; source_id: string; start_line: number; end_line: number; language: string; commit: string; blob_id: string; has_vector: boolean };

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.test", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8" }).trim();

/**
 * Repository indexing end to end on PGlite (pgvector): registering a repository queues the
 * `index-repository` Inngest function, which chunks its code along syntax and embeds it with the
 * offline embedder, one step per batch, with progress on `GET /api/v1/repositories/{id}/index`.
 * Re-indexing is incremental by git blob id; removed files lose their chunks; a completed task asks
 * for a re-index; a repository whose folder is gone ends `failed` with the reason; another
 * organization sees a 404.
 */
describe("repository indexing on pglite", () => {
  let stack: Stack;
  let alice: Client;
  let bob: Client;
  let sql: postgres.Sql;
  let repoDir: string;
  let repositoryId: string;

  beforeAll(async () => {
    stack = await startStack("pglite", { env: { KNOWLEDGE_AUTO_INDEX: "true" } });
    alice = await stack.signUp("Alice");
    bob = await stack.signUp("Bob");
    sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
    repoDir = path.join(stack.dataDir, "repos", "todo-index");
    mkdirSync(path.dirname(repoDir), { recursive: true });
    cpSync(path.join(process.cwd(), "examples", "todo-api"), repoDir, {
      recursive: true,
      filter: (src) => !["node_modules", ".git"].includes(path.basename(src)),
    });
    // Files the indexer must leave out: dependencies, lock files.
    mkdirSync(path.join(repoDir, "node_modules", "left-pad"), { recursive: true });
    writeFileSync(path.join(repoDir, "node_modules", "left-pad", "index.js"), "module.exports = (s) => s;\n");
    writeFileSync(path.join(repoDir, "package-lock.json"), "{}\n");
    // A file the second test removes (the rest stay as the offline scenario of the task test expects).
    writeFileSync(path.join(repoDir, "src", "legacy-formatting.ts"), "export function legacyFormat(title: string): string {\n  return title.trim();\n}\n");
    git(repoDir, "-c", "init.defaultBranch=master", "init", "--quiet");
    git(repoDir, "add", "--all", "--force");
    git(repoDir, "commit", "--quiet", "-m", "Import");
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await stack?.stop();
  });

  async function indexOf(client: Client, id: string) {
    return client.json<{ index: IndexJson | null; error?: { code: string } }>(`/api/v1/repositories/${id}/index`);
  }

  async function waitForIndex(id: string, done: (index: IndexJson) => boolean): Promise<IndexJson> {
    for (const deadline = Date.now() + 90_000; ; ) {
      const res = await indexOf(alice, id);
      expect(res.status).toBe(200);
      if (res.body.index && done(res.body.index)) return res.body.index;
      if (Date.now() > deadline) throw new Error(`the index did not get there: ${JSON.stringify(res.body.index)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const chunks = () =>
    sql<ChunkRow[]>`select id, source_id, start_line, end_line, language, commit, blob_id, embedding is not null as has_vector
      from knowledge_chunks where repository_id = ${repositoryId} and source = 'code' order by source_id, start_line`;

  const trackedIndexable = () =>
    git(repoDir, "ls-files")
      .split("\n")
      .filter((f) => f && !f.startsWith("node_modules/") && f !== "package-lock.json" && /\.(ts|js|json|md)$|README/.test(f));

  test("registering a repository indexes its code along syntax, with progress and the embedder recorded", async () => {
    const created = await alice.json<{ id: string }>("/api/v1/repositories", { method: "POST", body: JSON.stringify({ name: "todo-index", localPath: repoDir }) });
    expect(created.status).toBe(201);
    repositoryId = created.body.id;
    const head = git(repoDir, "rev-parse", "HEAD");

    const index = await waitForIndex(repositoryId, (i) => i.status !== "indexing");
    expect(index).toMatchObject({ status: "indexed", commit: head, error: null, store: "pgvector", embedder: "energetic-ai:use-lite-en@0.2.0" });
    expect(index.filesTotal).toBeGreaterThan(0);
    expect(index.filesIndexed).toBe(index.filesTotal);
    expect(index.finishedAt).not.toBeNull();

    const rows = await chunks();
    expect(index.chunks).toBe(rows.length);
    const paths = [...new Set(rows.map((r) => r.source_id))];
    expect(paths.some((p) => p.startsWith("node_modules/") || p === "package-lock.json")).toBe(false);
    expect(paths.sort()).toEqual(expect.arrayContaining(trackedIndexable().filter((f) => f.endsWith(".ts") || f.endsWith(".js"))));
    for (const r of rows) {
      expect(r.commit).toBe(head);
      expect(r.blob_id).toMatch(/^[0-9a-f]{40}$/);
      expect(r.has_vector).toBe(true);
      expect(r.end_line).toBeGreaterThanOrEqual(r.start_line);
    }
    expect(rows.some((r) => r.language === "typescript" || r.language === "javascript")).toBe(true);
  }, 120_000);

  test("re-indexing skips unchanged files, re-chunks changed ones and drops removed ones", async () => {
    const before = await chunks();
    const files = [...new Set(before.map((r) => r.source_id))];
    const changed = files.find((f) => f.endsWith(".md")) ?? files[0]!;
    const removed = "src/legacy-formatting.ts";
    expect(files).toContain(removed);
    writeFileSync(path.join(repoDir, changed), "# Changed\n\nRate limits are enforced per API key, 100 requests a minute.\n");
    unlinkSync(path.join(repoDir, removed));
    writeFileSync(path.join(repoDir, "src-notes.md"), "# Notes\n\nThe todo store is in memory.\n");
    git(repoDir, "add", "--all");
    git(repoDir, "commit", "--quiet", "-m", "Change, remove, add");
    const head = git(repoDir, "rev-parse", "HEAD");

    const requested = await alice.json<{ index: IndexJson | null }>(`/api/v1/repositories/${repositoryId}/index`, { method: "POST" });
    expect(requested.status).toBe(202);
    const index = await waitForIndex(repositoryId, (i) => i.commit === head && i.status !== "indexing");
    expect(index.status).toBe("indexed");

    const after = await chunks();
    const untouched = before.filter((r) => r.source_id !== changed && r.source_id !== removed);
    // Unchanged files keep their very rows (not re-embedded); the count of skipped files says so.
    expect(after.filter((r) => untouched.some((u) => u.id === r.id)).length).toBe(untouched.length);
    expect(index.filesSkipped).toBe(new Set(untouched.map((r) => r.source_id)).size);
    expect(after.some((r) => r.source_id === removed)).toBe(false);
    const changedRows = after.filter((r) => r.source_id === changed);
    expect(changedRows.length).toBeGreaterThan(0);
    expect(changedRows.every((r) => r.commit === head && !before.some((b) => b.id === r.id))).toBe(true);
    expect(after.some((r) => r.source_id === "src-notes.md")).toBe(true);
  }, 120_000);

  test("another organization cannot read or trigger the index (404)", async () => {
    expect((await indexOf(bob, repositoryId)).status).toBe(404);
    expect((await bob.fetch(`/api/v1/repositories/${repositoryId}/index`, { method: "POST" })).status).toBe(404);
    expect((await alice.fetch(`/api/v1/repositories/not-a-uuid/index`)).status).toBe(404);
  });

  test("a completed task on the repository asks for a re-index", async () => {
    const previous = (await indexOf(alice, repositoryId)).body.index!;
    const created = await alice.json<{ id: string }>("/api/v1/tasks", {
      method: "POST",
      body: JSON.stringify({ title: "Add a DELETE /todos/:id endpoint", repositoryId }),
    });
    expect(created.status).toBe(201);
    const task = await stack.waitForTask(alice, created.body.id);
    expect(task.status).toBe("completed");
    const index = await waitForIndex(repositoryId, (i) => i.startedAt > previous.startedAt && i.status !== "indexing");
    // The default branch did not move (the change is on squad/<task>): everything is skipped.
    expect(index).toMatchObject({ status: "indexed", commit: previous.commit, filesSkipped: index.filesTotal });
  }, 180_000);

  test("a repository whose folder is gone ends failed with the reason", async () => {
    const gone = path.join(stack.dataDir, "repos", "gone-soon");
    mkdirSync(gone, { recursive: true });
    writeFileSync(path.join(gone, "a.ts"), "export const a = 1;\n");
    git(gone, "-c", "init.defaultBranch=master", "init", "--quiet");
    git(gone, "add", "--all");
    git(gone, "commit", "--quiet", "-m", "a");
    const created = await alice.json<{ id: string }>("/api/v1/repositories", { method: "POST", body: JSON.stringify({ name: "gone-soon", localPath: gone }) });
    expect(created.status).toBe(201);
    await waitForIndex(created.body.id, (i) => i.status !== "indexing");
    rmSync(gone, { recursive: true, force: true });
    expect((await alice.fetch(`/api/v1/repositories/${created.body.id}/index`, { method: "POST" })).status).toBe(202);
    const index = await waitForIndex(created.body.id, (i) => i.status === "failed");
    expect(index.error).toMatch(/does not exist/);
  }, 120_000);
});
