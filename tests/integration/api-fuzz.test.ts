import fc from "fast-check";
import type { z } from "zod";
import { startStack, type Client, type Stack, type TaskDetailJson } from "../fixtures/stack";
import type { ApiOperation } from "@/lib/api/openapi";

// Property-based fuzzing of every /api/v1 input, driven by the OpenAPI document's operation list
// (`lib/api/openapi.ts`): hostile JSON bodies, mutations of each operation's valid example, random
// query strings and path ids go to the real route handlers, authenticated. No input may produce a
// 5xx, and every 4xx body must be the one error shape. Also checks that real responses of the main
// operations match their documented response schemas.
//
// FUZZ_RUNS scales the number of runs per property (default 1 ≈ a minute on 2 cores).

const SCALE = Number(process.env.FUZZ_RUNS ?? "1");
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
/** Requests that can start a workflow run (a valid task creation, a retry): at most this many. */
const MAX_WORKFLOW_STARTS = 3;

let stack: Stack;
let client: Client;
/** Every documented operation. */
let allOperations: ApiOperation[];
/** The documented operations a route serves (the others fail one test, not every property). */
let operations: ApiOperation[];
const unserved: string[] = [];
let apiErrorSchema: z.ZodType;
let realTaskId: string;
let realSquadId: string;
let workflowStarts = 0;

type Sent = { method: string; url: string; body?: string; headers?: Record<string, string> };

beforeAll(async () => {
  stack = await startStack("pglite", { env: { API_RATE_LIMIT_PER_MINUTE: "0" } });
  ({ apiOperations: allOperations } = await import("@/lib/api/openapi"));
  // An operation without a route answers 405 (no such method) or 404 "No route" from the test server.
  operations = [];
  for (const op of allOperations) {
    const res = await fetch(`${stack.url}${op.path.replace("{id}", "00000000-0000-4000-8000-000000000000")}`, { method: op.method.toUpperCase() });
    const text = await res.text();
    if (res.status === 405 || text.includes('"No route"')) unserved.push(opKey(op));
    else operations.push(op);
  }
  ({ apiErrorSchema } = await import("@/lib/api/response-schemas"));
  client = await stack.signUp("Fuzz");
  const squads = await client.json<{ id: string }[]>("/api/v1/squads");
  realSquadId = squads.body[0].id;
  const created = await client.json<{ id: string }>("/api/v1/tasks", {
    method: "POST",
    body: JSON.stringify({ title: "Fuzz target task", description: "A task the fuzzer points path ids at." }),
  });
  expect(created.status).toBe(201);
  realTaskId = created.body.id;
  workflowStarts += 1;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

const opKey = (op: ApiOperation) => `${op.method.toUpperCase()} ${op.path}`;

/**
 * Sends one request and checks the answer: never ≥ 500; a 4xx body is `{ error: { code, message,
 * details? } }`. An event stream is cancelled as soon as its headers arrive.
 */
async function sendAndCheck(req: Sent, c: Client | null = client): Promise<Response> {
  const controller = new AbortController();
  const init: RequestInit = { method: req.method, headers: req.headers, body: req.body, signal: controller.signal };
  const res = c ? await c.fetch(req.url, init) : await fetch(`${stack.url}${req.url}`, init);
  const describe = () => `${req.method} ${req.url}${req.body !== undefined ? ` body=${req.body.slice(0, 500)}` : ""}${req.headers ? ` headers=${JSON.stringify(req.headers)}` : ""}`;
  if ((res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    controller.abort();
    await res.body?.cancel().catch(() => {});
    if (res.status !== 200) throw new Error(`event stream answered ${res.status}: ${describe()}`);
    return res;
  }
  const text = await res.text();
  if (res.status >= 500) throw new Error(`${res.status} for ${describe()}\n→ ${text.slice(0, 1000)}`);
  if (res.status >= 400) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${res.status} with a non-JSON body for ${describe()}\n→ ${text.slice(0, 300)}`);
    }
    const parsed = apiErrorSchema.safeParse(json);
    if (!parsed.success) throw new Error(`${res.status} body is not the error shape for ${describe()}\n→ ${text.slice(0, 500)}`);
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const nastyStrings = [
  "",
  " ",
  "\u0000",
  "\u0000abc",
  "'; DROP TABLE tasks; --",
  "' OR '1'='1",
  "1; SELECT pg_sleep(10)",
  "%00",
  "%",
  "%ZZ",
  "../../../../etc/passwd",
  "/etc/passwd",
  "C:\\Windows\\system32",
  "\\\\server\\share",
  "$(rm -rf /)",
  "`id`",
  "<script>alert(1)</script>",
  "{{7*7}}",
  "${jndi:ldap://x}",
  "NaN",
  "Infinity",
  "-1",
  "1e309",
  "9".repeat(40),
  "0x10",
  "true",
  "null",
  "undefined",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "𝕊𝕢𝕦𝕒𝕕𝕣𝕠𝕟",
  "Ünïcödé ✓ 日本語 العربية",
  "\u202e\u0301\ufeff",
  "\ud83d\ude00".repeat(50),
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "2026-02-30",
  "2026-13-01T00:00:00Z",
  "0000-01-01",
  "9999-12-31T23:59:59.999+14:00",
  "queued,,,running",
  ",",
  "a".repeat(5_000),
];

/**
 * Any string, including unicode beyond the BMP, made well-formed so it can be sent. `hugeUpTo` bounds
 * the long repeated strings: big for bodies, below Node's 16 KB header limit for URLs and headers
 * (beyond it Node's HTTP parser answers 431 before any route runs).
 */
const anyString = (maxLength = 300, hugeUpTo = 200_000) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: "binary", maxLength }).map((s) => s.toWellFormed()),
    fc.constantFrom(...nastyStrings),
    fc.nat({ max: hugeUpTo }).map((n) => "x".repeat(n)),
  );
/** For URLs and headers. */
const urlString = (maxLength = 200) => anyString(maxLength, 3_000);

const protoKeys = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];

/** A value of any JSON type, hostile where it can be. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: "small" },
  fc.jsonValue({ maxDepth: 3 }),
  anyString(),
  fc.constantFrom(null, true, false, 0, -0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(anyString(50, 5_000), { maxLength: 20 }),
  fc.dictionary(fc.oneof(anyString(30, 5_000), fc.constantFrom(...protoKeys)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 10 }),
  fc.integer({ min: 1, max: 3_000 }).map((d) => JSON.parse("[".repeat(d) + "]".repeat(d)) as unknown),
);

/** Sets an own enumerable property (so `__proto__` is serialized as a key rather than changing the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

/** Every path (array of keys) to a value inside `example`, the root included. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (prefix.length >= 20) return out;
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

type Mutation =
  | { kind: "replace"; at: number; value: unknown }
  | { kind: "delete"; at: number }
  | { kind: "add"; at: number; key: string; value: unknown };

/** Applies mutations to a deep copy of a valid example. */
function mutate(example: unknown, mutations: Mutation[]): unknown {
  let root: unknown = structuredClone(example);
  for (const m of mutations) {
    const paths = pathsOf(root);
    const at = paths[m.at % paths.length];
    if (at.length === 0) {
      if (m.kind === "replace") root = m.value;
      else if (m.kind === "add" && root && typeof root === "object" && !Array.isArray(root)) setOwn(root as Record<string, unknown>, m.key, m.value);
      continue;
    }
    const parent = at.slice(0, -1).reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], root) as Record<string | number, unknown>;
    const key = at[at.length - 1];
    if (m.kind === "replace") parent[key] = m.value;
    else if (m.kind === "delete") {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else {
      const target = parent[key];
      if (target && typeof target === "object" && !Array.isArray(target)) setOwn(target as Record<string, unknown>, m.key, m.value);
      else parent[key] = { [m.key]: m.value };
    }
  }
  return root;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("add" as const), at: fc.nat(), key: fc.oneof(fc.constantFrom(...protoKeys), anyString(40, 5_000)), value: hostileValue }),
);

/** A raw request body: arbitrary JSON, a mutated valid example, garbage text, or an oversized body. */
function bodyArb(example: unknown): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 5, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 4 }).map((ms) => JSON.stringify(mutate(example, ms)) ?? "null") },
    { weight: 1, arbitrary: anyString(200) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "",
        "{",
        "nul",
        '{"title": "a", "title": 1}',
        '{"__proto__": {"admin": true}, "title": "proto"}',
        '{"constructor": {"prototype": {"polluted": 1}}}',
        "\u0000",
        `{"title": "${"a".repeat(1_100_000)}"}`,
        `${"[".repeat(100_000)}${"]".repeat(100_000)}`,
      ),
    },
  );
}

/** A query string: the valid example mutated, or random parameter dictionaries (known and unknown names). */
function queryArb(op: ApiOperation): fc.Arbitrary<string> {
  const names = op.query ? queryNames(op.query) : [];
  const name = fc.oneof(...(names.length > 0 ? [fc.constantFrom(...names)] : []), urlString(30), fc.constantFrom(...protoKeys));
  const value = fc.oneof(urlString(200), fc.integer().map(String), fc.double().map(String), fc.uuid());
  const example = Object.entries(op.queryExample ?? {});
  return fc
    .oneof(
      fc.array(fc.tuple(name, value), { maxLength: 8 }),
      fc.array(fc.tuple(name, value), { maxLength: 3 }).map((extra) => [...example, ...extra]),
      fc.tuple(fc.subarray(example), fc.array(fc.tuple(fc.constantFrom(...(names.length ? names : ["x"])), value), { minLength: 1, maxLength: 3 })).map(([keep, change]) => [...keep, ...change]),
    )
    .map((pairs) => new URLSearchParams(pairs).toString());
}

function queryNames(schema: z.ZodType): string[] {
  let s = schema as unknown as { _zod: { def: { type: string; in?: unknown; shape?: Record<string, unknown> } } };
  while (s._zod.def.type === "pipe") s = s._zod.def.in as typeof s;
  return Object.keys(s._zod.def.shape ?? {});
}

/** Path ids: real ones, random UUIDs, SQL-looking, unicode, huge, and path tricks. */
const idArb = (real: string[]) =>
  fc.oneof(
    fc.uuid(),
    fc.constantFrom(...real),
    fc.constantFrom(...nastyStrings.filter((s) => s.length > 0 && s.length < 1_000)),
    fc.string({ unit: "binary", minLength: 1, maxLength: 100 }).map((s) => s.toWellFormed()),
    fc.nat({ max: 3_000 }).map((n) => "9".repeat(n + 1)),
    fc.uuid().map((u) => u.toUpperCase()),
    fc.uuid().map((u) => `${u}'--`),
    fc.uuid().map((u) => ` ${u} `),
  );

function realIdsFor(op: ApiOperation): string[] {
  if (op.path.startsWith("/api/v1/tasks/")) return [realTaskId];
  if (op.path.startsWith("/api/v1/squads/")) return [realSquadId];
  return [realTaskId, realSquadId];
}

function urlFor(op: ApiOperation, id: string | null, query: string): string {
  const encoded = id === null ? "" : encodeURIComponent(id);
  const pathname = op.path.replace("{id}", encoded || "x");
  return query ? `${pathname}?${query}` : pathname;
}

/**
 * Whether sending this request may start a workflow run; such requests go out at most
 * {@link MAX_WORKFLOW_STARTS} times per suite, then are skipped.
 */
function allowWorkflowStart(op: ApiOperation, id: string | null, body: string | undefined): boolean {
  let starts = false;
  if (op.method === "post" && op.path === "/api/v1/tasks" && op.body) {
    try {
      starts = op.body.safeParse(body ? JSON.parse(body) : {}).success;
    } catch {
      starts = false;
    }
  }
  if (op.method === "post" && op.path === "/api/v1/tasks/{id}/retry" && id === realTaskId) starts = true;
  if (!starts) return true;
  if (workflowStarts >= MAX_WORKFLOW_STARTS) return false;
  workflowStarts += 1;
  return true;
}

/** Runs one operation's property, keeping its failure (so one broken route does not hide the others). */
async function collect(failures: string[], label: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    failures.push(`${label}: ${error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error)}`.slice(0, 4_000));
  }
}

const fcParams = (numRuns: number) => ({ numRuns: runs(numRuns), seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined, endOnFailure: false });

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe("documented responses match real ones", () => {
  it("the main GET operations answer with their documented response schemas", async () => {
    const schemas = await import("@/lib/api/response-schemas");
    const { z } = await import("zod");
    const owner = await stack.signUp("Response checker");
    const mismatches: string[] = [];
    const check = async <T = unknown>(pathname: string, schema: z.ZodType, init?: RequestInit, status = 200): Promise<T> => {
      const res = await owner.json(pathname, init);
      if (res.status !== status) mismatches.push(`${init?.method ?? "GET"} ${pathname}: status ${res.status}, expected ${status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      else {
        const parsed = schema.safeParse(res.body);
        if (!parsed.success) {
          mismatches.push(`${init?.method ?? "GET"} ${pathname}: response does not match its documented schema: ${JSON.stringify(parsed.error.issues.slice(0, 5))} body: ${JSON.stringify(res.body).slice(0, 600)}`);
        }
      }
      return res.body as T;
    };

    // A squad that asks before planning and delivering, so approvals exist.
    const [squad] = await check<{ id: string }[]>("/api/v1/squads", z.array(schemas.squadSchema));
    const squadId = squad.id;
    await check(`/api/v1/squads/${squadId}`, schemas.squadSchema);
    await check(`/api/v1/squads/${squadId}`, schemas.squadSchema, { method: "PATCH", body: JSON.stringify({ autonomy: "human_required" }) });
    const task = await check<{ id: string }>("/api/v1/tasks", schemas.taskSchema, { method: "POST", body: JSON.stringify({ title: "Response check task" }) }, 201);
    workflowStarts += 1;
    await check("/api/v1/repositories", schemas.createdRepositorySchema, { method: "POST", body: JSON.stringify({ name: "gh", githubFullName: "octo/gh" }) }, 201);
    await check("/api/v1/api-keys", schemas.createdApiKeySchema, { method: "POST", body: JSON.stringify({ name: "checker" }) }, 201);

    // Approve whatever the run asks until it ends.
    const deadline = Date.now() + 90_000;
    let detail: TaskDetailJson;
    for (;;) {
      detail = await check<TaskDetailJson>(`/api/v1/tasks/${task.id}`, schemas.taskDetailSchema);
      if (["completed", "failed", "cancelled"].includes(detail.status)) break;
      const pending = await check<{ id: string }[]>("/api/v1/approvals?status=pending", z.array(schemas.approvalSchema));
      for (const a of pending) {
        await check(`/api/v1/approvals/${a.id}`, schemas.approvalSchema);
        await check(`/api/v1/approvals/${a.id}/decision`, schemas.approvalSchema, { method: "POST", body: JSON.stringify({ decision: "approve" }) });
      }
      if (Date.now() > deadline) throw new Error(`task still ${detail.status}`);
      await new Promise((r) => setTimeout(r, 200));
    }

    // Every documented GET with a JSON answer and no path parameter, plus the items above.
    for (const op of allOperations.filter((o) => o.method === "get" && !o.pathParams && (o.success.contentType ?? "application/json") === "application/json")) {
      // An operation whose query has required parameters (e.g. `q` of the knowledge search) is called with its example query.
      const needsQuery = op.query && !op.query.safeParse({}).success;
      if (op.success.schema) await check(needsQuery && op.queryExample ? `${op.path}?${new URLSearchParams(op.queryExample)}` : op.path, op.success.schema);
    }
    await check(`/api/v1/tasks/${task.id}`, schemas.taskDetailSchema);
    const approvals = await check<unknown[]>("/api/v1/approvals", z.array(schemas.approvalSchema));
    expect(approvals.length).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  }, 120_000);
});

describe("fuzzing every /api/v1 input (fast-check): no 5xx, 4xx in the error shape", () => {
  it("every documented operation is served by a route", () => {
    expect(allOperations.length).toBeGreaterThan(15);
    expect(unserved).toEqual([]);
  });

  it("refuses unauthenticated and garbage-bearer requests with 401 in the error shape", async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => !o.public)) {
      const url = urlFor(op, op.pathParams ? "00000000-0000-4000-8000-000000000000" : null, "");
      const body = op.body ? JSON.stringify(op.bodyExample) : undefined;
      const headers = op.body ? { "content-type": "application/json" } : undefined;
      await collect(failures, `${opKey(op)} without credentials`, async () => {
        const anonymous = await sendAndCheck({ method: op.method.toUpperCase(), url, body, headers }, null);
        if (anonymous.status !== 401) throw new Error(`answered ${anonymous.status}`);
      });
    }
    await collect(failures, "garbage bearer", () => fc.assert(
      fc.asyncProperty(fc.constantFrom(...operations.filter((o) => !o.public)), fc.oneof(urlString(300), fc.constant("sq_" + "A".repeat(64)), fc.base64String({ minLength: 4, maxLength: 200 }).map((b) => `sq_${b}`)), async (op, token) => {
        const header = `Bearer ${token.replace(/[\r\n\u0000]/g, "")}`.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?");
        const res = await sendAndCheck(
          { method: op.method.toUpperCase(), url: urlFor(op, op.pathParams ? realTaskId : null, ""), headers: { authorization: header }, body: op.body ? "{}" : undefined },
          null,
        );
        // `Bearer` followed by nothing usable is no credential at all: still 401.
        if (res.status !== 401) throw new Error(`${opKey(op)} with ${JSON.stringify(header.slice(0, 80))} → ${res.status}`);
      }),
      fcParams(60),
    ));
    expect(failures).toEqual([]);
  }, 120_000);

  it("public GET /api/v1/openapi.json ignores whatever it is sent", async () => {
    await fc.assert(
      fc.asyncProperty(queryArb({ method: "get", path: "/api/v1/openapi.json" } as ApiOperation), urlString(100), async (query, auth) => {
        const res = await sendAndCheck(
          { method: "GET", url: `/api/v1/openapi.json${query ? `?${query}` : ""}`, headers: { authorization: `Bearer ${auth}`.replace(/[^\t\x20-\x7e]/g, "?") } },
          null,
        );
        expect(res.status).toBe(200);
      }),
      fcParams(10),
    );
  });

  it("JSON bodies: arbitrary JSON, mutated valid examples, garbage and oversized bodies", async () => {
    const withBody = operations.filter((o) => o.body);
    expect(withBody.length).toBeGreaterThan(5);
    const failures: string[] = [];
    for (const op of withBody) {
      await collect(failures, opKey(op), () => fc.assert(
        fc.asyncProperty(bodyArb(op.bodyExample), fc.boolean(), async (body, realId) => {
          const id = op.pathParams ? (realId ? realIdsFor(op)[0] : "00000000-0000-4000-8000-000000000000") : null;
          if (!allowWorkflowStart(op, id, body)) return;
          await sendAndCheck({ method: op.method.toUpperCase(), url: urlFor(op, id, ""), body, headers: { "content-type": "application/json" } });
        }),
        fcParams(op.path === "/api/v1/tasks" ? 40 : 60),
      ));
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it("query strings: random dictionaries and mutations of valid queries", async () => {
    const withQuery = operations.filter((o) => o.query && !o.public);
    expect(withQuery.length).toBeGreaterThan(4);
    const failures: string[] = [];
    for (const op of withQuery) {
      const sse = op.success.contentType === "text/event-stream";
      await collect(failures, opKey(op), () => fc.assert(
        fc.asyncProperty(queryArb(op), fc.option(urlString(60)), async (query, lastEventId) => {
          const headers: Record<string, string> = {};
          if (sse && lastEventId !== null) headers["last-event-id"] = lastEventId.replace(/[^\t\x20-\x7e]/g, "?");
          await sendAndCheck({ method: "GET", url: urlFor(op, op.pathParams ? realIdsFor(op)[0] : null, query), headers });
        }),
        fcParams(sse ? 15 : 50),
      ));
    }
    // Every GET without declared inputs must also shrug off a random query.
    for (const op of operations.filter((o) => o.method === "get" && !o.query && !o.pathParams && !o.public)) {
      await collect(failures, opKey(op), () => fc.assert(
        fc.asyncProperty(queryArb(op), async (query) => {
          await sendAndCheck({ method: "GET", url: urlFor(op, null, query) });
        }),
        fcParams(10),
      ));
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it("path ids: random UUIDs, SQL-looking, unicode and huge strings", async () => {
    const withPath = operations.filter((o) => o.pathParams);
    expect(withPath.length).toBeGreaterThan(5);
    const failures: string[] = [];
    for (const op of withPath) {
      await collect(failures, opKey(op), () => fc.assert(
        fc.asyncProperty(idArb(realIdsFor(op)), async (id) => {
          const body = op.body ? JSON.stringify(op.bodyExample) : undefined;
          if (!allowWorkflowStart(op, id, body)) return;
          await sendAndCheck({
            method: op.method.toUpperCase(),
            url: urlFor(op, id, ""),
            body,
            headers: op.body ? { "content-type": "application/json" } : undefined,
          });
        }),
        fcParams(op.success.contentType === "text/event-stream" ? 15 : 40),
      ));
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
