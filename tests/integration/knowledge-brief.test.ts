import postgres from "postgres";
import { z } from "zod";
import { KNOWLEDGE_HEADING } from "@/lib/agents/prompts";
import { chunkDocument } from "@/lib/knowledge-documents/chunk-document";
import { startStack, type Client, type Stack } from "../fixtures/stack";
import { openAiCompletion, startOpenAiStandIn } from "../fixtures/vendors/openai-stand-in";
import type { StandIn } from "../fixtures/vendors/stand-in-server";

type ApprovalJson = { id: string; taskId: string; kind: string; status: string };
type SquadJson = { id: string; repositoryId: string | null; agents: { role: string }[] };
type DocumentJson = { id: string; title: string; status: string };

const chatRequestSchema = z.object({ messages: z.array(z.object({ role: z.string(), content: z.unknown() })) });

const ALICE_DOC_TITLE = "Error handling guide";
const ALICE_DOC = [
  "# Error handling guide",
  "",
  "How the team writes services.",
  "",
  "## HTTP errors",
  "",
  "Every HTTP handler answers errors as JSON with a code and a message; never leak stack traces.",
  "",
].join("\n");
const ALICE_PHRASE = "never leak stack traces";
const MALLORY_DOC = "# Mallory handbook\n\n## HTTP errors\n\nMALLORY-ONLY: every HTTP handler answers errors as XML with a code and a message.\n";
const MALLORY_PHRASE = "MALLORY-ONLY";

/**
 * Knowledge in agents' briefs end to end (route handlers, local executor, `/api/inngest`): a document
 * uploaded for the organization is retrieved for the planner's brief — as the model receives it (an
 * OpenAI stand-in) — under the knowledge heading with its `path:start-end` citation, and the timeline
 * says "Knowledge retrieved"; another organization's document never appears; the `search_knowledge`
 * tool answers with the citation for the task's organization only.
 */
describe("knowledge in briefs and the search_knowledge tool (pglite)", () => {
  let stack: Stack;
  let openai: StandIn & { baseURL: string };
  let alice: Client;
  let mallory: Client;
  let sql: postgres.Sql;
  let aliceOrg: string;
  let malloryOrg: string;
  let aliceRepositoryId: string | null;
  let citation: string;

  beforeAll(async () => {
    openai = await startOpenAiStandIn();
    stack = await startStack("pglite", { env: { OPENAI_API_KEY: "sk-standin-openai", OPENAI_BASE_URL: openai.baseURL, OPENAI_MODEL: "gpt-4.1-mini" } });
    sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
    alice = await stack.signUp("Alice");
    mallory = await stack.signUp("Mallory");
    const squad = (await alice.json<SquadJson[]>("/api/v1/squads")).body[0];
    aliceRepositoryId = squad.repositoryId;
    // Every role scripted offline except the planner, whose brief the stand-in records.
    const agents = squad.agents.map((a) => ({
      role: a.role,
      modelRoute: [a.role === "product_manager" ? { provider: "openai", model: "gpt-4.1-mini" } : { provider: "offline", model: "offline-scripted" }],
    }));
    const patched = await alice.json(`/api/v1/squads/${squad.id}`, { method: "PATCH", body: JSON.stringify({ autonomy: "human_required", agents }) });
    expect(patched.status).toBe(200);

    const post = (client: Client, title: string, content: string) =>
      client.json<DocumentJson>("/api/v1/knowledge/documents", { method: "POST", body: JSON.stringify({ title, content }) });
    const aliceDoc = await post(alice, ALICE_DOC_TITLE, ALICE_DOC);
    expect(aliceDoc.status).toBe(201);
    expect(aliceDoc.body.status).toBe("indexed");
    const malloryDoc = await post(mallory, "Mallory handbook", MALLORY_DOC);
    expect(malloryDoc.status).toBe(201);
    expect(malloryDoc.body.status).toBe("indexed");
    const orgOf = async (id: string) => (await sql<{ organization_id: string }[]>`select organization_id from knowledge_documents where id = ${id}`)[0]!.organization_id;
    aliceOrg = await orgOf(aliceDoc.body.id);
    malloryOrg = await orgOf(malloryDoc.body.id);
    expect(aliceOrg).not.toBe(malloryOrg);

    const section = chunkDocument(ALICE_DOC, "markdown", ALICE_DOC_TITLE).find((c) => c.text.includes(ALICE_PHRASE));
    expect(section).toBeDefined();
    citation = `${ALICE_DOC_TITLE}:${section!.startLine}-${section!.endLine}`;
  }, 120_000);

  afterAll(async () => {
    const executor = process.env.INNGEST_DEV;
    for (let i = 0; executor && i < 100; i++) {
      const res = await fetch(`${executor}/runs?status=running&limit=1`, { headers: { accept: "application/json" } });
      const body = z.object({ runs: z.array(z.unknown()) }).safeParse(await res.json());
      if (!body.success || body.data.runs.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await sql?.end();
    await stack?.stop();
    await openai?.close();
  });

  async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await fn();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test("the planner's brief carries the organization's document with its citation; the timeline says so; another organization's never", async () => {
    const plan = {
      summary: "Answer errors as JSON",
      subtasks: [{ key: "implement", title: "JSON errors", description: "Change the handlers", role: "developer", dependsOn: [] }],
    };
    const title = "Answer HTTP errors as JSON";
    const before = openai.requests.length;
    openai.enqueue(openAiCompletion({ content: JSON.stringify(plan) }));
    const created = await alice.json<{ id: string }>("/api/v1/tasks", {
      method: "POST",
      body: JSON.stringify({ title, description: "Every HTTP handler should answer errors as JSON with a code and a message." }),
    });
    expect(created.status).toBe(201);
    const taskId = created.body.id;
    const approval = await until("the plan approval", async () => {
      const list = await alice.json<ApprovalJson[]>("/api/v1/approvals?status=pending");
      return list.body.find((a) => a.taskId === taskId);
    });
    const request = openai.requests.slice(before).find((r) => JSON.stringify(r.body).includes(title));
    const brief = chatRequestSchema
      .parse(request?.body)
      .messages.filter((m) => m.role === "user")
      .map((m) => String(m.content))
      .join("\n");

    // (a) The brief as the model received it: the heading, the citation, the passage.
    expect(brief).toContain(KNOWLEDGE_HEADING);
    expect(brief).toContain(`[${citation}] (document)`);
    expect(brief).toContain(ALICE_PHRASE);
    // (b) Mallory's document, on the same subject, never reaches Alice's brief.
    expect(brief).not.toContain(MALLORY_PHRASE);
    expect(brief).not.toContain("Mallory handbook");

    // The timeline says what was retrieved, once.
    const rows = await sql<{ message: string; data: Record<string, unknown> | null }[]>`
      select message, data from task_events where task_id = ${taskId} and message like 'Knowledge retrieved%' order by id`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.message).toMatch(/^Knowledge retrieved for the plan: /);
    expect(rows[0]!.message).toContain(citation);
    const knowledge = z.array(z.object({ path: z.string(), startLine: z.number(), endLine: z.number(), source: z.string(), sourceId: z.string() })).parse(rows[0]!.data?.knowledge);
    expect(knowledge).toContainEqual(expect.objectContaining({ path: ALICE_DOC_TITLE, source: "document" }));
    expect(knowledge.every((k) => k.path !== "Mallory handbook")).toBe(true);

    const rejected = await alice.json(`/api/v1/approvals/${approval.id}/decision`, { method: "POST", body: JSON.stringify({ decision: "reject" }) });
    expect(rejected.status).toBe(200);
    await stack.waitForTask(alice, taskId);
  }, 120_000);

  test("search_knowledge returns the citation for the task's organization only, and says when nothing was found", async () => {
    const { executeTool, toolsForRole } = await import("@/lib/workspace");
    expect(toolsForRole("developer").map((t) => t.name)).toContain("search_knowledge");
    expect(toolsForRole("tech_lead").map((t) => t.name)).toContain("search_knowledge");
    const call = (organizationId: string, repositoryId: string | null, query: string) =>
      executeTool(
        { worktree: stack.dataDir, testCommand: "true", knowledge: { organizationId, repositoryId } },
        { id: "call-1", name: "search_knowledge", arguments: { query, limit: 5 } },
      );

    // (c) Alice's organization: her document, with its citation; never Mallory's.
    const found = await call(aliceOrg, aliceRepositoryId, "how do HTTP handlers answer errors");
    expect(found.ok).toBe(true);
    expect(found.output).toContain(`[${citation}] (document)`);
    expect(found.output).toContain(ALICE_PHRASE);
    expect(found.output).not.toContain(MALLORY_PHRASE);

    // Mallory's organization sees only hers.
    const theirs = await call(malloryOrg, null, "how do HTTP handlers answer errors");
    expect(theirs.ok).toBe(true);
    expect(theirs.output).toContain(MALLORY_PHRASE);
    expect(theirs.output).not.toContain(ALICE_PHRASE);

    // An organization without knowledge: said plainly.
    const none = await call("org_without_knowledge", null, "how do HTTP handlers answer errors");
    expect(none).toMatchObject({ ok: true, data: { count: 0, hits: [] } });
    expect(none.output).toMatch(/^No knowledge found for/);

    // Without the organization in the tool context the tool refuses (ok: false), it does not throw.
    const refused = await executeTool({ worktree: stack.dataDir, testCommand: "true" }, { id: "call-2", name: "search_knowledge", arguments: { query: "errors" } });
    expect(refused.ok).toBe(false);
    // Bad arguments come back as a message too.
    const invalid = await executeTool({ worktree: stack.dataDir, testCommand: "true", knowledge: { organizationId: aliceOrg, repositoryId: null } }, { id: "call-3", name: "search_knowledge", arguments: { query: "", limit: 500 } });
    expect(invalid.ok).toBe(false);
    expect(invalid.output).toMatch(/Invalid arguments for search_knowledge/);
  }, 60_000);
});
