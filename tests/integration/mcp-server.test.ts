import { Client as McpClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startStack, type Client, type Stack } from "../fixtures/stack";

/**
 * Squadron as an MCP server (`POST /api/mcp`, Streamable HTTP, stateless) driven by the MCP SDK's own
 * client on PGlite: an API key authenticates it like the REST API; each tool answers the REST JSON,
 * is refused (isError) when the key lacks its permission, and sees only its organization; the
 * offline model completes tasks, a human_required squad's approvals are decided through it, and the
 * timeline is a resource.
 */

type ToolResult = { content: { type: string; text?: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };
type TaskJson = { id: string; title: string; status: string; error?: string | null; source: string; squadId: string; subtasks?: unknown[]; artifacts?: { kind: string }[] };
type ApprovalJson = { id: string; taskId: string; kind: string; status: string; comment: string | null; decidedBy: string | null };
type EventJson = { id: number; taskId: string; type: string; actor: string; message: string; data: Record<string, unknown>; createdAt: string };
type KeyJson = { id: string; key: string };

let stack: Stack;
let alice: Client; // owner of organization A
let bob: Client; // owner of organization B
let aliceKey: KeyJson;
const clients: McpClient[] = [];

const post = (body: unknown = {}): RequestInit => ({ method: "POST", body: JSON.stringify(body) });

async function createKey(owner: Client, body: Record<string, unknown>): Promise<KeyJson> {
  const res = await owner.json<KeyJson>("/api/v1/api-keys", post(body));
  expect(res.status).toBe(201);
  return res.body;
}

/** An MCP client connected to `/api/mcp` with `Authorization: Bearer <key>`. */
async function connect(key: string): Promise<McpClient> {
  const client = new McpClient({ name: "squadron-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${stack.url}/api/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function call(client: McpClient, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

/** A successful tool call's JSON (its text content); fails the test on an isError result. */
async function callJson<T>(client: McpClient, name: string, args: Record<string, unknown>): Promise<T> {
  const result = await call(client, name, args);
  if (result.isError) throw new Error(`${name} → isError: ${result.content[0]?.text}`);
  expect(result.content[0].type).toBe("text");
  return JSON.parse(result.content[0].text ?? "null") as T;
}

async function waitForTaskStatus(client: McpClient, taskId: string, done: (status: string) => boolean, timeoutMs = 90_000): Promise<TaskJson> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const task = await callJson<TaskJson>(client, "get_task", { taskId });
    if (done(task.status)) return task;
    if (Date.now() > deadline) throw new Error(`task ${taskId} still ${task.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function waitForPendingApproval(client: McpClient, taskId: string, exclude: string[] = []): Promise<ApprovalJson> {
  for (const deadline = Date.now() + 60_000; ; ) {
    const list = await callJson<ApprovalJson[]>(client, "list_approvals", { status: "pending" });
    const found = list.find((a) => a.taskId === taskId && !exclude.includes(a.id));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no pending approval for task ${taskId}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** A raw JSON-RPC `initialize` POST to /api/mcp with `headers`. */
async function rawInitialize(headers: Record<string, string>): Promise<Response> {
  return fetch(`${stack.url}/api/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    }),
  });
}

beforeAll(async () => {
  stack = await startStack("pglite");
  alice = await stack.signUp("Alice");
  bob = await stack.signUp("Bob");
  aliceKey = await createKey(alice, { name: "MCP" });
}, 180_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await stack?.stop();
});

describe("Squadron MCP server at /api/mcp", () => {
  let mcp: McpClient;
  let completedTaskId = "";

  test("lists its six tools with input schemas and the timeline resource template", async () => {
    mcp = await connect(aliceKey.key);
    expect(mcp.getServerVersion()?.name).toBe("squadron");
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["cancel_task", "create_task", "decide_approval", "get_task", "list_approvals", "list_tasks"]);
    const create = tools.find((t) => t.name === "create_task");
    expect(create?.inputSchema.required).toEqual(["title"]);
    expect(Object.keys(create?.inputSchema.properties ?? {}).sort()).toEqual(["description", "repositoryId", "squadId", "title"]);
    const decide = tools.find((t) => t.name === "decide_approval");
    expect(decide?.inputSchema.properties?.decision).toMatchObject({ enum: ["approve", "reject"] });
    const { resourceTemplates } = await mcp.listResourceTemplates();
    expect(resourceTemplates).toEqual([expect.objectContaining({ uriTemplate: "squadron://tasks/{taskId}/timeline", mimeType: "application/json" })]);
  });

  test("create_task → get_task until the offline squad completes it; list_tasks finds it; REST agrees", async () => {
    const created = await call(mcp, "create_task", { title: "Add a DELETE /todos/:id endpoint", description: "Return 204." });
    expect(created.isError).toBeFalsy();
    const task = JSON.parse(created.content[0].text ?? "") as TaskJson;
    expect(task).toMatchObject({ title: "Add a DELETE /todos/:id endpoint", status: "queued", source: "api" });
    expect(created.structuredContent).toEqual(task);
    completedTaskId = task.id;

    const done = await waitForTaskStatus(mcp, task.id, (s) => ["completed", "failed", "cancelled"].includes(s));
    expect(done.status).toBe("completed");
    expect(done.artifacts?.some((a) => a.kind === "patch")).toBe(true);
    // get_task answers exactly what GET /api/v1/tasks/{id} answers.
    const rest = await alice.json(`/api/v1/tasks/${task.id}`);
    expect(rest.status).toBe(200);
    expect(await callJson(mcp, "get_task", { taskId: task.id })).toEqual(rest.body);

    const page = await callJson<{ items: TaskJson[]; nextCursor: string | null }>(mcp, "list_tasks", { status: ["completed"], limit: 5 });
    expect(page.items.map((t) => t.id)).toContain(task.id);
    expect(page).toEqual((await alice.json("/api/v1/tasks?status=completed&limit=5")).body);
    const queued = await callJson<{ items: TaskJson[] }>(mcp, "list_tasks", { status: "queued" });
    expect(queued.items.map((t) => t.id)).not.toContain(task.id);
  });

  test("the timeline resource holds the task's events, oldest first, as the events endpoint sends them", async () => {
    const read = await mcp.readResource({ uri: `squadron://tasks/${completedTaskId}/timeline` });
    expect(read.contents).toHaveLength(1);
    const content = read.contents[0] as { uri: string; mimeType?: string; text: string };
    expect(content).toMatchObject({ uri: `squadron://tasks/${completedTaskId}/timeline`, mimeType: "application/json" });
    const events = JSON.parse(content.text) as EventJson[];
    expect(events.length).toBeGreaterThan(2);
    expect(events[0]).toMatchObject({ taskId: completedTaskId, type: "status", data: { status: "queued" } });
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((x, y) => x - y));
    expect(events.some((e) => e.type === "status" && e.data.status === "completed")).toBe(true);
    expect(Object.keys(events[0]).sort()).toEqual(["actor", "createdAt", "data", "id", "message", "taskId", "type"]);

    const { resources } = await mcp.listResources();
    expect(resources.map((r) => r.uri)).toContain(`squadron://tasks/${completedTaskId}/timeline`);
  });

  test("a human_required squad's approvals are listed and approved through MCP; the task completes; decisions are audited", async () => {
    const squads = await alice.json<{ id: string }[]>("/api/v1/squads");
    const squadId = squads.body[0].id;
    expect((await alice.json(`/api/v1/squads/${squadId}`, { method: "PATCH", body: JSON.stringify({ autonomy: "human_required" }) })).status).toBe(200);

    const task = await callJson<TaskJson>(mcp, "create_task", { title: "Add a due date column (MCP approval demo)", squadId });
    const plan = await waitForPendingApproval(mcp, task.id);
    expect(plan).toMatchObject({ kind: "plan", status: "pending" });
    expect((await callJson<TaskJson>(mcp, "get_task", { taskId: task.id })).status).toBe("awaiting_approval");

    const decided = await callJson<ApprovalJson>(mcp, "decide_approval", { approvalId: plan.id, decision: "approve", comment: "Name the column due_on" });
    expect(decided).toMatchObject({ id: plan.id, status: "approved", comment: "Name the column due_on", decidedBy: "Alice" });
    expect(decided).toEqual((await alice.json(`/api/v1/approvals/${plan.id}`)).body);
    // Deciding it again is the REST 409, as a tool error.
    const again = await call(mcp, "decide_approval", { approvalId: plan.id, decision: "reject" });
    expect(again).toMatchObject({ isError: true, structuredContent: { error: { code: "conflict" } } });
    expect(again.content[0].text).toMatch(/already approved/);

    // The run goes on past the plan and, when it changed files, asks again before delivering.
    const decidedIds = [plan.id];
    let done: TaskJson;
    for (const deadline = Date.now() + 90_000; ; ) {
      done = await callJson<TaskJson>(mcp, "get_task", { taskId: task.id });
      if (["completed", "failed", "cancelled"].includes(done.status)) break;
      const next = (await callJson<ApprovalJson[]>(mcp, "list_approvals", { status: "pending" })).find((a) => a.taskId === task.id);
      if (next) {
        expect(next.kind).toBe("deliver");
        await callJson(mcp, "decide_approval", { approvalId: next.id, decision: "approve" });
        decidedIds.push(next.id);
      }
      if (Date.now() > deadline) throw new Error(`task ${task.id} still ${done.status}`);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect({ status: done.status, error: done.error }).toEqual({ status: "completed", error: null });

    const audit = await alice.json<{ items: { action: string; targetId: string; actor: { userId: string; apiKeyId: string | null }; data: Record<string, unknown> }[] }>(
      "/api/v1/audit-events?limit=50",
    );
    const decisions = audit.body.items.filter((e) => e.action === "approval.decided" && decidedIds.includes(e.targetId));
    expect(decisions).toHaveLength(decidedIds.length);
    for (const d of decisions) expect(d.actor.apiKeyId).toBe(aliceKey.id);
    expect(decisions.find((d) => d.targetId === plan.id)?.data).toMatchObject({ taskId: task.id, decision: "approve", comment: "Name the column due_on" });
  });

  test("cancel_task cancels a task waiting for approval; cancelling a completed one is a tool error", async () => {
    const task = await callJson<TaskJson>(mcp, "create_task", { title: "Add a due date column (MCP cancel demo)" });
    await waitForPendingApproval(mcp, task.id);
    const cancelled = await callJson<TaskJson>(mcp, "cancel_task", { taskId: task.id, reason: "Not this sprint" });
    expect(cancelled).toMatchObject({ id: task.id, status: "cancelled" });
    const final = await stack.waitForTask(alice, task.id);
    expect(final.status).toBe("cancelled");
    expect((await callJson<ApprovalJson[]>(mcp, "list_approvals", { status: "pending" })).filter((a) => a.taskId === task.id)).toEqual([]);
    const events = JSON.parse(
      ((await mcp.readResource({ uri: `squadron://tasks/${task.id}/timeline` })).contents[0] as { text: string }).text,
    ) as EventJson[];
    expect(events.some((e) => /Cancelled by Alice: Not this sprint/.test(e.message))).toBe(true);

    const refused = await call(mcp, "cancel_task", { taskId: completedTaskId });
    expect(refused).toMatchObject({ isError: true, structuredContent: { error: { code: "conflict" } } });
    expect(refused.content[0].text).toMatch(/already completed/);
  });

  test("invalid input and unknown ids are tool errors, not 500s", async () => {
    const empty = await call(mcp, "create_task", { title: "   " });
    expect(empty).toMatchObject({ isError: true, structuredContent: { error: { code: "invalid_input" } } });
    expect(empty.content[0].text).toMatch(/title: Title is required/);
    const badSquad = await call(mcp, "create_task", { title: "x", squadId: "not-a-uuid" });
    expect(badSquad).toMatchObject({ isError: true, structuredContent: { error: { code: "invalid_input" } } });
    const malformed = await call(mcp, "get_task", { taskId: "not-a-uuid" });
    expect(malformed).toMatchObject({ isError: true, content: [{ type: "text", text: "Task not found" }] });
    const unknown = await call(mcp, "get_task", { taskId: "00000000-0000-4000-8000-000000000000" });
    expect(unknown).toMatchObject({ isError: true, content: [{ type: "text", text: "Task not found" }] });
    // Arguments the tool's schema refuses are a tool error too (the SDK's own validation).
    const wrongType = await call(mcp, "list_tasks", { limit: 1000 });
    expect(wrongType.isError).toBe(true);
    await expect(mcp.readResource({ uri: "squadron://tasks/00000000-0000-4000-8000-000000000000/timeline" })).rejects.toThrow(/Task not found/);
  });

  test("a key without a tool's permission gets a tool error naming the missing permission", async () => {
    const readOnly = await createKey(alice, { name: "read only", permissions: { task: ["read"] } });
    const client = await connect(readOnly.key);
    expect((await callJson<TaskJson>(client, "get_task", { taskId: completedTaskId })).status).toBe("completed");

    const create = await call(client, "create_task", { title: "Should not be created" });
    expect(create).toMatchObject({ isError: true, structuredContent: { error: { code: "forbidden" } } });
    expect(create.content[0].text).toMatch(/task:create is not permitted for this API key/);
    const approvals = await call(client, "list_approvals", {});
    expect(approvals.content[0].text).toMatch(/approval:read is not permitted/);
    const decide = await call(client, "decide_approval", { approvalId: "00000000-0000-4000-8000-000000000000", decision: "approve" });
    expect(decide.content[0].text).toMatch(/approval:decide is not permitted/);
    const cancel = await call(client, "cancel_task", { taskId: completedTaskId });
    expect(cancel.content[0].text).toMatch(/task:cancel is not permitted/);
    const tasks = await alice.json<{ items: TaskJson[] }>("/api/v1/tasks?limit=100");
    expect(tasks.body.items.some((t) => t.title === "Should not be created")).toBe(false);

    const approvalsOnly = await connect((await createKey(alice, { name: "approvals only", permissions: { approval: ["read"] } })).key);
    await expect(approvalsOnly.readResource({ uri: `squadron://tasks/${completedTaskId}/timeline` })).rejects.toThrow(/task:read is not permitted/);
    expect((await approvalsOnly.listResources()).resources).toEqual([]);
  });

  test("another organization's task and approval ids are not found", async () => {
    const bobKey = await createKey(bob, { name: "Bob's MCP" });
    const client = await connect(bobKey.key);
    const aliceApprovals = await alice.json<ApprovalJson[]>("/api/v1/approvals");
    expect(aliceApprovals.body.length).toBeGreaterThan(0);

    const get = await call(client, "get_task", { taskId: completedTaskId });
    expect(get).toMatchObject({ isError: true, content: [{ text: "Task not found" }], structuredContent: { error: { code: "not_found" } } });
    expect((await call(client, "cancel_task", { taskId: completedTaskId })).content[0].text).toBe("Task not found");
    const decide = await call(client, "decide_approval", { approvalId: aliceApprovals.body[0].id, decision: "reject" });
    expect(decide).toMatchObject({ isError: true, content: [{ text: "Approval not found" }] });
    await expect(client.readResource({ uri: `squadron://tasks/${completedTaskId}/timeline` })).rejects.toThrow(/Task not found/);
    expect(await callJson(client, "list_approvals", {})).toEqual([]);
    expect((await callJson<{ items: unknown[] }>(client, "list_tasks", {})).items).toEqual([]);
    // Alice's squad is not one Bob's key can queue work for.
    const aliceSquadId = (await alice.json<{ id: string }[]>("/api/v1/squads")).body[0].id;
    const foreignSquad = await call(client, "create_task", { title: "Bob's task", squadId: aliceSquadId });
    expect(foreignSquad).toMatchObject({ isError: true, content: [{ text: "Squad not found" }] });
  });

  test("no key, an invalid key or only a session cookie is a 401 in the REST error shape; GET is 405", async () => {
    const none = await rawInitialize({});
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: "unauthorized" } });
    const invalid = await rawInitialize({ authorization: "Bearer sq_not-a-key" });
    expect(invalid.status).toBe(401);
    expect(await invalid.json()).toEqual({ error: { code: "unauthorized", message: "The API key is invalid, revoked or expired." } });
    const cookie = await rawInitialize({ cookie: alice.cookie, origin: stack.url });
    expect(cookie.status).toBe(401);
    expect(((await cookie.json()) as { error: { message: string } }).error.message).toMatch(/API key/);
    const ok = await rawInitialize({ authorization: `Bearer ${aliceKey.key}` });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ jsonrpc: "2.0", id: 1, result: { serverInfo: { name: "squadron" } } });
    const get = await fetch(`${stack.url}/api/mcp`, { headers: { authorization: `Bearer ${aliceKey.key}`, accept: "text/event-stream" } });
    expect(get.status).toBe(405);
  });
});
