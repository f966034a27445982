import { randomUUID } from "node:crypto";
import { createDatabase, type Database } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { organization, repositories } from "@/db/schema";
import {
  chunkFile,
  chunkMarkdown,
  deleteBySource,
  formatCitations,
  indexChunks,
  LOCAL_EMBEDDER,
  searchKnowledge,
  vectorStoreFor,
  type ChunkInput,
} from "@/lib/knowledge";
import { createTestDatabase, type TestDatabase } from "../fixtures/database";

/** A TypeScript file with distinct top-level declarations, for syntax-aware chunking and retrieval. */
const TODOS_TS = `import { Router } from "express";

export interface Todo {
  id: number;
  title: string;
  done: boolean;
}

const todos: Todo[] = [];

/** Creates a todo from the request body and answers 201. */
export function createTodo(title: string): Todo {
  const todo = { id: todos.length + 1, title, done: false };
  todos.push(todo);
  return todo;
}

/** Removes a todo by id; false when there is none. */
export function deleteTodo(id: number): boolean {
  const index = todos.findIndex((t) => t.id === id);
  if (index === -1) return false;
  todos.splice(index, 1);
  return true;
}

export class RateLimiter {
  private hits = new Map<string, number>();
  allow(clientIp: string): boolean {
    const n = (this.hits.get(clientIp) ?? 0) + 1;
    this.hits.set(clientIp, n);
    return n <= 100;
  }
}
`;

const STYLE_GUIDE_MD = `# Style guide

Short intro.

## Error handling

Every HTTP handler answers errors as JSON with a \`code\` and a \`message\`; never leak stack traces.

## Naming

Use camelCase for functions and PascalCase for classes.
`;

function asChunks(path: string, chunks: { startLine: number; endLine: number; text: string; language: string }[]): ChunkInput[] {
  return chunks.map((c) => ({ path, startLine: c.startLine, endLine: c.endLine, language: c.language, text: c.text, commit: "abc123" }));
}

/**
 * The knowledge core (lib/knowledge) against a real database: chunking along syntax (tree-sitter) and
 * headings, indexing with the offline embedder, hybrid / vector / full-text retrieval, replacement and
 * deletion, repository scoping and the organization wall. On PGlite the store is pgvector; on the
 * PostgreSQL server here (no pgvector package) it is full text only, and says so.
 */
describe("chunking", () => {
  it("splits TypeScript along top-level declarations, with 1-based inclusive lines", async () => {
    const chunks = await chunkFile("src/todos.ts", TODOS_TS);
    expect(chunks.length).toBeGreaterThanOrEqual(1);
    const lines = TODOS_TS.split("\n");
    for (const c of chunks) {
      expect(c.language).toBe("typescript");
      expect(c.startLine).toBeGreaterThanOrEqual(1);
      expect(c.endLine).toBeGreaterThanOrEqual(c.startLine);
      expect(c.text).toBe(lines.slice(c.startLine - 1, c.endLine).join("\n"));
    }
    // Every declaration is inside some chunk, and none is cut in two.
    for (const name of ["interface Todo", "function createTodo", "function deleteTodo", "class RateLimiter"]) {
      const start = lines.findIndex((l) => l.includes(name)) + 1;
      expect(chunks.some((c) => c.startLine <= start && c.endLine >= start)).toBe(true);
    }
    const cls = lines.findIndex((l) => l.includes("class RateLimiter")) + 1;
    const holder = chunks.find((c) => c.startLine <= cls && c.endLine >= cls)!;
    expect(holder.text).toContain("return n <= 100;");
  });

  it("windows a long file into bounded chunks and splits Markdown by headings", async () => {
    const long = Array.from({ length: 400 }, (_, i) => `line ${i + 1}`).join("\n");
    const windows = await chunkFile("notes/log.txt", long);
    expect(windows.length).toBeGreaterThan(1);
    expect(windows[0]!.startLine).toBe(1);
    expect(windows.at(-1)!.endLine).toBe(400);
    for (const w of windows) expect(w.endLine - w.startLine + 1).toBeLessThanOrEqual(150);

    const sections = chunkMarkdown("style-guide.md", STYLE_GUIDE_MD);
    expect(sections.some((s) => s.text.includes("Error handling") && s.text.includes("never leak stack traces"))).toBe(true);
    expect(sections.some((s) => s.text.includes("Naming") && s.text.includes("PascalCase"))).toBe(true);
  });
});

const kinds: ("pglite" | "postgres")[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

describe.each(kinds)("knowledge index and search on %s", (kind) => {
  let database: TestDatabase;
  let handle: ReturnType<typeof createDatabase>;
  let db: Database;
  const orgA = `org_${randomUUID()}`;
  const orgB = `org_${randomUUID()}`;
  let repoA: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await runMigrations(database.url);
    handle = createDatabase(database.url, { max: 2 });
    db = handle.db;
    await db.insert(organization).values([
      { id: orgA, name: "A", slug: `a-${orgA}` },
      { id: orgB, name: "B", slug: `b-${orgB}` },
    ]);
    const [repo] = await db
      .insert(repositories)
      .values({ organizationId: orgA, name: "todo-api", localPath: "/tmp/todo-api", webhookSecretEncrypted: "x" })
      .returning({ id: repositories.id });
    repoA = repo!.id;

    const code = await chunkFile("src/todos.ts", TODOS_TS);
    await indexChunks(db, { organizationId: orgA, repositoryId: repoA, source: "code", sourceId: "src/todos.ts", chunks: asChunks("src/todos.ts", code) });
    const doc = chunkMarkdown("style-guide.md", STYLE_GUIDE_MD);
    await indexChunks(db, { organizationId: orgA, repositoryId: null, source: "document", sourceId: "doc-1", chunks: asChunks("style-guide.md", doc) });
  }, 120_000);

  afterAll(async () => {
    await handle?.sql.end({ timeout: 5 });
    await database?.stop();
  });

  it("picks the store the database allows and records the embedder on each chunk", async () => {
    const store = await vectorStoreFor(db);
    expect(store.kind).toBe(kind === "pglite" ? "pgvector" : "fulltext-only");
    expect(store.reason.length).toBeGreaterThan(10);
    const rows = await handle.sql<{ embedder: string | null; dimensions: number | null; has_vector: boolean }[]>`
      SELECT embedder, dimensions, ${kind === "pglite" ? handle.sql`embedding IS NOT NULL` : handle.sql`false`} AS has_vector
      FROM knowledge_chunks WHERE organization_id = ${orgA}`;
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      if (kind === "pglite") {
        expect(r).toEqual({ embedder: LOCAL_EMBEDDER, dimensions: 512, has_vector: true });
      } else {
        expect(r).toEqual({ embedder: null, dimensions: null, has_vector: false });
      }
    }
  });

  it("finds the chunk that answers a question, with a path:start-end citation", async () => {
    const hits = await searchKnowledge(db, { organizationId: orgA, repositoryId: repoA, query: "delete a todo by id", limit: 3 });
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]!.path).toBe("src/todos.ts");
    expect(hits[0]!.text).toContain("deleteTodo");
    const cited = formatCitations(hits);
    expect(cited).toMatch(/src\/todos\.ts:\d+-\d+/);

    const guide = await searchKnowledge(db, { organizationId: orgA, repositoryId: repoA, query: "how should handlers report errors", limit: 3 });
    expect(guide.some((h) => h.source === "document" && h.text.includes("never leak stack traces"))).toBe(true);
  });

  it("answers by meaning in vector mode where vectors exist, and by words in full-text mode", async () => {
    const words = await searchKnowledge(db, { organizationId: orgA, query: "RateLimiter clientIp", mode: "fulltext", limit: 2 });
    expect(words[0]?.text).toContain("class RateLimiter");
    if (kind === "pglite") {
      const meaning = await searchKnowledge(db, { organizationId: orgA, query: "throttle requests from one address", mode: "vector", limit: 8 });
      expect(meaning.length).toBeGreaterThan(0);
      for (const h of meaning) expect(h.score).toBeGreaterThan(-1.01);
      // Scores are cosine similarities, best first.
      expect([...meaning].sort((a, b) => b.score - a.score).map((h) => h.sourceId + h.startLine)).toEqual(meaning.map((h) => h.sourceId + h.startLine));
    }
  });

  it("scopes by repository and source, and never returns another organization's chunks", async () => {
    const orgWideOnly = await searchKnowledge(db, { organizationId: orgA, repositoryId: null, query: "todo error naming", limit: 10 });
    expect(orgWideOnly.every((h) => h.repositoryId === null)).toBe(true);
    const documentsOnly = await searchKnowledge(db, { organizationId: orgA, query: "todo", sources: ["document"], limit: 10 });
    expect(documentsOnly.every((h) => h.source === "document")).toBe(true);
    if (kind === "postgres") {
      // Without a vector store, asking for vector search is a clear error, not an empty answer.
      await expect(searchKnowledge(db, { organizationId: orgA, query: "todo", mode: "vector" })).rejects.toThrow(/vector search is unavailable: neither PINECONE_API_KEY nor pgvector/);
    }
    for (const mode of kind === "pglite" ? (["hybrid", "vector", "fulltext"] as const) : (["hybrid", "fulltext"] as const)) {
      const other = await searchKnowledge(db, { organizationId: orgB, query: "delete a todo by id", mode, limit: 10 });
      expect(other).toEqual([]);
    }
  });

  it("replaces a source's chunks when it is indexed again and removes them on delete", async () => {
    await indexChunks(db, {
      organizationId: orgA,
      repositoryId: null,
      source: "document",
      sourceId: "doc-1",
      chunks: [{ path: "style-guide.md", startLine: 1, endLine: 2, language: "markdown", text: "# Style guide\nPrefer tabs over spaces in Makefiles." }],
    });
    const [{ n }] = await handle.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM knowledge_chunks WHERE organization_id = ${orgA} AND source_id = 'doc-1'`;
    expect(n).toBe(1);
    const stale = await searchKnowledge(db, { organizationId: orgA, query: "never leak stack traces", sources: ["document"], mode: "fulltext" });
    expect(stale).toEqual([]);

    const removed = await deleteBySource(db, { organizationId: orgA, source: "document", sourceId: "doc-1" });
    expect(removed).toBe(1);
    expect(await searchKnowledge(db, { organizationId: orgA, query: "Makefiles tabs", sources: ["document"] })).toEqual([]);
    // Another organization's delete of the same source id touches nothing of A's code.
    await deleteBySource(db, { organizationId: orgB, source: "code" });
    const code = await searchKnowledge(db, { organizationId: orgA, query: "createTodo", mode: "fulltext" });
    expect(code.length).toBeGreaterThan(0);
  });

  it("refuses chunks with impossible line ranges before writing anything", async () => {
    await expect(
      indexChunks(db, { organizationId: orgA, repositoryId: repoA, source: "code", sourceId: "src/todos.ts", chunks: [{ path: "src/todos.ts", startLine: 5, endLine: 2, language: "typescript", text: "x" }] }),
    ).rejects.toThrow(/startLine <= endLine/);
    const still = await searchKnowledge(db, { organizationId: orgA, query: "deleteTodo", mode: "fulltext" });
    expect(still.length).toBeGreaterThan(0);
  });
});
