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
const a = { organizationId: "", taskId: "", approvalId: "", squadId: "", repositoryId: "", webhookSecret: "", keyId: "" };

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
  const cases = (): [string, string, RequestInit | undefined, "404" | "no-leak"][] => [
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
    ["GET /api/v1/usage", "/api/v1/usage", undefined, "no-leak"],
    ["GET /api/v1/api-keys", "/api/v1/api-keys", undefined, "no-leak"],
    ["POST /api/v1/api-keys", "/api/v1/api-keys", post({ name: "B's key" }), "no-leak"],
    ["DELETE /api/v1/api-keys/[id]", `/api/v1/api-keys/${a.keyId}`, { method: "DELETE" }, "404"],
    ["GET /api/v1/audit-events", "/api/v1/audit-events", undefined, "no-leak"],
    ["GET /api/v1/mail-outbox", "/api/v1/mail-outbox", undefined, "no-leak"],
  ];

  test("every /api/v1 operation has an isolation case", () => {
    expect(cases().map((c) => c[0]).sort()).toEqual(v1Operations());
  });

  test("each operation answers B with 404 for A's resources, or with B's own data only", async () => {
    const aIds = () => [a.organizationId, a.taskId, a.approvalId, a.squadId, a.repositoryId, a.keyId];
    for (const [op, pathname, init, expected] of cases()) {
      const res = await bob.fetch(pathname, init);
      const sse = res.headers.get("content-type")?.includes("event-stream");
      const text = sse ? "" : await res.text();
      if (sse) await res.body?.cancel();
      if (expected === "404") {
        expect({ op, status: res.status }).toEqual({ op, status: 404 });
        expect(JSON.parse(text)).toMatchObject({ error: { code: "not_found" } });
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

    const done = await alice.json<{ id: string }>("/api/v1/tasks", post({ title: "Something quick" }));
    const finished = await stack.waitForTask(alice, done.body.id);
    expect(finished.status).toBe("completed");
    const conflict = await alice.json<ErrorJson>(`/api/v1/tasks/${done.body.id}/cancel`, post());
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toMatch(/already completed/);
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
