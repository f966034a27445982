import { randomUUID } from "node:crypto";
import type { Database } from "@/db/client";
import { createTestDatabase, type TestDatabase } from "../fixtures/database";
import { startOpenAiStandIn, STAND_IN_EMBEDDING_DIMENSIONS } from "../fixtures/vendors/openai-stand-in";
import { startPineconeStandIn, type PineconeStandIn } from "../fixtures/vendors/pinecone-stand-in";
import type { StandIn } from "../fixtures/vendors/stand-in-server";

type Knowledge = typeof import("@/lib/knowledge");

/**
 * The knowledge core with its vendors: OpenAI embeddings (`text-embedding-3-small` through the real
 * `openai` client) and Pinecone (`@pinecone-database/pinecone`, one namespace per organization), both
 * local stand-ins that speak the vendors' wire formats. Runs on the PostgreSQL server when
 * `TEST_DATABASE_URL` is set (the machine's server has no pgvector: Pinecone is how it gets vectors),
 * else on PGlite. The environment is set before the app's modules are imported (they read it once).
 */
describe("knowledge with OpenAI embeddings and Pinecone", () => {
  let database: TestDatabase;
  let handle: { sql: import("postgres").Sql; db: Database };
  let openai: StandIn & { baseURL: string };
  let pinecone: PineconeStandIn;
  let k: Knowledge;
  let openaiClosed = false;
  const orgA = `org_${randomUUID()}`;
  const orgB = `org_${randomUUID()}`;

  beforeAll(async () => {
    openai = await startOpenAiStandIn();
    pinecone = await startPineconeStandIn({ dimension: STAND_IN_EMBEDDING_DIMENSIONS });
    Object.assign(process.env, {
      OPENAI_API_KEY: "sk-standin-openai",
      OPENAI_BASE_URL: openai.baseURL,
      KNOWLEDGE_EMBEDDER: "openai",
      PINECONE_API_KEY: "pc-standin",
      PINECONE_INDEX: pinecone.indexName,
      PINECONE_CONTROLLER_HOST: pinecone.origin,
    });
    database = await createTestDatabase(process.env.TEST_DATABASE_URL ? "postgres" : "pglite");
    const { runMigrations } = await import("@/db/migrate");
    await runMigrations(database.url);
    const { createDatabase } = await import("@/db/client");
    handle = createDatabase(database.url, { max: 2 });
    const { organization } = await import("@/db/schema");
    await handle.db.insert(organization).values([
      { id: orgA, name: "A", slug: `a-${orgA}` },
      { id: orgB, name: "B", slug: `b-${orgB}` },
    ]);
    k = await import("@/lib/knowledge");
  }, 120_000);

  afterAll(async () => {
    await handle?.sql.end({ timeout: 5 });
    await database?.stop();
    await pinecone?.close();
    if (!openaiClosed) await openai?.close();
    for (const key of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "KNOWLEDGE_EMBEDDER", "PINECONE_API_KEY", "PINECONE_INDEX", "PINECONE_CONTROLLER_HOST"]) delete process.env[key];
  });

  it("says which store and embedder are active", async () => {
    const line = await k.describeActiveStore(handle.db);
    expect(line).toContain("store: pinecone");
    expect(line).toContain("embedder: openai:text-embedding-3-small");
  });

  it("embeds through OpenAI, stores vectors in the organization's namespace and retrieves by them", async () => {
    const chunks = [
      { path: "src/todos.ts", startLine: 1, endLine: 6, language: "typescript", text: "export function deleteTodo(id: number) {\n  remove the todo with this id\n}" },
      { path: "src/limits.ts", startLine: 1, endLine: 6, language: "typescript", text: "export class RateLimiter {\n  allow(clientIp) { count hits per client ip }\n}" },
    ];
    const indexed = await k.indexChunks(handle.db, { organizationId: orgA, repositoryId: null, source: "code", sourceId: "src", chunks });
    expect(indexed).toMatchObject({ embedder: "openai:text-embedding-3-small", dimensions: STAND_IN_EMBEDDING_DIMENSIONS });
    expect(indexed.chunkIds).toHaveLength(2);

    const embeddingCalls = openai.requests.filter((r) => r.path === "/v1/embeddings");
    expect(embeddingCalls.length).toBeGreaterThan(0);
    expect(embeddingCalls[0]!.body).toMatchObject({ model: "text-embedding-3-small" });
    const namespace = pinecone.namespaces.get(orgA);
    expect([...(namespace?.keys() ?? [])].sort()).toEqual([...indexed.chunkIds].sort());
    expect([...(namespace?.values() ?? [])][0]!.metadata).toMatchObject({ source: "code", sourceId: "src", repositoryId: "", embedder: "openai:text-embedding-3-small" });

    const hits = await k.searchKnowledge(handle.db, { organizationId: orgA, query: "rate limiter client ip hits", mode: "vector", limit: 2 });
    expect(hits[0]?.path).toBe("src/limits.ts");
    const hybrid = await k.searchKnowledge(handle.db, { organizationId: orgA, query: "delete todo id", limit: 2 });
    expect(hybrid[0]?.path).toBe("src/todos.ts");
    // The other organization queries its own (empty) namespace and gets nothing.
    expect(await k.searchKnowledge(handle.db, { organizationId: orgB, query: "delete todo id", mode: "vector" })).toEqual([]);
    const queries = pinecone.requests.filter((r) => r.path === "/query").map((r) => r.body as { namespace?: string });
    expect(queries.some((q) => q.namespace === orgB)).toBe(true);
  });

  it("deletes a source's vectors from Pinecone with its rows", async () => {
    const removed = await k.deleteBySource(handle.db, { organizationId: orgA, source: "code", sourceId: "src" });
    expect(removed).toBe(2);
    expect(pinecone.namespaces.get(orgA)?.size ?? 0).toBe(0);
    expect(await k.searchKnowledge(handle.db, { organizationId: orgA, query: "delete todo id" })).toEqual([]);
  });

  it("keeps Postgres unchanged when the embedder fails", async () => {
    const before = await handle.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM knowledge_chunks WHERE organization_id = ${orgA}`;
    await openai.close();
    openaiClosed = true;
    await expect(
      k.indexChunks(handle.db, { organizationId: orgA, repositoryId: null, source: "document", sourceId: "d", chunks: [{ path: "d.md", startLine: 1, endLine: 1, language: "markdown", text: "hello" }] }),
    ).rejects.toThrow();
    const after = await handle.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM knowledge_chunks WHERE organization_id = ${orgA}`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });
});
