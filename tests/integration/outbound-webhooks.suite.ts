import http from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";
import { Webhook } from "standardwebhooks";
import { startStack, type Client, type Stack } from "../fixtures/stack";

/** A request the test's receiver got, with the raw body (signatures are over the exact bytes). */
type Received = { path: string; headers: http.IncomingHttpHeaders; raw: string };
type EndpointJson = { id: string; url: string; enabled: boolean; consecutiveFailures: number; disabledReason: string | null; secret?: string };
type DeliveryJson = { id: string; eventId: string; eventType: string; attempt: number; status: string; responseStatus: number | null; error: string | null; manual: boolean; durationMs: number };

/**
 * A local receiver: answers each path from its own queue of statuses (then `fallback[path]`, else
 * 200) and records every request. Stands in for n8n / a user's own service.
 */
async function startReceiver() {
  const received: Received[] = [];
  const queues = new Map<string, number[]>();
  const fallback = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, raw: Buffer.concat(chunks).toString("utf8") });
      const status = queues.get(path)?.shift() ?? fallback.get(path) ?? 200;
      res.writeHead(status, status >= 300 && status < 400 ? { location: "http://127.0.0.1:1/elsewhere" } : { "content-type": "text/plain" });
      res.end(status < 300 ? "ok" : "nope");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    reply: (path: string, ...statuses: number[]) => queues.set(path, statuses),
    always: (path: string, status: number) => fallback.set(path, status),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * One backend per test file (outbound-webhooks.pglite/.postgres.test.ts): the app's modules read the
 * executor's URL once, so a second stack in the same file would talk to the first one's executor.
 */
export function defineOutboundWebhooksSuite(kind: "pglite" | "postgres"): void {
describe(`outbound webhooks on ${kind}`, () => {
  let stack: Stack;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let alice: Client;
  let sql: postgres.Sql;
  let endpoint: EndpointJson;

  beforeAll(async () => {
    receiver = await startReceiver();
    // Two retries 50 ms apart (three attempts per delivery) instead of the 27-hour production schedule.
    stack = await startStack(kind, { env: { OUTBOUND_WEBHOOK_RETRY_DELAYS_MS: "50,50" } });
    sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
    alice = await stack.signUp("Alice", `alice-${kind}-${Date.now()}@example.test`);
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await stack?.stop();
    await receiver?.close();
  });

  test("create validates its input and shows a whsec_ secret once, stored encrypted", async () => {
    const bad = await alice.json<{ error: { code: string; details: { issues: { path: string }[] } } }>("/api/v1/webhook-endpoints", {
      method: "POST",
      body: JSON.stringify({ url: "ftp://example.test/x", eventTypes: [] }),
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.issues.map((i) => i.path).sort()).toEqual(["eventTypes", "url"]);

    const created = await alice.json<EndpointJson>("/api/v1/webhook-endpoints", {
      method: "POST",
      body: JSON.stringify({ url: `${receiver.origin}/hook`, description: "n8n", eventTypes: ["task.created", "task.completed", "approval.requested"] }),
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    endpoint = created.body;

    const got = await alice.json<EndpointJson>(`/api/v1/webhook-endpoints/${endpoint.id}`);
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty("secret");
    const [row] = await sql`select secret_encrypted from outbound_webhook_endpoints where id = ${endpoint.id}`;
    expect(row.secret_encrypted).toMatch(/^\$ba\$/);
    expect(row.secret_encrypted).not.toContain(endpoint.secret!.slice(6));
    const audit = await sql`select action from audit_events where target_id = ${endpoint.id}`;
    expect(audit.map((a) => a.action)).toContain("webhook_endpoint.created");
  });

  test("a new task is delivered signed per Standard Webhooks; a 500 is retried, then it succeeds", async () => {
    receiver.reply("/hook", 500);
    const task = await alice.json<{ id: string }>("/api/v1/tasks", { method: "POST", body: JSON.stringify({ title: "Webhook me" }) });
    expect(task.status).toBe(201);

    const deliveries = await until("two attempts of task.created", async () => {
      const { body } = await alice.json<{ items: DeliveryJson[] }>(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`);
      const created = body.items.filter((d) => d.eventType === "task.created");
      return created.length >= 2 ? created : undefined;
    });
    expect(deliveries.map((d) => [d.attempt, d.status, d.responseStatus])).toEqual([
      [2, "succeeded", 200],
      [1, "failed", 500],
    ]);
    expect(deliveries[1].error).toBe("HTTP 500");

    const hits = receiver.received.filter((r) => r.path === "/hook");
    expect(hits.length).toBeGreaterThanOrEqual(2);
    const [first, second] = hits;
    // Same message id on the retry, so a receiver can de-duplicate.
    expect(second.headers["webhook-id"]).toBe(first.headers["webhook-id"]);
    expect(first.headers["webhook-id"]).toBe(deliveries[0].eventId);
    const wh = new Webhook(endpoint.secret!);
    const headers = {
      "webhook-id": String(second.headers["webhook-id"]),
      "webhook-timestamp": String(second.headers["webhook-timestamp"]),
      "webhook-signature": String(second.headers["webhook-signature"]),
    };
    const payload = wh.verify(second.raw, headers) as { type: string; data: { task: { id: string; title: string; status: string; url: string } } };
    expect(payload).toMatchObject({ type: "task.created", data: { task: { id: task.body.id, title: "Webhook me", status: "queued" } } });
    expect(payload.data.task.url).toMatch(new RegExp(`/tasks/${task.body.id}$`));
    // A changed body or another secret does not verify.
    expect(() => wh.verify(second.raw.replace("Webhook me", "Webhook you"), headers)).toThrow();
    expect(() => new Webhook(`whsec_${Buffer.from("another secret of 24+ bytes!").toString("base64")}`).verify(second.raw, headers)).toThrow();

    // The task's completion follows as task.completed.
    await stack.waitForTask(alice, task.body.id);
    const completed = await until("task.completed", async () =>
      receiver.received.find((r) => r.path === "/hook" && r.raw.includes('"task.completed"')),
    );
    expect(JSON.parse(completed.raw)).toMatchObject({ type: "task.completed", data: { task: { id: task.body.id, status: "completed" } } });
  }, 120_000);

  test("resend delivers the same message again, marked manual", async () => {
    const { body } = await alice.json<{ items: DeliveryJson[] }>(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`);
    const original = body.items.find((d) => d.eventType === "task.created" && d.status === "succeeded")!;
    const before = receiver.received.length;
    const resent = await alice.json<{ runKey: string; eventId: string }>(
      `/api/v1/webhook-endpoints/${endpoint.id}/deliveries/${original.id}/resend`,
      { method: "POST" },
    );
    expect(resent.status).toBe(202);
    expect(resent.body.eventId).toBe(original.eventId);
    const manual = await until("the manual delivery", async () => {
      const list = await alice.json<{ items: DeliveryJson[] }>(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`);
      return list.body.items.find((d) => d.manual);
    });
    expect(manual).toMatchObject({ status: "succeeded", responseStatus: 200, eventId: original.eventId, attempt: 1 });
    const again = receiver.received.slice(before).find((r) => r.headers["webhook-id"] === original.eventId);
    expect(again).toBeDefined();
  }, 60_000);

  test("a redirect is not followed: the delivery fails", async () => {
    const created = await alice.json<EndpointJson>("/api/v1/webhook-endpoints", {
      method: "POST",
      body: JSON.stringify({ url: `${receiver.origin}/moved`, eventTypes: ["approval.requested"] }),
    });
    receiver.always("/moved", 302);
    const [task] = await sql`select id from tasks where parent_task_id is null order by created_at limit 1`;
    const [org] = await sql`select organization_id from tasks where id = ${task.id}`;
    await sql`insert into approvals (organization_id, task_id, kind, reason) values (${org.organization_id}, ${task.id}, 'plan', 'redirect test')`;
    await sendDispatch();
    const failed = await until("the redirect attempts", async () => {
      const list = await alice.json<{ items: DeliveryJson[] }>(`/api/v1/webhook-endpoints/${created.body.id}/deliveries`);
      return list.body.items.length >= 3 ? list.body.items : undefined;
    });
    expect(failed.every((d) => d.status === "failed" && d.responseStatus === 302 && d.error === "Redirect (302) not followed")).toBe(true);
    expect(receiver.received.some((r) => r.path === "/elsewhere")).toBe(false);
    await alice.fetch(`/api/v1/webhook-endpoints/${created.body.id}`, { method: "DELETE" });
  }, 60_000);

  /** Wakes the outbox dispatcher now (it also sweeps every minute and runs after task events). */
  async function sendDispatch(): Promise<void> {
    const { inngest } = await import("@/inngest/client");
    const { outboundWebhooksDispatchRequested } = await import("@/inngest/events");
    await inngest.send(outboundWebhooksDispatchRequested.create({}));
  }

  test("five deliveries failing every retry disable the endpoint and e-mail the owner", async () => {
    const created = await alice.json<EndpointJson>("/api/v1/webhook-endpoints", {
      method: "POST",
      body: JSON.stringify({ url: `${receiver.origin}/down`, eventTypes: ["approval.requested"] }),
    });
    receiver.always("/down", 503);
    const [task] = await sql`select id, organization_id from tasks where parent_task_id is null order by created_at limit 1`;
    // Five approvals requested (the trigger writes one outbox event each, as the app's inserts do).
    for (let i = 0; i < 5; i++) {
      await sql`insert into approvals (organization_id, task_id, kind, reason) values (${task.organization_id}, ${task.id}, 'plan', ${`failing ${i}`})`;
    }
    await sendDispatch();
    const disabled = await until("the endpoint disabled", async () => {
      const { body } = await alice.json<EndpointJson>(`/api/v1/webhook-endpoints/${created.body.id}`);
      return body.enabled ? undefined : body;
    }, 90_000);
    expect(disabled.consecutiveFailures).toBe(5);
    expect(disabled.disabledReason).toMatch(/5 consecutive failed deliveries/);
    const attempts = await alice.json<{ items: DeliveryJson[] }>(`/api/v1/webhook-endpoints/${created.body.id}/deliveries`);
    expect(attempts.body.items).toHaveLength(15);
    expect(attempts.body.items.every((d) => d.status === "failed" && d.responseStatus === 503)).toBe(true);

    const [owner] = await sql`select u.email from "user" u join member m on m.user_id = u.id where m.organization_id = ${task.organization_id} and m.role = 'owner'`;
    const mail = await until("the owner's e-mail", async () => {
      const rows = await sql`select "to", subject, text from mail_outbox where organization_id = ${task.organization_id} and subject like 'Webhook endpoint disabled%'`;
      return rows[0];
    });
    expect(mail.to).toBe(owner.email);
    expect(mail.subject).toContain(`${receiver.origin}/down`);

    // Disabled: a resend is refused; enabling again resets the count.
    const resend = await alice.json(`/api/v1/webhook-endpoints/${created.body.id}/deliveries/${attempts.body.items[0].id}/resend`, { method: "POST" });
    expect(resend.status).toBe(409);
    const enabled = await alice.json<EndpointJson>(`/api/v1/webhook-endpoints/${created.body.id}`, { method: "PATCH", body: JSON.stringify({ enabled: true }) });
    expect(enabled.body).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null });
  }, 120_000);

  test("another organization's endpoint is a 404 everywhere; rotate and delete work for the owner", async () => {
    const bob = await stack.signUp("Bob", `bob-${kind}-${Date.now()}@example.test`);
    expect((await bob.json<{ items: unknown[] }>("/api/v1/webhook-endpoints")).body.items).toEqual([]);
    const { body } = await alice.json<{ items: DeliveryJson[] }>(`/api/v1/webhook-endpoints/${endpoint.id}/deliveries`);
    const base = `/api/v1/webhook-endpoints/${endpoint.id}`;
    expect((await bob.fetch(base)).status).toBe(404);
    expect((await bob.fetch(base, { method: "PATCH", body: JSON.stringify({ enabled: false }) })).status).toBe(404);
    expect((await bob.fetch(`${base}/deliveries`)).status).toBe(404);
    expect((await bob.fetch(`${base}/rotate-secret`, { method: "POST" })).status).toBe(404);
    expect((await bob.fetch(`${base}/deliveries/${body.items[0].id}/resend`, { method: "POST" })).status).toBe(404);
    expect((await bob.fetch(base, { method: "DELETE" })).status).toBe(404);

    const rotated = await alice.json<EndpointJson>(`${base}/rotate-secret`, { method: "POST" });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect((await alice.fetch(base, { method: "DELETE" })).status).toBe(204);
    expect((await alice.fetch(base)).status).toBe(404);
  }, 60_000);
});
}
