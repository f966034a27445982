import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import postgres from "postgres";
import { z } from "zod";
import { startStack, type Client, type Stack } from "../fixtures/stack";
import { openAiCompletion, startOpenAiStandIn } from "../fixtures/vendors/openai-stand-in";
import type { StandIn } from "../fixtures/vendors/stand-in-server";

/**
 * Agents use MCP tools: a local MCP server (the SDK's `McpServer` over Streamable HTTP on a loopback
 * port, checking a secret header) is registered on a squad through the API; a single-agent squad's
 * developer, driven through the real `openai` client by the OpenAI stand-in, is offered its tools as
 * `mcp__tester__<tool>`, calls one (a durable step, decided by the policy, on the timeline) and gets
 * its output. The header secret is stored encrypted and never returned; an unreachable server is
 * saved with `lastError` and the agent runs without it; a policy rule refusing a tool makes the call a
 * tool error; another organization's squad is a 404.
 */

const SECRET = "mcp-secret-7f3a9c1e0b";
type McpServerJson = { id: string; name: string; transport: string; url: string | null; headerNames: string[]; lastError: string | null; toolNames: string[]; enabled: boolean; allowedRoles: string[] };
type SquadJson = { id: string; agents: { role: string }[] };
type ChatRequest = { messages: { role: string; content: unknown; tool_call_id?: string }[]; tools?: { type: string; function: { name: string; description?: string; parameters: Record<string, unknown> } }[] };

let stack: Stack;
let openai: StandIn & { baseURL: string };
let alice: Client;
let bob: Client;
let squad: SquadJson;
let sql: postgres.Sql;
let mcpHttp: http.Server;
let mcpUrl: string;
/** Tool calls the test MCP server received, in order. */
const mcpCalls: { tool: string; args: Record<string, unknown> }[] = [];
/** Requests refused for a wrong or missing secret header. */
let refused = 0;

function createTestMcpServer(): McpServer {
  const server = new McpServer({ name: "tester", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echoes the text back", inputSchema: { text: z.string().describe("What to echo") } },
    async ({ text }) => {
      mcpCalls.push({ tool: "echo", args: { text } });
      return { content: [{ type: "text", text: `echo: ${text}` }] };
    },
  );
  server.registerTool(
    "create_issue",
    { description: "Opens an issue", inputSchema: { title: z.string() } },
    async ({ title }) => {
      mcpCalls.push({ tool: "create_issue", args: { title } });
      return { content: [{ type: "text", text: `issue #1 ${title}` }] };
    },
  );
  return server;
}

async function startTestMcpServer(): Promise<void> {
  mcpHttp = http.createServer((req, res) => {
    if (req.headers["x-api-token"] !== SECRET) {
      refused++;
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "bad token" }));
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const server = createTestMcpServer();
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        await server.connect(transport);
        res.on("close", () => void server.close());
        await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString("utf8")));
      })().catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>((resolve) => mcpHttp.listen(0, "127.0.0.1", resolve));
  mcpUrl = `http://127.0.0.1:${(mcpHttp.address() as AddressInfo).port}/mcp`;
}

const post = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body) });
const patch = (body: unknown): RequestInit => ({ method: "PATCH", body: JSON.stringify(body) });

beforeAll(async () => {
  await startTestMcpServer();
  openai = await startOpenAiStandIn();
  stack = await startStack("pglite", { env: { OPENAI_API_KEY: "sk-standin-openai", OPENAI_BASE_URL: openai.baseURL, OPENAI_MODEL: "gpt-4.1-mini" } });
  sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
  alice = await stack.signUp("Alice");
  bob = await stack.signUp("Bob");
  squad = (await alice.json<SquadJson[]>("/api/v1/squads")).body[0];
  // One developer does the whole task through the stand-in; every other role stays offline.
  const agents = squad.agents.map((a) => ({
    role: a.role,
    modelRoute: [a.role === "developer" ? { provider: "openai", model: "gpt-4.1-mini" } : { provider: "offline", model: "offline-scripted" }],
  }));
  const patched = await alice.json(`/api/v1/squads/${squad.id}`, patch({ workflow: "single_agent", agents }));
  expect(patched.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await stack?.stop();
  await openai?.close();
  await new Promise((r) => mcpHttp?.close(r));
});

async function events(taskId: string): Promise<{ type: string; message: string; data: Record<string, unknown> | null }[]> {
  return sql`select type, message, data from task_events where task_id = ${taskId} order by id`;
}

/** The chat requests the developer sent for the task (its title is in the prompt). */
function chatRequests(title: string): ChatRequest[] {
  return openai.requests.filter((r) => r.path === "/v1/chat/completions" && JSON.stringify(r.body).includes(title)).map((r) => r.body as ChatRequest);
}

let server: McpServerJson;

test("registering a server: checked (tool names), header secret stored encrypted and never returned; unreachable saved with lastError; validation", async () => {
  const created = await alice.json<McpServerJson>(`/api/v1/squads/${squad.id}/mcp-servers`, post({ name: "tester", transport: "http", url: mcpUrl, headers: { "X-Api-Token": SECRET } }));
  expect(created.status).toBe(201);
  server = created.body;
  expect(server).toMatchObject({ name: "tester", transport: "http", url: mcpUrl, headerNames: ["X-Api-Token"], lastError: null, enabled: true, allowedRoles: [] });
  expect([...server.toolNames].sort()).toEqual(["create_issue", "echo"]);
  expect(JSON.stringify(created.body)).not.toContain(SECRET);

  const listed = await alice.fetch(`/api/v1/squads/${squad.id}/mcp-servers`);
  expect(listed.status).toBe(200);
  const listedText = await listed.text();
  expect(listedText).not.toContain(SECRET);
  expect((JSON.parse(listedText) as { items: McpServerJson[] }).items.map((s) => s.name)).toEqual(["tester"]);

  // Stored encrypted: the row has no plaintext secret, only a ciphertext.
  const [row] = await sql<{ headers_encrypted: string; header_names: string[] }[]>`select headers_encrypted, header_names from squad_mcp_servers where id = ${server.id}`;
  expect(row.headers_encrypted).toMatch(/^\$ba\$/);
  expect(row.headers_encrypted).not.toContain(SECRET);
  expect(row.header_names).toEqual(["X-Api-Token"]);

  // A server that answers 401 (wrong secret) is saved, with why it failed.
  const broken = await alice.json<McpServerJson>(`/api/v1/squads/${squad.id}/mcp-servers`, post({ name: "broken", transport: "http", url: mcpUrl, headers: { "X-Api-Token": "wrong" } }));
  expect(broken.status).toBe(201);
  expect(broken.body.lastError).toEqual(expect.any(String));
  expect(broken.body.toolNames).toEqual([]);

  // Validation and conflicts.
  expect((await alice.json(`/api/v1/squads/${squad.id}/mcp-servers`, post({ name: "tester", transport: "http", url: mcpUrl }))).status).toBe(409);
  expect((await alice.json(`/api/v1/squads/${squad.id}/mcp-servers`, post({ name: "Bad Name", transport: "http", url: mcpUrl }))).status).toBe(422);
  expect((await alice.json(`/api/v1/squads/${squad.id}/mcp-servers`, post({ name: "x", transport: "http", url: "ftp://example.com" }))).status).toBe(422);
  expect((await alice.json(`/api/v1/squads/${squad.id}/mcp-servers`, post({ name: "x", transport: "http", url: mcpUrl, headers: { "Bad Header": "v" } }))).status).toBe(422);
  expect((await alice.json(`/api/v1/squads/${squad.id}/mcp-servers/${server.id}`, patch({ command: "node" }))).status).toBe(422);
  expect((await alice.json(`/api/v1/squads/${squad.id}/mcp-servers/${server.id}`, patch({}))).status).toBe(422);

  // Audited as squad changes (never with the secret).
  const audit = await sql<{ data: Record<string, unknown> }[]>`select data from audit_events where action = 'squad.updated' and target_id = ${squad.id} and data ? 'mcpServer'`;
  expect(audit.length).toBeGreaterThanOrEqual(2);
  expect(JSON.stringify(audit)).not.toContain(SECRET);
});

test("another organization's squad and server are 404", async () => {
  expect((await bob.json(`/api/v1/squads/${squad.id}/mcp-servers`)).status).toBe(404);
  expect((await bob.json(`/api/v1/squads/${squad.id}/mcp-servers`, post({ name: "evil", transport: "http", url: mcpUrl }))).status).toBe(404);
  expect((await bob.json(`/api/v1/squads/${squad.id}/mcp-servers/${server.id}`)).status).toBe(404);
  expect((await bob.json(`/api/v1/squads/${squad.id}/mcp-servers/${server.id}`, patch({ enabled: false }))).status).toBe(404);
  expect((await bob.fetch(`/api/v1/squads/${squad.id}/mcp-servers/${server.id}`, { method: "DELETE" })).status).toBe(404);
  // Bob's own squad with Alice's server id: still not found.
  const bobSquad = (await bob.json<SquadJson[]>("/api/v1/squads")).body[0];
  expect((await bob.json(`/api/v1/squads/${bobSquad.id}/mcp-servers/${server.id}`)).status).toBe(404);
  expect((await alice.json<McpServerJson>(`/api/v1/squads/${squad.id}/mcp-servers/${server.id}`)).body.enabled).toBe(true);
});

test("the developer is offered the server's tools, calls echo once (durable step, policy, timeline); the unreachable server is left out and the timeline says why", async () => {
  const title = "Echo through MCP";
  openai.enqueue(
    openAiCompletion({ toolCalls: [{ id: "call_echo", name: "mcp__tester__echo", arguments: { text: "hello" } }] }),
    openAiCompletion({ content: "Echoed hello through the MCP tool." }),
  );
  const created = await alice.json<{ id: string }>("/api/v1/tasks", post({ title, description: "Call the echo tool with hello." }));
  expect(created.status).toBe(201);
  const task = await stack.waitForTask(alice, created.body.id);
  expect(task.status).toBe("completed");

  // Offered with its JSON Schema input; the broken server's tools are not.
  const requests = chatRequests(title);
  expect(requests.length).toBeGreaterThanOrEqual(2);
  const echo = requests[0].tools?.find((t) => t.function.name === "mcp__tester__echo");
  expect(echo?.function.description).toBe("Echoes the text back");
  expect(echo?.function.parameters).toMatchObject({ type: "object", properties: { text: { type: "string" } }, required: ["text"] });
  expect(requests[0].tools?.map((t) => t.function.name)).toContain("mcp__tester__create_issue");
  expect(requests[0].tools?.some((t) => t.function.name.startsWith("mcp__broken__"))).toBe(false);
  // The tool's output went back to the model.
  const toolMessage = requests[1].messages.find((m) => m.role === "tool" && m.tool_call_id === "call_echo");
  expect(toolMessage?.content).toBe("echo: hello");

  // Called exactly once, however often the run replayed.
  expect(mcpCalls.filter((c) => c.tool === "echo")).toEqual([{ tool: "echo", args: { text: "hello" } }]);

  const timeline = await events(created.body.id);
  const call = timeline.find((e) => e.type === "tool_call" && e.data?.tool === "mcp__tester__echo" && e.data?.mcp);
  expect(call?.message).toBe("mcp__tester__echo → ok");
  expect(call?.data).toMatchObject({ ok: true, mcp: { server: "tester", tool: "echo" }, preview: "echo: hello" });
  expect(timeline.find((e) => e.type === "policy" && e.data?.action === "mcp_tool")?.data).toMatchObject({ decision: "allow" });
  const unavailable = timeline.find((e) => e.message.includes("MCP server broken unavailable"));
  expect(unavailable?.type).toBe("error");
  expect(unavailable?.message).toContain("MCP tools offered from tester (2)");
  expect(JSON.stringify(timeline)).not.toContain(SECRET);
});

test("a policy rule refusing mcp__tester__create_issue makes the call a tool error; the run goes on", async () => {
  // The broken server goes (DELETE), so only the policy is in the way now.
  const broken = (await alice.json<{ items: McpServerJson[] }>(`/api/v1/squads/${squad.id}/mcp-servers`)).body.items.find((s) => s.name === "broken");
  expect((await alice.fetch(`/api/v1/squads/${squad.id}/mcp-servers/${broken?.id}`, { method: "DELETE" })).status).toBe(204);
  expect((await alice.fetch(`/api/v1/squads/${squad.id}/mcp-servers/${broken?.id}`, { method: "DELETE" })).status).toBe(404);
  const rules = [{ id: "no-issues", effect: "deny", actions: ["mcp_tool"], tools: ["mcp__tester__create_issue"], reason: "Agents may not open issues" }];
  expect((await alice.json(`/api/v1/squads/${squad.id}`, patch({ policy: { rules: [{ ...rules[0], actions: ["deliver"] }] } }))).status).toBe(422);
  expect((await alice.json(`/api/v1/squads/${squad.id}`, patch({ policy: { rules } }))).status).toBe(200);

  const title = "Open an issue through MCP";
  openai.enqueue(
    openAiCompletion({ toolCalls: [{ id: "call_issue", name: "mcp__tester__create_issue", arguments: { title: "Broken build" } }] }),
    openAiCompletion({ content: "I was not allowed to open the issue." }),
  );
  const created = await alice.json<{ id: string }>("/api/v1/tasks", post({ title, description: "Open an issue about the build." }));
  const task = await stack.waitForTask(alice, created.body.id);
  expect(task.status).toBe("completed");

  expect(mcpCalls.some((c) => c.tool === "create_issue")).toBe(false);
  const requests = chatRequests(title);
  const toolMessage = requests[1]?.messages.find((m) => m.role === "tool" && m.tool_call_id === "call_issue");
  expect(String(toolMessage?.content)).toContain("The squad's policy refused mcp__tester__create_issue: Agents may not open issues");

  const timeline = await events(created.body.id);
  expect(timeline.find((e) => e.type === "tool_call" && e.data?.tool === "mcp__tester__create_issue" && e.data?.mcp)).toMatchObject({
    message: "mcp__tester__create_issue → refused by policy",
    data: expect.objectContaining({ ok: false, policy: "deny", ruleId: "no-issues" }),
  });
  expect(timeline.find((e) => e.type === "policy" && e.data?.action === "mcp_tool")?.data).toMatchObject({ decision: "deny", ruleId: "no-issues" });
  expect(refused).toBeGreaterThan(0); // the broken server's check and discovery were refused by the test server
});

test("a disabled server is not offered; a role outside allowedRoles is not offered", async () => {
  const off = await alice.json<McpServerJson>(`/api/v1/squads/${squad.id}/mcp-servers/${server.id}`, patch({ enabled: false }));
  expect(off.status).toBe(200);
  expect(off.body.enabled).toBe(false);
  const title = "No MCP tools now";
  openai.enqueue(openAiCompletion({ content: "Nothing to do." }));
  const created = await alice.json<{ id: string }>("/api/v1/tasks", post({ title, description: "Nothing." }));
  await stack.waitForTask(alice, created.body.id);
  expect(chatRequests(title)[0].tools?.some((t) => t.function.name.startsWith("mcp__"))).toBe(false);

  const onlyQa = await alice.json<McpServerJson>(`/api/v1/squads/${squad.id}/mcp-servers/${server.id}`, patch({ enabled: true, allowedRoles: ["qa_engineer"] }));
  expect(onlyQa.status).toBe(200);
  expect(onlyQa.body).toMatchObject({ enabled: true, allowedRoles: ["qa_engineer"], lastError: null });
  const title2 = "Still no MCP tools for the developer";
  openai.enqueue(openAiCompletion({ content: "Nothing to do." }));
  const created2 = await alice.json<{ id: string }>("/api/v1/tasks", post({ title: title2, description: "Nothing." }));
  await stack.waitForTask(alice, created2.body.id);
  expect(chatRequests(title2)[0].tools?.some((t) => t.function.name.startsWith("mcp__"))).toBe(false);
});

test("a stdio server (self-hosted) is checked through the SDK's stdio transport", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "squadron-mcp-stdio-"));
  try {
    const sdk = (p: string) => JSON.stringify(path.join(process.cwd(), "node_modules/@modelcontextprotocol/sdk/dist/esm", p));
    const script = path.join(dir, "server.mjs");
    writeFileSync(
      script,
      [
        `import { McpServer } from ${sdk("server/mcp.js")};`,
        `import { StdioServerTransport } from ${sdk("server/stdio.js")};`,
        `import { z } from ${JSON.stringify(path.join(process.cwd(), "node_modules/zod/index.js"))};`,
        'const server = new McpServer({ name: "local", version: "1.0.0" });',
        'server.registerTool("shout", { description: "Upper-cases text", inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: "text", text: text.toUpperCase() }] }));',
        "await server.connect(new StdioServerTransport());",
      ].join("\n"),
    );
    const created = await alice.json<McpServerJson & { command: string; args: string[] }>(
      `/api/v1/squads/${squad.id}/mcp-servers`,
      post({ name: "local", transport: "stdio", command: process.execPath, args: [script] }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ transport: "stdio", command: process.execPath, args: [script], url: null, headerNames: [], lastError: null, toolNames: ["shout"] });
    // A stdio server takes no url or headers.
    expect((await alice.json(`/api/v1/squads/${squad.id}/mcp-servers/${created.body.id}`, patch({ url: mcpUrl }))).status).toBe(422);
    expect((await alice.fetch(`/api/v1/squads/${squad.id}/mcp-servers/${created.body.id}`, { method: "DELETE" })).status).toBe(204);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("policy: mcp_tool rules match tool names by glob; MCP calls are allowed by default at every autonomy level", async () => {
  const { evaluatePolicy } = await import("@/lib/policy/evaluate-policy");
  const { policyRuleSchema } = await import("@/lib/policy/schemas");
  const rules = [
    policyRuleSchema.parse({ id: "no-writes", effect: "deny", actions: ["mcp_tool"], tools: ["mcp__github__create_*"] }),
    policyRuleSchema.parse({ id: "ask-deploy", effect: "require_approval", actions: ["mcp_tool"], tools: ["mcp__*__deploy"] }),
  ];
  const tool = (name: string) => ({ action: "mcp_tool" as const, tool: name });
  expect(evaluatePolicy({ autonomy: "autonomous", rules }, tool("mcp__github__create_issue"))).toMatchObject({ decision: "deny", ruleId: "no-writes" });
  expect(evaluatePolicy({ autonomy: "autonomous", rules }, tool("mcp__ops__deploy"))).toMatchObject({ decision: "require_approval", ruleId: "ask-deploy" });
  for (const autonomy of ["autonomous", "supervised", "human_required"] as const) {
    expect(evaluatePolicy({ autonomy, rules }, tool("mcp__github__list_issues"))).toMatchObject({ decision: "allow", ruleId: null });
  }
  // A tools rule never matches the workflow's own actions.
  expect(evaluatePolicy({ autonomy: "autonomous", rules }, { action: "deliver", paths: ["a.ts"], diffLines: 1 })).toMatchObject({ decision: "allow" });
  // tools only with actions ["mcp_tool"] (so a rule cannot silently widen to every action).
  expect(policyRuleSchema.safeParse({ id: "x", effect: "deny", tools: ["mcp__a__b"] }).success).toBe(false);
});
