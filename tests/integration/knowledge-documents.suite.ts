import postgres from "postgres";
import { chunkDocument } from "@/lib/knowledge-documents/chunk-document";
import { MAX_DOCUMENT_BYTES } from "@/lib/knowledge-documents/schemas";
import { startStack, type Client, type Stack } from "../fixtures/stack";

type DocumentJson = { id: string; title: string; filename: string | null; format: string; repositoryId: string | null; sizeBytes: number; chunkCount: number; status: string; indexError: string | null };
type ErrorJson = { error: { code: string; message: string; details?: { issues: { path: string; message: string }[] } } };

const styleGuide = "# Style guide\n\nBe brief.\n\n## Database\n\n```sql\n# not a heading\n```\n\n### Columns\n\nName columns in snake_case.\n";

/**
 * Documents through the real route handlers: upload as JSON or multipart (size cap, formats, field
 * errors as 4xx), list, delete; another organization never sees or deletes them (404).
 */
export function defineKnowledgeDocumentsSuite(kind: "pglite" | "postgres"): void {
  describe(`knowledge documents on ${kind}`, () => {
    let stack: Stack;
    let alice: Client;
    let sql: postgres.Sql;

    beforeAll(async () => {
      stack = await startStack(kind);
      sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
      alice = await stack.signUp("Alice");
    }, 120_000);

    afterAll(async () => {
      await sql?.end();
      await stack?.stop();
    });

    const post = (client: Client, body: unknown) => client.json<DocumentJson & ErrorJson>("/api/v1/knowledge/documents", { method: "POST", body: JSON.stringify(body) });
    /** Posts a multipart form as a browser would (the stack's client defaults bodies to JSON, so the encoded form and its boundary are given). */
    const upload = async (client: Client, form: FormData) => {
      const encoded = new Request("http://localhost/", { method: "POST", body: form });
      const type = encoded.headers.get("content-type") ?? "";
      return client.fetch("/api/v1/knowledge/documents", { method: "POST", body: await encoded.arrayBuffer(), headers: { "content-type": type } });
    };
    const issuePaths = (body: ErrorJson) => body.error.details?.issues.map((i) => i.path) ?? [];

    test("a Markdown document uploaded as JSON is stored, listed and audited; its chunks follow the headings", async () => {
      const created = await post(alice, { title: "Style guide", content: styleGuide });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ title: "Style guide", format: "markdown", filename: null, repositoryId: null, sizeBytes: Buffer.byteLength(styleGuide) });
      // Indexed on both backends: pgvector + full text on PGlite, full text only on the server here.
      expect(created.body.status).toBe("indexed");
      expect(created.body.chunkCount).toBe(3);
      expect(created.body.indexError).toBeNull();

      const list = await alice.json<{ items: DocumentJson[] }>("/api/v1/knowledge/documents");
      expect(list.status).toBe(200);
      expect(list.body.items.map((d) => d.id)).toContain(created.body.id);
      const [audit] = await sql`select data from audit_events where action = 'knowledge_document.created' and target_id = ${created.body.id}`;
      expect(audit.data).toMatchObject({ title: "Style guide", format: "markdown" });

      // The sections the index gets: one per heading (depth ≤ 3), a fenced '#' is no heading, each with its heading trail.
      expect(chunkDocument(styleGuide, "markdown", "Style guide").map((c) => [c.startLine, c.heading, c.text.split("\n")[0]])).toEqual([
        [1, "Style guide", "Style guide › Style guide"],
        [5, "Style guide › Database", "Style guide › Style guide › Database"],
        [11, "Style guide › Database › Columns", "Style guide › Style guide › Database › Columns"],
      ]);
    });

    test("validation: field errors are 422 with paths, malformed bodies 400, oversized files 413", async () => {
      expect(issuePaths((await post(alice, { content: "x" })).body)).toEqual(["title"]);
      expect(issuePaths((await post(alice, { title: "Empty", content: "  \n " })).body)).toEqual(["content"]);
      const tooBig = await post(alice, { title: "Big", content: "a".repeat(MAX_DOCUMENT_BYTES + 1) });
      expect(tooBig.status).toBe(422);
      expect(issuePaths(tooBig.body)).toEqual(["content"]);
      expect((await post(alice, { title: "T", content: "x", format: "pdf" })).status).toBe(422);
      expect((await post(alice, { title: "T", content: "x", extra: 1 })).status).toBe(422);
      const malformed = await alice.fetch("/api/v1/knowledge/documents", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } });
      expect(malformed.status).toBe(400);

      const pdf = new FormData();
      pdf.set("file", new File(["%PDF-1.7"], "guide.pdf", { type: "application/pdf" }));
      const refused = await upload(alice, pdf);
      expect(refused.status).toBe(422);
      expect(issuePaths((await refused.json()) as ErrorJson)).toEqual(["file"]);
      const noFile = new FormData();
      noFile.set("title", "Nothing attached");
      expect((await upload(alice, noFile)).status).toBe(422);
      const huge = new FormData();
      huge.set("file", new File(["a".repeat(MAX_DOCUMENT_BYTES + 1)], "huge.md", { type: "text/markdown" }));
      const over = await upload(alice, huge);
      expect(over.status).toBe(413);
      expect(((await over.json()) as ErrorJson).error.code).toBe("payload_too_large");

      await stack.signUp("Olga");
      const [otherRepo] = await sql`select r.id from repositories r join member m on m.organization_id = r.organization_id join "user" u on u.id = m.user_id where u.name = 'Olga'`;
      const foreignRepo = await post(alice, { title: "T", content: "x", repositoryId: otherRepo.id });
      expect(foreignRepo.status).toBe(422);
      expect(issuePaths(foreignRepo.body)).toEqual(["repositoryId"]);
    });

    test("a .txt file uploaded as multipart takes its title from the file name", async () => {
      const form = new FormData();
      form.set("file", new File(["First paragraph.\n\nSecond paragraph.\n"], "api-notes.txt", { type: "text/plain" }));
      const res = await upload(alice, form);
      expect(res.status).toBe(201);
      expect(await res.json()).toMatchObject({ title: "api-notes", filename: "api-notes.txt", format: "text" });
    });

    test("another organization never sees or deletes a document (404); its owner lists only their own", async () => {
      const created = await post(alice, { title: "ADR 1", content: "# ADR 1\n\nUse Postgres.\n" });
      expect(created.status).toBe(201);
      const mallory = await stack.signUp("Mallory");
      expect((await mallory.json<{ items: DocumentJson[] }>("/api/v1/knowledge/documents")).body.items).toEqual([]);
      expect((await mallory.fetch(`/api/v1/knowledge/documents/${created.body.id}`, { method: "DELETE" })).status).toBe(404);
      expect((await mallory.fetch("/api/v1/knowledge/documents/not-a-uuid", { method: "DELETE" })).status).toBe(404);
      const mine = await post(mallory, { title: "Mallory's", content: "text" });
      expect(mine.status).toBe(201);
      const aliceList = (await alice.json<{ items: DocumentJson[] }>("/api/v1/knowledge/documents")).body.items.map((d) => d.id);
      expect(aliceList).toContain(created.body.id);
      expect(aliceList).not.toContain(mine.body.id);

      // Its owner deletes it: gone from the list (audited), and a second delete is a 404.
      expect((await alice.fetch(`/api/v1/knowledge/documents/${created.body.id}`, { method: "DELETE" })).status).toBe(204);
      expect((await alice.json<{ items: DocumentJson[] }>("/api/v1/knowledge/documents")).body.items.map((d) => d.id)).not.toContain(created.body.id);
      expect((await alice.fetch(`/api/v1/knowledge/documents/${created.body.id}`, { method: "DELETE" })).status).toBe(404);
      const [audit] = await sql`select data from audit_events where action = 'knowledge_document.deleted' and target_id = ${created.body.id}`;
      expect(audit.data).toEqual({ title: "ADR 1" });
    });
  });
}
