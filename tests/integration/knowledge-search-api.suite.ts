import { randomUUID } from "node:crypto";
import postgres from "postgres";
import type { z } from "zod";
import { startStack, type Client, type Stack } from "../fixtures/stack";

type ErrorJson = { error: { code: string; message: string; details?: { issues: { path: string; message: string }[] } } };
type SearchJson = {
  store: { kind: string; reason: string };
  items: { citation: string; source: string; sourceId: string; path: string; startLine: number; endLine: number; score: number; language: string; repositoryId: string | null; text: string }[];
};

// A word no other text in the index has, so its hits are this document's only.
const WORD = "quokkaverse";
const guide = `# Naming\n\nColumns are snake_case.\n\n## Tables\n\nEvery ${WORD} table is plural.\n`;

/**
 * `GET /api/v1/knowledge/search` through the real route handlers: a document uploaded with
 * `POST /api/v1/knowledge/documents` is found with its citation; bad queries are 4xx naming the
 * parameter; another organization's repository is a 404; the store is reported, and `mode=vector`
 * works with pgvector (PGlite) and is a clear 409 without it (the PostgreSQL server here).
 */
export function defineKnowledgeSearchSuite(kind: "pglite" | "postgres"): void {
  describe(`knowledge search API on ${kind}`, () => {
    let stack: Stack;
    let alice: Client;
    let sql: postgres.Sql;
    let documentId = "";
    let resultSchema: z.ZodType;

    beforeAll(async () => {
      stack = await startStack(kind);
      sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
      ({ knowledgeSearchResultSchema: resultSchema } = await import("@/lib/api/response-schemas"));
      alice = await stack.signUp("Alice");
      const created = await alice.json<{ id: string; status: string }>("/api/v1/knowledge/documents", { method: "POST", body: JSON.stringify({ title: "Naming guide", content: guide }) });
      expect(created.status).toBe(201);
      expect(created.body.status).toBe("indexed");
      documentId = created.body.id;
    }, 120_000);

    afterAll(async () => {
      await sql?.end();
      await stack?.stop();
    });

    const search = (client: Client, query: string) => client.json<SearchJson & ErrorJson>(`/api/v1/knowledge/search?${query}`);

    test("finds an uploaded document's section with its citation, source and text; the body is the documented shape", async () => {
      for (const mode of ["hybrid", "fulltext"]) {
        const res = await search(alice, `q=${WORD}&mode=${mode}`);
        expect({ mode, status: res.status }).toEqual({ mode, status: 200 });
        expect(resultSchema.safeParse(res.body).error?.issues ?? []).toEqual([]);
        const [hit] = res.body.items;
        expect(hit).toMatchObject({ source: "document", sourceId: documentId, path: "Naming guide", repositoryId: null, language: "markdown" });
        expect(hit.citation).toBe(`Naming guide:${hit.startLine}-${hit.endLine}`);
        expect(hit.startLine).toBe(5);
        expect(hit.text).toContain(`Every ${WORD} table is plural.`);
        expect(hit.score).toBeGreaterThan(0);
      }
      // Full text: nothing matches (hybrid with pgvector always has nearest neighbours).
      const none = await search(alice, "q=zebrafishology&mode=fulltext");
      expect(none.status).toBe(200);
      expect(none.body.items).toEqual([]);
    });

    test("reports the active store and why", async () => {
      const res = await search(alice, `q=${WORD}`);
      expect(res.body.store).toEqual({ kind: kind === "pglite" ? "pgvector" : "fulltext-only", reason: expect.any(String) });
      expect(res.body.store.reason.length).toBeGreaterThan(20);
    });

    if (kind === "pglite") {
      test("mode=vector ranks by embedding similarity with pgvector", async () => {
        const res = await search(alice, `q=${encodeURIComponent("which tables are plural")}&mode=vector&limit=3`);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeGreaterThan(0);
        expect(res.body.items.length).toBeLessThanOrEqual(3);
        expect(res.body.items.map((r) => r.sourceId)).toContain(documentId);
        for (const r of res.body.items) expect(r.score).toBeLessThanOrEqual(1.0001);
      });
    } else {
      test("mode=vector without a vector store is a 409 that says why, not a 500", async () => {
        const res = await search(alice, `q=${WORD}&mode=vector`);
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe("conflict");
        expect(res.body.error.message).toMatch(/^Vector search is unavailable: .*pgvector/);
        expect(res.body.error.message).toMatch(/mode=hybrid or mode=fulltext/);
      });
    }

    test("source, limit and repositoryId narrow the results; another organization's repository is a 404", async () => {
      expect((await search(alice, `q=${WORD}&source=lesson`)).body.items).toEqual([]);
      for (const r of (await search(alice, `q=${WORD}&source=document&limit=50`)).body.items) expect(r.source).toBe("document");
      expect((await search(alice, `q=${WORD}&source=document`)).body.items.map((r) => r.sourceId)).toContain(documentId);
      const second = await alice.json<{ id: string }>("/api/v1/knowledge/documents", {
        method: "POST",
        body: JSON.stringify({ title: "Second guide", content: `# More\n\nA ${WORD} second section.\n` }),
      });
      expect(second.status).toBe(201);
      const one = await search(alice, `q=${WORD}&limit=1`);
      expect(one.body.items).toHaveLength(1);
      expect((await search(alice, `q=${WORD}&limit=50&mode=fulltext`)).body.items.length).toBe(2);

      const repo = await alice.json<{ id: string }>("/api/v1/repositories", { method: "POST", body: JSON.stringify({ name: "todo", githubFullName: "octo/todo-api" }) });
      expect(repo.status).toBe(201);
      // A repository's search still sees the organization-wide documents.
      const scoped = await search(alice, `q=${WORD}&repositoryId=${repo.body.id}`);
      expect(scoped.status).toBe(200);
      expect(scoped.body.items.map((r) => r.sourceId)).toContain(documentId);

      const bob = await stack.signUp("Bob");
      const foreign = await search(bob, `q=${WORD}&repositoryId=${repo.body.id}`);
      expect(foreign.status).toBe(404);
      expect(foreign.body.error).toMatchObject({ code: "not_found", message: "Repository not found" });
      expect((await search(alice, `q=${WORD}&repositoryId=${randomUUID()}`)).status).toBe(404);
      const bobs = await search(bob, `q=${WORD}&limit=50`);
      expect(bobs.status).toBe(200);
      expect(bobs.body.items).toEqual([]);
    });

    test("bad queries are 422 in the error shape, naming the parameter", async () => {
      const cases: [string, string][] = [
        ["", "q"],
        ["q=", "q"],
        ["q=%20%20%20", "q"],
        [`q=${"a".repeat(501)}`, "q"],
        ["q=a%00b", "q"],
        ["q=x&limit=0", "limit"],
        ["q=x&limit=51", "limit"],
        ["q=x&limit=2.5", "limit"],
        ["q=x&limit=many", "limit"],
        ["q=x&source=wiki", "source"],
        ["q=x&mode=semantic", "mode"],
        ["q=x&repositoryId=not-a-uuid", "repositoryId"],
      ];
      for (const [query, param] of cases) {
        const res = await search(alice, query);
        expect({ query, status: res.status }).toEqual({ query, status: 422 });
        expect(res.body.error.code).toBe("invalid_input");
        expect(res.body.error.message).toMatch(new RegExp(`^Invalid query parameters: .*${param}`));
        expect(res.body.error.details?.issues.map((i) => i.path)).toEqual([param]);
      }
      expect((await search(alice, "")).body.error.message).toMatch(/q: /);
      expect((await search(alice, "q=%20")).body.error.message).toContain("Say what to search for.");
      expect((await search(alice, `q=${"a".repeat(500)}`)).status).toBe(200);
    });

    test("a long section's text is cut to 2,000 characters; a viewer may search, an anonymous caller may not", async () => {
      const long = `# Long\n\n${`${WORD}ish paragraph about snake case. `.repeat(150)}\n`;
      const created = await alice.json<{ id: string }>("/api/v1/knowledge/documents", { method: "POST", body: JSON.stringify({ title: "Long guide", content: long }) });
      expect(created.status).toBe(201);
      const res = await search(alice, `q=${WORD}ish&mode=fulltext&limit=50`);
      const hit = res.body.items.find((r) => r.sourceId === created.body.id);
      expect(hit).toBeDefined();
      expect(hit!.text.length).toBeLessThanOrEqual(2000);
      expect(hit!.text.endsWith("…")).toBe(true);

      const userIdOf = async (client: Client) => (await client.json<{ user: { id: string } }>("/api/auth/get-session")).body.user.id;
      const [{ organization_id: organizationId }] = await sql<{ organization_id: string }[]>`select organization_id from member where user_id = ${await userIdOf(alice)} limit 1`;
      const vera = await stack.signUp("Vera");
      const veraId = await userIdOf(vera);
      await sql`insert into member (id, organization_id, user_id, role, created_at) values (${randomUUID()}, ${organizationId}, ${veraId}, 'viewer', now())`;
      expect((await vera.json("/api/auth/organization/set-active", { method: "POST", body: JSON.stringify({ organizationId }) })).status).toBe(200);
      const viewed = await search(vera, `q=${WORD}`);
      expect(viewed.status).toBe(200);
      expect(viewed.body.items.map((r) => r.sourceId)).toContain(documentId);

      const anonymous = await fetch(`${stack.url}/api/v1/knowledge/search?q=${WORD}`);
      expect(anonymous.status).toBe(401);
    });
  });
}
