import { createHmac, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { startStack, type Client, type Stack, type TaskDetailJson } from "../fixtures/stack";

/**
 * Tenant isolation, roles and API keys through the real route handlers (PGlite): organization B
 * asking for organization A's resources gets 404 on every route and learns nothing; a viewer cannot
 * mutate; an API key does what its permissions allow, records its last use, and is refused once
 * revoked or once its creator leaves the organization; tasks page by cursor, filter, cancel.
 */

type ErrorJson = { error: { code: string; message: string; details?: unknown } };
type KeyJson = { id: string; key: string; name: string; start: string; permissions: Record<string, string[]>; lastUsedAt: string | null };

let stack: Stack;
let sql: postgres.Sql;
let alice: Client; // owner of A
let bob: Client; // owner of B
const a = { organizationId: "", taskId: "", approvalId: "", squadId: "", repositoryId: "", webhookSecret: "", keyId: "", jiraConnectionId: "", documentId: "", lessonId: randomUUID(), webhookEndpointId: "", mcpServerId: "" };

let aGithubConnectionId = "";

async function userId(client: Client): Promise<string> {
  const res = await client.json<{ user: { id: string } }>("/api/auth/get-session");
  return res.body.user.id;
}

async function organizationOf(client: Client): Promise<string> {
  const [row] = await sql<{ organization_id: string }[]>`select organization_id from member where user_id = ${await userId(client)} order by created_at limit 1`;
  return row.organization_id;
}

/** A new user who joins organization A with `role` and makes it their active organization. */
async function joinA(name: string, role: string): Promise<Client> {
  const client = await stack.signUp(name);
  await sql`insert into member (id, organization_id, user_id, role, created_at) values (${randomUUID()}, ${a.organizationId}, ${await userId(client)}, ${role}, now())`;
  const active = await client.json("/api/auth/organization/set-active", { method: "POST", body: JSON.stringify({ organizationId: a.organizationId }) });
  expect(active.status).toBe(200);
  return client;
}

/** A client that authenticates with an API key only (no cookie). */
const withKey = (key: string): Client => stack.withApiKey(key);

const post = (body: unknown = {}): RequestInit => ({ method: "POST", body: JSON.stringify(body) });

beforeAll(async () => {
  stack = await startStack("pglite");
  sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
  alice = await stack.signUp("Alice");
  bob = await stack.signUp("Bob");
  a.organizationId = await organizationOf(alice);

  // A supervised squad stops before delivering: the task waits with a pending approval.
  const squads = await alice.json<{ id: string }[]>("/api/v1/squads");
  a.squadId = squads.body[0].id;
  expect((await alice.json(`/api/v1/squads/${a.squadId}`, { method: "PATCH", body: JSON.stringify({ autonomy: "supervised" }) })).status).toBe(200);
  const task = await alice.json<{ id: string }>("/api/v1/tasks", post({ title: "Add a due date column (rejection demo)" }));
  expect(task.status).toBe(201);
  a.taskId = task.body.id;
  for (const deadline = Date.now() + 60_000; !a.approvalId; ) {
    const list = await alice.json<{ id: string; taskId: string }[]>("/api/v1/approvals?status=pending");
    a.approvalId = list.body.find((x) => x.taskId === a.taskId)?.id ?? "";
    if (Date.now() > deadline) throw new Error("no approval appeared");
    if (!a.approvalId) await new Promise((r) => setTimeout(r, 100));
  }
  const repo = await alice.json<{ id: string; webhookSecret: string }>("/api/v1/repositories", post({ name: "octo", githubFullName: "octo/todo-api" }));
  expect(repo.status).toBe(201);
  a.repositoryId = repo.body.id;
  a.webhookSecret = repo.body.webhookSecret;
  const key = await alice.json<KeyJson>("/api/v1/api-keys", post({ name: "CI" }));
  expect(key.status).toBe(201);
  a.keyId = key.body.id;
  const jira = await alice.json<{ id: string }>("/api/v1/integrations/jira", {
    method: "PUT",
    body: JSON.stringify({ siteUrl: "https://a-team.atlassian.net", accountEmail: "a@example.test", apiToken: "a-token", projectKeys: ["AAA"], trigger: { kind: "label", label: "squad" } }),
  });
  expect(jira.status).toBe(201);
  a.jiraConnectionId = jira.body.id;
  const github = await alice.json<{ id: string }>(
    "/api/v1/integrations/github/connections",
    post({ kind: "token", repositoryFullName: "octo/todo-api", token: "github_pat_a_0123456789abcdefghij" }),
  );
  expect(github.status).toBe(201);
  aGithubConnectionId = github.body.id;
  const doc = await alice.json<{ id: string }>("/api/v1/knowledge/documents", post({ title: "A's style guide", content: "# Style\n\nSnake case." }));
  expect(doc.status).toBe(201);
  a.documentId = doc.body.id;
  const endpoint = await alice.json<{ id: string }>("/api/v1/webhook-endpoints", post({ url: "https://a-hooks.example.test/in", eventTypes: ["task.completed"] }));
  expect(endpoint.status).toBe(201);
  a.webhookEndpointId = endpoint.body.id;
  const mcpServer = await alice.json<{ id: string }>(`/api/v1/squads/${a.squadId}/mcp-servers`, post({ name: "a-tools", transport: "http", url: "https://a-mcp.example.test/mcp", headers: { Authorization: "Bearer a-mcp-secret" }, check: false }));
  expect(mcpServer.status).toBe(201);
  a.mcpServerId = mcpServer.body.id;
}, 180_000);

afterAll(async () => {
  await sql?.end();
  await stack?.stop();
});

/** Every method each `/api/v1` route file exports (the OpenAPI document is public: skipped). */
function v1Operations(): string[] {
  const dir = path.join(process.cwd(), "app", "api", "v1");
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /(^|\/)route\.ts$/.test(f) && !f.startsWith("openapi.json"))
    .flatMap((f) => {
      const source = readFileSync(path.join(dir, f), "utf8");
      const methods = [...source.matchAll(/export (?:const|async function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]);
      return methods.map((m) => `${m} /api/v1/${path.dirname(f)}`);
    })
    .sort();
}

describe("organization B cannot reach organization A", () => {
  /** What B sends, per operation, aimed at A's resources: a 404, or a success that shows none of A's data. */
  /** `"409"`: refused whoever asks (billing routes with billing off), leaking nothing. */
  const cases = (): [string, string, RequestInit | undefined, "404" | "no-leak" | "409"][] => [
    ["GET /api/v1/tasks", "/api/v1/tasks", undefined, "no-leak"],
    ["POST /api/v1/tasks", "/api/v1/tasks", post({ title: "B's task", squadId: a.squadId }), "404"],
    ["GET /api/v1/tasks/[id]", `/api/v1/tasks/${a.taskId}`, undefined, "404"],
    ["GET /api/v1/tasks/[id]/events", `/api/v1/tasks/${a.taskId}/events`, undefined, "404"],
    ["POST /api/v1/tasks/[id]/cancel", `/api/v1/tasks/${a.taskId}/cancel`, post(), "404"],
    ["POST /api/v1/tasks/[id]/retry", `/api/v1/tasks/${a.taskId}/retry`, post(), "404"],
    ["GET /api/v1/approvals", "/api/v1/approvals", undefined, "no-leak"],
    ["GET /api/v1/approvals/[id]", `/api/v1/approvals/${a.approvalId}`, undefined, "404"],
    ["POST /api/v1/approvals/[id]/decision", `/api/v1/approvals/${a.approvalId}/decision`, post({ decision: "approve" }), "404"],
    ["GET /api/v1/squads", "/api/v1/squads", undefined, "no-leak"],
    ["GET /api/v1/squads/[id]", `/api/v1/squads/${a.squadId}`, undefined, "404"],
    ["PATCH /api/v1/squads/[id]", `/api/v1/squads/${a.squadId}`, { method: "PATCH", body: JSON.stringify({ autonomy: "autonomous" }) }, "404"],
    ["GET /api/v1/agents", `/api/v1/agents?squadId=${a.squadId}`, undefined, "404"],
    ["GET /api/v1/repositories", "/api/v1/repositories", undefined, "no-leak"],
    ["POST /api/v1/repositories", "/api/v1/repositories", post({ name: "x", githubFullName: "octo/x" }), "no-leak"],
    ["PATCH /api/v1/repositories/[id]", `/api/v1/repositories/${a.repositoryId}`, { method: "PATCH", body: JSON.stringify({ testCommand: "rm -rf /" }) }, "404"],
    ["DELETE /api/v1/repositories/[id]", `/api/v1/repositories/${a.repositoryId}`, { method: "DELETE" }, "404"],
    ["POST /api/v1/repositories/[id]/webhook-secret", `/api/v1/repositories/${a.repositoryId}/webhook-secret`, post(), "404"],
    ["GET /api/v1/repositories/[id]/index", `/api/v1/repositories/${a.repositoryId}/index`, undefined, "404"],
    ["POST /api/v1/repositories/[id]/index", `/api/v1/repositories/${a.repositoryId}/index`, post(), "404"],
    ["POST /api/v1/squads", "/api/v1/squads", post({ name: "B's squad", repositoryId: a.repositoryId }), "404"],
    ["GET /api/v1/usage", "/api/v1/usage", undefined, "no-leak"],
    ["GET /api/v1/api-keys", "/api/v1/api-keys", undefined, "no-leak"],
    ["POST /api/v1/api-keys", "/api/v1/api-keys", post({ name: "B's key" }), "no-leak"],
    ["DELETE /api/v1/api-keys/[id]", `/api/v1/api-keys/${a.keyId}`, { method: "DELETE" }, "404"],
    ["GET /api/v1/audit-events", "/api/v1/audit-events", undefined, "no-leak"],
    ["GET /api/v1/mail-outbox", "/api/v1/mail-outbox", undefined, "no-leak"],
    // B has no Jira connection: null, never A's; then B connects and disconnects its own.
    ["GET /api/v1/integrations/jira", "/api/v1/integrations/jira", undefined, "no-leak"],
    ["PUT /api/v1/integrations/jira", "/api/v1/integrations/jira", { method: "PUT", body: JSON.stringify({ siteUrl: "https://b-team.invalid", accountEmail: "b@example.test", apiToken: "b-token", projectKeys: ["AAA"], trigger: { kind: "label", label: "squad" }, projectRepositories: [] }) }, "no-leak"],
    ["POST /api/v1/integrations/jira/test", "/api/v1/integrations/jira/test", post(), "no-leak"],
    ["DELETE /api/v1/integrations/jira", "/api/v1/integrations/jira", { method: "DELETE" }, "no-leak"],
    // Billing acts on the caller's own organization only (no id to aim at A); without Stripe it is off.
    ["GET /api/v1/billing", "/api/v1/billing", undefined, "no-leak"],
    ["POST /api/v1/billing/checkout", "/api/v1/billing/checkout", post({ plan: "team" }), "409"],
    ["POST /api/v1/billing/portal", "/api/v1/billing/portal", post(), "409"],
    // Knowledge: lessons and documents are the caller's organization's only (ids unknown to B are a 404).
    ["GET /api/v1/lessons", "/api/v1/lessons", undefined, "no-leak"],
    ["GET /api/v1/lessons/[id]", `/api/v1/lessons/${a.lessonId}`, undefined, "404"],
    ["PATCH /api/v1/lessons/[id]", `/api/v1/lessons/${a.lessonId}`, { method: "PATCH", body: JSON.stringify({ statement: "Changed by B." }) }, "404"],
    ["DELETE /api/v1/lessons/[id]", `/api/v1/lessons/${a.lessonId}`, { method: "DELETE" }, "404"],
    ["GET /api/v1/knowledge/documents", "/api/v1/knowledge/documents", undefined, "no-leak"],
    ["POST /api/v1/knowledge/documents", "/api/v1/knowledge/documents", post({ title: "B's guide", content: "# B" }), "no-leak"],
    ["DELETE /api/v1/knowledge/documents/[id]", `/api/v1/knowledge/documents/${a.documentId}`, { method: "DELETE" }, "404"],
    ["GET /api/v1/knowledge/search", `/api/v1/knowledge/search?q=snake&repositoryId=${a.repositoryId}`, undefined, "404"],
    // Outbound webhooks: B manages its own endpoints only.
    ["GET /api/v1/webhook-endpoints", "/api/v1/webhook-endpoints", undefined, "no-leak"],
    ["POST /api/v1/webhook-endpoints", "/api/v1/webhook-endpoints", post({ url: "https://b-hooks.example.test/in", eventTypes: ["task.completed"] }), "no-leak"],
    ["GET /api/v1/webhook-endpoints/[id]", `/api/v1/webhook-endpoints/${a.webhookEndpointId}`, undefined, "404"],
    ["PATCH /api/v1/webhook-endpoints/[id]", `/api/v1/webhook-endpoints/${a.webhookEndpointId}`, { method: "PATCH", body: JSON.stringify({ enabled: false }) }, "404"],
    ["DELETE /api/v1/webhook-endpoints/[id]", `/api/v1/webhook-endpoints/${a.webhookEndpointId}`, { method: "DELETE" }, "404"],
    ["POST /api/v1/webhook-endpoints/[id]/rotate-secret", `/api/v1/webhook-endpoints/${a.webhookEndpointId}/rotate-secret`, post(), "404"],
    ["GET /api/v1/webhook-endpoints/[id]/deliveries", `/api/v1/webhook-endpoints/${a.webhookEndpointId}/deliveries`, undefined, "404"],
    ["GET /api/v1/squads/[id]/mcp-servers", `/api/v1/squads/${a.squadId}/mcp-servers`, undefined, "404"],
    ["POST /api/v1/squads/[id]/mcp-servers", `/api/v1/squads/${a.squadId}/mcp-servers`, post({ name: "b-tools", transport: "http", url: "https://b-mcp.example.test/mcp", check: false }), "404"],
    ["GET /api/v1/squads/[id]/mcp-servers/[serverId]", `/api/v1/squads/${a.squadId}/mcp-servers/${a.mcpServerId}`, undefined, "404"],
    ["PATCH /api/v1/squads/[id]/mcp-servers/[serverId]", `/api/v1/squads/${a.squadId}/mcp-servers/${a.mcpServerId}`, { method: "PATCH", body: JSON.stringify({ enabled: false }) }, "404"],
    ["DELETE /api/v1/squads/[id]/mcp-servers/[serverId]", `/api/v1/squads/${a.squadId}/mcp-servers/${a.mcpServerId}`, { method: "DELETE" }, "404"],
    ["POST /api/v1/webhook-endpoints/[id]/deliveries/[deliveryId]/resend", `/api/v1/webhook-endpoints/${a.webhookEndpointId}/deliveries/${randomUUID()}/resend`, post(), "404"],
    // GitHub: B sees only its own integration, cannot delete A's connection, saves its own.
    ["GET /api/v1/integrations/github", "/api/v1/integrations/github", undefined, "no-leak"],
    ["DELETE /api/v1/integrations/github/connections/[id]", `/api/v1/integrations/github/connections/${aGithubConnectionId}`, { method: "DELETE" }, "404"],
    ["POST /api/v1/integrations/github/connections", "/api/v1/integrations/github/connections", post({ kind: "token", repositoryFullName: "octo/todo-api", token: "github_pat_b_0123456789abcdefghij" }), "no-leak"],
  ];

  test("every /api/v1 operation has an isolation case", () => {
    expect(cases().map((c) => c[0]).sort()).toEqual(v1Operations());
  });

  test("each operation answers B with 404 for A's resources, or with B's own data only", async () => {
    const aIds = () => [a.organizationId, a.taskId, a.approvalId, a.squadId, a.repositoryId, a.keyId, a.jiraConnectionId, a.documentId, a.webhookEndpointId, a.mcpServerId];
    for (const [op, pathname, init, expected] of cases()) {
      const res = await bob.fetch(pathname, init);
      const sse = res.headers.get("content-type")?.includes("event-stream");
      const text = sse ? "" : await res.text();
      if (sse) await res.body?.cancel();
      if (expected === "404") {
        expect({ op, status: res.status }).toEqual({ op, status: 404 });
        expect(JSON.parse(text)).toMatchObject({ error: { code: "not_found" } });
      } else if (expected === "409") {
        expect({ op, status: res.status }).toEqual({ op, status: 409 });
        expect(JSON.parse(text)).toMatchObject({ error: { code: "conflict" } });
      } else {
        expect({ op, status: res.status < 300 }).toEqual({ op, status: true });
      }
      for (const id of aIds()) expect({ op, leaked: text.includes(id) }).toEqual({ op, leaked: false });
    }
    // Nothing of A changed.
    const task = await alice.json<TaskDetailJson>(`/api/v1/tasks/${a.taskId}`);
    expect(task.body.status).toBe("awaiting_approval");
    const squad = await alice.json<{ autonomy: string }>(`/api/v1/squads/${a.squadId}`);
    expect(squad.body.autonomy).toBe("supervised");
    expect((await alice.json<KeyJson[]>("/api/v1/api-keys")).body.map((k) => k.id)).toContain(a.keyId);
    expect((await alice.json<{ id: string }>("/api/v1/integrations/jira")).body.id).toBe(a.jiraConnectionId);
    expect((await alice.json<{ enabled: boolean }>(`/api/v1/webhook-endpoints/${a.webhookEndpointId}`)).body.enabled).toBe(true);
    expect((await alice.json<{ enabled: boolean }>(`/api/v1/squads/${a.squadId}/mcp-servers/${a.mcpServerId}`)).body.enabled).toBe(true);
  });

  test("GitHub connections: B's view and B's own token never show A's connection, A's token stays A's", async () => {
    const view = await bob.fetch("/api/v1/integrations/github");
    expect(await view.text()).not.toContain(aGithubConnectionId);
    const mine = await alice.json<{ connections: { id: string; repositoryFullName: string }[] }>("/api/v1/integrations/github");
    expect(mine.body.connections.map((c) => c.id)).toEqual([aGithubConnectionId]);
    const [stored] = await sql`select token_encrypted from github_connections where id = ${aGithubConnectionId}`;
    expect(stored.token_encrypted).toMatch(/^\$ba\$\d+\$[0-9a-f]+$/);
    expect(JSON.stringify(mine.body)).not.toContain("github_pat_a_");
  });

  test("knowledge search: B's search never returns A's document text, whatever the mode", async () => {
    type SearchJson = { items: { sourceId: string; text: string; citation: string }[] };
    // A finds its own style guide (so B's empty answer means something).
    const mine = await alice.json<SearchJson>("/api/v1/knowledge/search?q=snake%20case&mode=fulltext");
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((r) => r.sourceId)).toContain(a.documentId);
    for (const mode of ["hybrid", "fulltext", "vector"]) {
      const res = await bob.fetch(`/api/v1/knowledge/search?q=snake%20case%20style&mode=${mode}&limit=50`);
      expect({ mode, status: res.status }).toEqual({ mode, status: 200 });
      const text = await res.text();
      const body = JSON.parse(text) as SearchJson;
      expect({ mode, leaked: body.items.some((r) => r.sourceId === a.documentId || r.text.includes("Snake case")) }).toEqual({ mode, leaked: false });
      for (const id of [a.organizationId, a.documentId, a.repositoryId]) expect({ mode, leaked: text.includes(id) }).toEqual({ mode, leaked: false });
    }
  });

  test("a webhook signed with B's secret for A's repository is refused and creates nothing", async () => {
    const bRepo = await bob.json<{ id: string; webhookSecret: string }>("/api/v1/repositories", post({ name: "bee", githubFullName: "bee/hive" }));
    const body = JSON.stringify({ action: "opened", issue: { number: 1, title: "B's issue", body: "" }, repository: { full_name: "octo/todo-api" } });
    const before = (await alice.json<{ items: unknown[] }>("/api/v1/tasks?limit=100")).body.items.length;
    const res = await fetch(`${stack.url}/api/webhooks/github/${a.repositoryId}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": `sha256=${createHmac("sha256", bRepo.body.webhookSecret).update(body).digest("hex")}`,
      },
      body,
    });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain(a.organizationId);
    expect((await alice.json<{ items: unknown[] }>("/api/v1/tasks?limit=100")).body.items.length).toBe(before);
  });
});

describe("roles", () => {
  test("a viewer reads but every mutation is 403 and changes nothing", async () => {
    const vera = await joinA("Vera", "viewer");
    expect((await vera.json<{ items: { id: string }[] }>("/api/v1/tasks")).body.items.map((t) => t.id)).toContain(a.taskId);
    expect((await vera.fetch(`/api/v1/tasks/${a.taskId}`)).status).toBe(200);
    const mutations: [string, RequestInit][] = [
      ["/api/v1/tasks", post({ title: "Viewer's task" })],
      [`/api/v1/tasks/${a.taskId}/cancel`, post()],
      [`/api/v1/tasks/${a.taskId}/retry`, post()],
      [`/api/v1/approvals/${a.approvalId}/decision`, post({ decision: "approve" })],
      [`/api/v1/squads/${a.squadId}`, { method: "PATCH", body: JSON.stringify({ autonomy: "autonomous" }) }],
      ["/api/v1/repositories", post({ name: "v", githubFullName: "v/v" })],
      ["/api/v1/api-keys", post({ name: "viewer key" })],
      [`/api/v1/api-keys/${a.keyId}`, { method: "DELETE" }],
    ];
    for (const [pathname, init] of mutations) {
      const res = await vera.json<ErrorJson>(pathname, init);
      expect({ pathname, status: res.status }).toEqual({ pathname, status: 403 });
      expect(res.body.error.code).toBe("forbidden");
      expect(res.body.error.message).toMatch(/viewer/);
    }
    expect((await alice.json<TaskDetailJson>(`/api/v1/tasks/${a.taskId}`)).body.status).toBe("awaiting_approval");
    expect((await alice.json<{ autonomy: string }>(`/api/v1/squads/${a.squadId}`)).body.autonomy).toBe("supervised");
  });

  test("a member works on tasks but cannot manage keys, squads' policy or read the audit log", async () => {
    const mia = await joinA("Mia", "member");
    expect((await mia.json("/api/v1/api-keys", post({ name: "mine" }))).status).toBe(403);
    expect((await mia.json(`/api/v1/squads/${a.squadId}`, { method: "PATCH", body: JSON.stringify({ autonomy: "autonomous" }) })).status).toBe(403);
    expect((await mia.json("/api/v1/audit-events")).status).toBe(403);
    const created = await mia.json<{ id: string }>("/api/v1/tasks", post({ title: "Member's task" }));
    expect(created.status).toBe(201);
  });
});

describe("API keys", () => {
  test("a key is shown once, hashed at rest, works as a Bearer token and records its last use", async () => {
    const created = await alice.json<KeyJson>("/api/v1/api-keys", post({ name: "Deploy bot", permissions: { task: ["read", "create"] } }));
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^sq_/);
    expect(created.body.permissions).toEqual({ task: ["read", "create"] });
    const [row] = await sql<{ key: string }[]>`select key from apikey where id = ${created.body.id}`;
    expect(row.key).not.toContain(created.body.key);
    const listed = await alice.json<KeyJson[]>("/api/v1/api-keys");
    const entry = listed.body.find((k) => k.id === created.body.id);
    expect(entry).toMatchObject({ name: "Deploy bot", lastUsedAt: null, start: created.body.key.slice(0, 6) });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    const bot = withKey(created.body.key);
    const list = await bot.json<{ items: { id: string }[] }>("/api/v1/tasks");
    expect(list.status).toBe(200);
    expect(list.body.items.map((t) => t.id)).toContain(a.taskId);
    const task = await bot.json<{ id: string; source: string }>("/api/v1/tasks", post({ title: "From CI" }));
    expect(task.status).toBe(201);
    expect(task.body.source).toBe("api");
    // Its permissions hold: no approvals, no squads.
    const denied = await bot.json<ErrorJson>(`/api/v1/approvals/${a.approvalId}/decision`, post({ decision: "approve" }));
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/approval:decide/);
    expect((await bot.fetch("/api/v1/squads")).status).toBe(403);
    const used = (await alice.json<KeyJson[]>("/api/v1/api-keys")).body.find((k) => k.id === created.body.id);
    expect(used?.lastUsedAt).not.toBeNull();
  });

  test("a key cannot grant more than the caller holds, and unknown permissions are a 422", async () => {
    const minter = await alice.json<KeyJson>("/api/v1/api-keys", post({ name: "Minter", permissions: { apiKey: ["create"], task: ["read"] } }));
    expect(minter.status).toBe(201);
    const wider = await withKey(minter.body.key).json<ErrorJson>("/api/v1/api-keys", post({ name: "Wider", permissions: { task: ["create"] } }));
    expect(wider.status).toBe(403);
    expect(wider.body.error.message).toMatch(/permissions you do not have/);
    const same = await withKey(minter.body.key).json<KeyJson>("/api/v1/api-keys", post({ name: "Same", permissions: { task: ["read"] } }));
    expect(same.status).toBe(201);
    const bad = await alice.json<ErrorJson>("/api/v1/api-keys", post({ name: "x", permissions: { task: ["explode"] } }));
    expect(bad.status).toBe(422);
    const unknown = await alice.json<ErrorJson>("/api/v1/api-keys", post({ name: "x", permissions: { organization: ["delete"] } }));
    expect(unknown.status).toBe(422);
    expect((await alice.json<ErrorJson>("/api/v1/api-keys", post({ name: "" }))).status).toBe(422);
  });

  test("a revoked key is refused; garbage and missing credentials are 401", async () => {
    const created = await alice.json<KeyJson>("/api/v1/api-keys", post({ name: "Short-lived" }));
    const key = withKey(created.body.key);
    expect((await key.fetch("/api/v1/tasks")).status).toBe(200);
    expect((await alice.fetch(`/api/v1/api-keys/${created.body.id}`, { method: "DELETE" })).status).toBe(204);
    const refused = await key.json<ErrorJson>("/api/v1/tasks");
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe("unauthorized");
    expect((await alice.fetch(`/api/v1/api-keys/${created.body.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await withKey("sq_not-a-key").fetch("/api/v1/tasks")).status).toBe(401);
    expect((await fetch(`${stack.url}/api/v1/tasks`)).status).toBe(401);
    const audit = await alice.json<{ items: { action: string; targetId: string | null }[] }>("/api/v1/audit-events?limit=100");
    const actions = audit.body.items.filter((e) => e.targetId === created.body.id).map((e) => e.action).sort();
    expect(actions).toEqual(["api_key.created", "api_key.revoked"]);
  });

  test("a key stops working when its creator leaves the organization", async () => {
    const ada = await joinA("Ada", "admin");
    const created = await ada.json<KeyJson>("/api/v1/api-keys", post({ name: "Ada's key" }));
    expect(created.status).toBe(201);
    const key = withKey(created.body.key);
    expect((await key.fetch("/api/v1/tasks")).status).toBe(200);
    await sql`delete from member where organization_id = ${a.organizationId} and user_id = ${await userId(ada)}`;
    expect((await key.fetch("/api/v1/tasks")).status).toBe(401);
  });
});

describe("tasks and squads take the organization's own repository and squad", () => {
  test("another organization's repositoryId or squadId is a 404 in the error shape, and nothing is stored", async () => {
    const before = (await bob.json<{ items: unknown[] }>("/api/v1/tasks?limit=100")).body.items.length;
    const foreignRepo = await bob.json<ErrorJson>("/api/v1/tasks", post({ title: "Into A's repository", repositoryId: a.repositoryId }));
    expect(foreignRepo.status).toBe(404);
    expect(foreignRepo.body.error).toMatchObject({ code: "not_found", message: "Repository not found" });
    const foreignSquad = await bob.json<ErrorJson>("/api/v1/tasks", post({ title: "For A's squad", squadId: a.squadId }));
    expect(foreignSquad.status).toBe(404);
    expect(foreignSquad.body.error.code).toBe("not_found");
    expect((await bob.json<{ items: unknown[] }>("/api/v1/tasks?limit=100")).body.items.length).toBe(before);

    const bobSquad = (await bob.json<{ id: string; repositoryId: string | null }[]>("/api/v1/squads")).body[0];
    const bind = await bob.json<ErrorJson>(`/api/v1/squads/${bobSquad.id}`, { method: "PATCH", body: JSON.stringify({ repositoryId: a.repositoryId }) });
    expect(bind.status).toBe(404);
    expect(bind.body.error).toMatchObject({ code: "not_found", message: "Repository not found" });
    expect((await bob.json<{ repositoryId: string | null }>(`/api/v1/squads/${bobSquad.id}`)).body.repositoryId).toBe(bobSquad.repositoryId);
    const malformed = await bob.json<ErrorJson>("/api/v1/tasks", post({ title: "x", repositoryId: "not-a-uuid", budgetUsdMicros: -1 }));
    expect(malformed.status).toBe(422);
    expect(malformed.body.error.message).toMatch(/repositoryId/);
  });

  test("a task runs on the chosen repository and squad with its own budget; a squad can be bound to a repository and renamed", async () => {
    const squad = (await alice.json<{ id: string; repositoryId: string | null }[]>("/api/v1/squads")).body[0];
    const created = await alice.json<{ id: string; repositoryId: string; squadId: string }>(
      "/api/v1/tasks",
      post({ title: "Work on octo", repositoryId: a.repositoryId, squadId: squad.id, budgetUsdMicros: 1_500_000 }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ repositoryId: a.repositoryId, squadId: squad.id });
    const detail = await alice.json<{ budget: { budgetUsdMicros: number | null } }>(`/api/v1/tasks/${created.body.id}`);
    expect(detail.body.budget.budgetUsdMicros).toBe(1_500_000);
    await alice.json(`/api/v1/tasks/${created.body.id}/cancel`, post());

    const bound = await alice.json<{ repositoryId: string; name: string }>(`/api/v1/squads/${squad.id}`, {
      method: "PATCH",
      body: JSON.stringify({ repositoryId: a.repositoryId, name: "Octo squad" }),
    });
    expect(bound.status).toBe(200);
    expect(bound.body).toMatchObject({ repositoryId: a.repositoryId, name: "Octo squad" });
    const audit = await alice.json<{ items: { action: string; data: { after?: { repositoryId?: string } } }[] }>("/api/v1/audit-events?limit=5");
    expect(audit.body.items.find((e) => e.action === "squad.updated")?.data.after?.repositoryId).toBe(a.repositoryId);
    // A task without repositoryId now defaults to the squad's repository.
    const defaulted = await alice.json<{ id: string; repositoryId: string }>("/api/v1/tasks", post({ title: "Default repository" }));
    expect(defaulted.body.repositoryId).toBe(a.repositoryId);
    await alice.json(`/api/v1/tasks/${defaulted.body.id}/cancel`, post());
    // Restore, so the other suites in this file see the squad as it was.
    expect((await alice.json(`/api/v1/squads/${squad.id}`, { method: "PATCH", body: JSON.stringify({ repositoryId: squad.repositoryId }) })).status).toBe(200);
  });
});

describe("repositories and squads are managed through the API, audited", () => {
  test("edit the test command, rotate the webhook secret, create a squad bound to it, delete it; bad input is a 422", async () => {
    const owner = await stack.signUp("Rita");
    const created = await owner.json<{ id: string; webhookSecret: string }>("/api/v1/repositories", post({ name: "todo", githubFullName: "octo/todo" }));
    expect(created.status).toBe(201);
    const id = created.body.id;
    const patched = await owner.json<{ testCommand: string; name: string }>(`/api/v1/repositories/${id}`, {
      method: "PATCH",
      body: JSON.stringify({ testCommand: "npm run test:ci" }),
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ testCommand: "npm run test:ci", name: "todo" });
    const empty = await owner.json<ErrorJson>(`/api/v1/repositories/${id}`, { method: "PATCH", body: JSON.stringify({ testCommand: " " }) });
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toMatch(/Test command is required/);

    const rotated = await owner.json<{ webhookSecret: string }>(`/api/v1/repositories/${id}/webhook-secret`, post());
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhookSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.body.webhookSecret).not.toBe(created.body.webhookSecret);
    // The old secret no longer signs a valid delivery; the new one does.
    const payload = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1 });
    const deliver = (secret: string) =>
      fetch(`${stack.url}/api/webhooks/github/${id}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "ping",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(payload).digest("hex")}`,
        },
        body: payload,
      });
    expect((await deliver(created.body.webhookSecret)).status).toBe(401);
    expect((await deliver(rotated.body.webhookSecret)).status).toBeLessThan(300);

    const squad = await owner.json<{ id: string; repositoryId: string; agents: { role: string }[] }>("/api/v1/squads", post({ name: "Todo squad", repositoryId: id }));
    expect(squad.status).toBe(201);
    expect(squad.body.repositoryId).toBe(id);
    expect(squad.body.agents.map((x) => x.role)).toEqual(expect.arrayContaining(["product_manager", "developer", "qa_engineer", "tech_lead"]));
    expect((await owner.json<ErrorJson>("/api/v1/squads", post({ name: "" }))).status).toBe(422);

    expect((await owner.fetch(`/api/v1/repositories/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await owner.fetch(`/api/v1/repositories/${id}`, { method: "DELETE" })).status).toBe(404);
    expect((await owner.json<{ repositoryId: string | null }>(`/api/v1/squads/${squad.body.id}`)).body.repositoryId).toBeNull();
    const audit = await owner.json<{ items: { action: string; targetId: string | null; data: Record<string, unknown> }[] }>("/api/v1/audit-events?limit=20");
    const actions = audit.body.items.filter((e) => e.targetId === id || e.targetId === squad.body.id).map((e) => e.action);
    expect(actions).toEqual(["repository.deleted", "squad.created", "repository.webhook_secret_rotated", "repository.updated", "repository.created"]);
    expect(JSON.stringify(audit.body)).not.toContain(rotated.body.webhookSecret);
  });

  test("a member adds repositories but cannot change, rotate or delete them, nor create squads", async () => {
    const mia = await joinA("Mina", "member");
    for (const [pathname, init] of [
      [`/api/v1/repositories/${a.repositoryId}`, { method: "PATCH", body: JSON.stringify({ testCommand: "true" }) }],
      [`/api/v1/repositories/${a.repositoryId}`, { method: "DELETE" }],
      [`/api/v1/repositories/${a.repositoryId}/webhook-secret`, post()],
      ["/api/v1/squads", post({ name: "Mina's squad" })],
    ] as const) {
      expect({ pathname, status: (await mia.fetch(pathname, init)).status }).toEqual({ pathname, status: 403 });
    }
  });
});

describe("tasks API", () => {
  test("pages by cursor without gaps or repeats, and filters by status and source", async () => {
    const owner = await stack.signUp("Pat");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await owner.json<{ id: string }>("/api/v1/tasks", post({ title: `Page task ${i}` }))).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await owner.json(
        `/api/v1/tasks?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((t) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const web = await owner.json<{ items: { source: string }[] }>("/api/v1/tasks?source=web,api");
    expect(web.body.items.length).toBe(5);
    expect((await owner.json<{ items: unknown[] }>("/api/v1/tasks?source=github")).body.items).toEqual([]);
    const bad = await owner.json<ErrorJson>("/api/v1/tasks?status=sleeping&limit=0");
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/status/);
    expect(bad.body.error.message).toMatch(/limit/);
    expect((await owner.json<ErrorJson>("/api/v1/tasks?cursor=bm90LWEtdXVpZA")).status).toBe(422);
  });

  test("cancelling a waiting task ends it cancelled, expires its approval and stops its run; a finished task is a 409", async () => {
    const cancelled = await alice.json<{ status: string; error: string }>(`/api/v1/tasks/${a.taskId}/cancel`, post({ reason: "Wrong repo" }));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", error: "Cancelled by Alice: Wrong repo" });
    expect((await alice.json(`/api/v1/tasks/${a.taskId}/cancel`, post())).status).toBe(200);
    const approval = await alice.json<{ status: string }>(`/api/v1/approvals/${a.approvalId}`);
    expect(approval.body.status).toBe("expired");
    // The run is cancelled by `cancelOn`, not left waiting for the approval.
    const executor = process.env.INNGEST_DEV;
    let runStatus = "";
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      const runs = (await (await fetch(`${executor}/runs?limit=200`, { headers: { accept: "application/json" } })).json()) as {
        runs: { status: string; event?: { data?: { taskId?: string } }; eventData?: { taskId?: string } }[];
      };
      const mine = runs.runs.find((r) => JSON.stringify(r).includes(a.taskId) && JSON.stringify(r).includes("task-workflow"));
      runStatus = mine?.status ?? "";
      if (/cancel/i.test(runStatus)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(runStatus).toMatch(/cancel/i);

    expect((await alice.json<{ outcome: string | null }>(`/api/v1/tasks/${a.taskId}`)).body.outcome).toBe("cancelled");

    const done = await alice.json<{ id: string; outcome: string | null }>("/api/v1/tasks", post({ title: "Something quick" }));
    expect(done.body.outcome).toBeNull();
    const finished = await stack.waitForTask(alice, done.body.id);
    expect(finished.status).toBe("completed");
    const conflict = await alice.json<ErrorJson>(`/api/v1/tasks/${done.body.id}/cancel`, post());
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toMatch(/already completed/);
  });

  test("a task's outcome tells delivered, no changes, rejected and cancelled apart, and ?outcome= filters by it", async () => {
    const owner = await stack.signUp("Olga");
    const squad = (await owner.json<{ id: string }[]>("/api/v1/squads")).body[0];
    // The offline squad writes the endpoint (a patch) for this one, and changes nothing for the next.
    const delivered = await owner.json<{ id: string }>("/api/v1/tasks", post({ title: "Add a DELETE /todos/:id endpoint" }));
    const shipped = await stack.waitForTask(owner, delivered.body.id);
    expect(shipped.status).toBe("completed");
    expect(shipped.artifacts.some((x) => x.kind === "patch")).toBe(true);
    expect((await owner.json<{ outcome: string }>(`/api/v1/tasks/${delivered.body.id}`)).body.outcome).toBe("delivered");
    const unchanged = await owner.json<{ id: string }>("/api/v1/tasks", post({ title: "Add a health endpoint" }));
    const idle = await stack.waitForTask(owner, unchanged.body.id);
    expect(idle.status).toBe("completed");
    expect(idle.artifacts.some((x) => x.kind === "patch")).toBe(false);
    expect((await owner.json<{ outcome: string }>(`/api/v1/tasks/${unchanged.body.id}`)).body.outcome).toBe("no_changes");

    // A supervised squad asks before delivering; rejecting that approval ends the task `rejected`.
    expect((await owner.json(`/api/v1/squads/${squad.id}`, { method: "PATCH", body: JSON.stringify({ autonomy: "supervised" }) })).status).toBe(200);
    const refused = await owner.json<{ id: string }>("/api/v1/tasks", post({ title: "Add a due date column (rejection demo)" }));
    let approvalId = "";
    for (const deadline = Date.now() + 60_000; !approvalId && Date.now() < deadline; ) {
      const pending = await owner.json<{ id: string; taskId: string }[]>("/api/v1/approvals?status=pending");
      approvalId = pending.body.find((x) => x.taskId === refused.body.id)?.id ?? "";
      if (!approvalId) await new Promise((r) => setTimeout(r, 100));
    }
    expect(approvalId).not.toBe("");
    expect((await owner.json(`/api/v1/approvals/${approvalId}/decision`, post({ decision: "reject", comment: "Not now" }))).status).toBe(200);
    expect((await stack.waitForTask(owner, refused.body.id)).status).toBe("cancelled");
    expect((await owner.json<{ outcome: string }>(`/api/v1/tasks/${refused.body.id}`)).body.outcome).toBe("rejected");

    const ids = async (q: string) => (await owner.json<{ items: { id: string }[] }>(`/api/v1/tasks?${q}`)).body.items.map((t) => t.id);
    expect(await ids("outcome=delivered")).toEqual([delivered.body.id]);
    expect(await ids("outcome=rejected,cancelled")).toEqual([refused.body.id]);
    expect(await ids("outcome=no_changes")).toEqual([unchanged.body.id]);
    expect(await ids("outcome=failed")).toEqual([]);
    const bad = await owner.json<ErrorJson>("/api/v1/tasks?outcome=shipped");
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/outcome must be one of: delivered, no_changes, failed, cancelled, rejected/);
  });

  test("usage reports the organization's model calls in a period; a bad period is a 422", async () => {
    const usage = await alice.json<{ totals: { calls: number; costUsdMicros: number }; byRole: { role: string }[]; byDay: { day: string }[] }>("/api/v1/usage");
    expect(usage.status).toBe(200);
    expect(usage.body.totals.calls).toBeGreaterThan(0);
    expect(usage.body.byRole.map((r) => r.role)).toContain("product_manager");
    expect(usage.body.byDay).toHaveLength(1);
    const empty = await alice.json<{ totals: { calls: number } }>("/api/v1/usage?from=2020-01-01&to=2020-02-01");
    expect(empty.body.totals.calls).toBe(0);
    expect((await alice.json("/api/v1/usage?from=2021-01-01&to=2020-01-01")).status).toBe(422);
    expect((await alice.json("/api/v1/usage?from=yesterday")).status).toBe(422);
  });
});

describe("cross-site requests", () => {
  test("a cookie-authenticated mutation from another origin is a 403 and changes nothing; same origin, no origin and API keys pass", async () => {
    // Plain fetch with Alice's cookie: the stack's client always names the app's origin.
    const raw = (pathname: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
      fetch(`${stack.url}${pathname}`, { ...init, headers: { cookie: alice.cookie, "content-type": "application/json", ...init.headers } });
    const count = async () => (await alice.json<{ items: unknown[] }>("/api/v1/tasks?limit=100")).body.items.length;
    const before = await count();
    const forged: Record<string, string>[] = [{ origin: "https://evil.example" }, { origin: "null" }, { "sec-fetch-site": "cross-site" }];
    for (const headers of forged) {
      const res = await raw("/api/v1/tasks", { method: "POST", body: JSON.stringify({ title: "forged" }), headers });
      expect({ headers, status: res.status }).toEqual({ headers, status: 403 });
      expect(((await res.json()) as ErrorJson).error.message).toMatch(/Cross-site request refused/);
    }
    // Reads are not refused (nothing changes), whatever the origin.
    expect((await raw("/api/v1/tasks", { headers: { origin: "https://evil.example" } })).status).toBe(200);
    expect(await count()).toBe(before);
    // The app's own origin, and a client that names none (a script holding the cookie), pass.
    expect((await raw("/api/v1/tasks", { method: "POST", body: JSON.stringify({ title: "Same-origin task" }), headers: { origin: new URL(stack.url).origin, "sec-fetch-site": "same-origin" } })).status).toBe(201);
    expect((await raw("/api/v1/tasks", { method: "POST", body: JSON.stringify({ title: "Script task" }) })).status).toBe(201);
    // An API key is not ambient authority: a key holder's request is theirs whatever origin it names.
    const key = await alice.json<KeyJson>("/api/v1/api-keys", post({ name: "cross-site check" }));
    const viaKey = await fetch(`${stack.url}/api/v1/tasks`, {
      method: "POST",
      body: JSON.stringify({ title: "Key task" }),
      headers: { authorization: `Bearer ${key.body.key}`, origin: "https://evil.example", "content-type": "application/json" },
    });
    expect(viaKey.status).toBe(201);
  });
});
