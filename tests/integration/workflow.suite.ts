import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import postgres from "postgres";
import { startStack, type Client, type Stack } from "../fixtures/stack";

const require = createRequire(import.meta.url);
type WebhookExample = { name: string; examples: { action?: string; issue?: { number: number; title: string } }[] };
const webhookExamples: WebhookExample[] = require("@octokit/webhooks-examples");

/** Reads SSE messages from a stream until `until` says stop (or the timeout). */
async function readEvents(
  client: Client,
  taskId: string,
  opts: { lastEventId?: string; until: (msgs: EventSourceMessage[]) => boolean; timeoutMs?: number },
): Promise<{ messages: EventSourceMessage[]; comments: string[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 30_000);
  const messages: EventSourceMessage[] = [];
  const comments: string[] = [];
  const res = await client.fetch(`/api/v1/tasks/${taskId}/events`, {
    headers: opts.lastEventId ? { "last-event-id": opts.lastEventId } : {},
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const parser = createParser({ onEvent: (m) => messages.push(m), onComment: (c) => comments.push(c) });
  const decoder = new TextDecoder();
  try {
    if (!res.body) throw new Error("no body");
    for await (const chunk of res.body) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      if (opts.until(messages)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { messages, comments };
}

/**
 * The end-to-end workflow suite, run once per database backend from its own test file (each file gets
 * fresh app modules, so the app's env and Inngest client point at that file's stack).
 */
export function defineWorkflowSuite(kind: "pglite" | "postgres"): void {
  describe(`task workflow end to end on ${kind}`, () => {
    let stack: Stack;
    let alice: Client;

    beforeAll(async () => {
      stack = await startStack(kind);
      alice = await stack.signUp("Alice");
    }, 120_000);

    afterAll(async () => {
      await stack?.stop();
    });

    test("the DELETE task is planned, implemented, tested and reviewed with a real patch", async () => {
      const created = await alice.json<{ id: string; status: string }>("/api/v1/tasks", {
        method: "POST",
        body: JSON.stringify({ title: "Add a DELETE /todos/:id endpoint", description: "Return 204, or 404 if missing." }),
      });
      expect(created.status).toBe(201);
      expect(created.body.status).toBe("queued");

      const task = await stack.waitForTask(alice, created.body.id);
      expect(task.error).toBeNull();
      expect(task.status).toBe("completed");
      const kinds = task.artifacts.map((a) => a.kind).sort();
      expect(kinds).toEqual(["patch", "plan", "review", "test_report"]);
      const patch = task.artifacts.find((a) => a.kind === "patch");
      expect(patch?.content).toMatch(/^diff --git/m);
      expect(patch?.content).toMatch(/DELETE/);
      const report = task.artifacts.find((a) => a.kind === "test_report");
      expect(report?.data.passed).toBe(true);
      expect(task.subtasks.length).toBeGreaterThan(0);
      expect(task.subtasks.every((s) => s.status === "completed")).toBe(true);
      expect(task.usage.calls).toBeGreaterThanOrEqual(4);
      expect(task.usage.byRole.map((r) => r.role).sort()).toEqual(["developer", "product_manager", "qa_engineer", "tech_lead"]);

      // The usage ledger holds exactly one row per model step.
      const sql = postgres(stack.database.url, { prepare: false, max: 1 });
      const rows = await sql`select run_id, step_id, provider, latency_ms from llm_calls where task_id = ${task.id}`;
      const keys = new Set(rows.map((r) => `${r.run_id}/${r.step_id}`));
      expect(keys.size).toBe(rows.length);
      expect(rows.every((r) => r.provider === "offline")).toBe(true);
      await sql.end();

      // The branch holds the change.
      const list = await alice.json<{ items: { id: string; title: string; status: string; source: string }[] }>("/api/v1/tasks");
      expect(list.body.items[0]).toMatchObject({ id: task.id, status: "completed", source: "web" });
    });

    test("any other task completes with a plan and a review that says no code was written", async () => {
      const created = await alice.json<{ id: string }>("/api/v1/tasks", {
        method: "POST",
        body: JSON.stringify({ title: "Rewrite the app in Rust" }),
      });
      expect(created.status).toBe(201);
      const task = await stack.waitForTask(alice, created.body.id);
      expect(task.status).toBe("completed");
      expect(task.artifacts.some((a) => a.kind === "plan")).toBe(true);
      expect(task.artifacts.some((a) => a.kind === "patch")).toBe(false);
      const review = task.artifacts.find((a) => a.kind === "review");
      expect(review?.content).toMatch(/no code was written/i);
      expect(review?.content).toMatch(/no model is configured/i);
    });

    test("the timeline streams as SSE with ids, resumes from Last-Event-ID, and only to the organization", async () => {
      const created = await alice.json<{ id: string }>("/api/v1/tasks", {
        method: "POST",
        body: JSON.stringify({ title: "Add a DELETE /todos/:id endpoint" }),
      });
      const isDone = (msgs: EventSourceMessage[]) => msgs.some((m) => /"status":"completed"/.test(m.data));
      const first = await readEvents(alice, created.body.id, { until: isDone, timeoutMs: 90_000 });
      expect(isDone(first.messages)).toBe(true);
      const ids = first.messages.map((m) => Number(m.id));
      expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      const actors = new Set(first.messages.map((m) => (JSON.parse(m.data) as { actor: string }).actor));
      for (const role of ["product_manager", "developer", "qa_engineer", "tech_lead"]) expect(actors.has(role)).toBe(true);
      const offlineMessage = first.messages.map((m) => JSON.parse(m.data) as { data: { offline?: boolean } }).find((d) => d.data.offline);
      expect(offlineMessage).toBeDefined();

      const middle = first.messages[Math.floor(first.messages.length / 2)];
      const resumed = await readEvents(alice, created.body.id, {
        lastEventId: middle.id,
        until: (msgs) => msgs.length >= first.messages.length - first.messages.indexOf(middle) - 1,
        timeoutMs: 5_000,
      });
      expect(resumed.messages.map((m) => m.id)).toEqual(first.messages.slice(first.messages.indexOf(middle) + 1).map((m) => m.id));

      const mallory = await stack.signUp("Mallory");
      expect((await mallory.fetch(`/api/v1/tasks/${created.body.id}/events`)).status).toBe(404);
      expect((await mallory.fetch(`/api/v1/tasks/${created.body.id}`)).status).toBe(404);
      expect((await mallory.json<{ items: unknown[] }>("/api/v1/tasks")).body).toEqual({ items: [], nextCursor: null });
      const anonymous = await fetch(`${stack.url}/api/v1/tasks/${created.body.id}/events`);
      expect(anonymous.status).toBe(401);
    });

    test("bad input gets a 4xx that says what to fix and stores nothing", async () => {
      const before = (await alice.json<{ items: unknown[] }>("/api/v1/tasks?limit=100")).body.items.length;
      const missing = await alice.json<{ error: { code: string; message: string } }>("/api/v1/tasks", {
        method: "POST",
        body: JSON.stringify({ description: "no title" }),
      });
      expect(missing.status).toBe(422);
      expect(missing.body.error.code).toBe("invalid_input");
      expect(missing.body.error.message).toMatch(/title/);
      const notJson = await alice.json<{ error: { code: string } }>("/api/v1/tasks", { method: "POST", body: "{nope" });
      expect(notJson.status).toBe(400);
      const badSquad = await alice.json<{ error: { code: string } }>("/api/v1/tasks", {
        method: "POST",
        body: JSON.stringify({ title: "x", squadId: "00000000-0000-4000-8000-000000000000" }),
      });
      expect(badSquad.status).toBe(404);
      expect((await alice.json<{ items: unknown[] }>("/api/v1/tasks?limit=100")).body.items.length).toBe(before);
      expect((await alice.fetch("/api/v1/tasks/not-a-uuid")).status).toBe(404);
    });

    test("a signed GitHub issues.opened delivery creates one task that completes; redelivery and bad signatures create nothing", async () => {
      const { ensureExampleRepository } = await import("@/lib/workspace");
      const repoPath = await ensureExampleRepository(stack.dataDir);
      const repo = await alice.json<{ id: string; webhookUrl: string; webhookSecret: string }>("/api/v1/repositories", {
        method: "POST",
        body: JSON.stringify({ name: "todo-api", localPath: repoPath, githubFullName: "octo/todo-api", testCommand: "npm test" }),
      });
      expect(repo.status).toBe(201);
      expect(repo.body.webhookUrl).toContain(`/api/webhooks/github/${repo.body.id}`);
      expect(repo.body.webhookSecret).toMatch(/^[0-9a-f]{64}$/);

      const opened = webhookExamples.find((w) => w.name === "issues")?.examples.find((e) => e.action === "opened");
      if (!opened?.issue) throw new Error("no issues.opened example");
      const body = JSON.stringify(opened);
      const sign = (secret: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
      const deliver = (signature: string, delivery: string, payload = body) =>
        fetch(`${stack.url}/api/webhooks/github/${repo.body.id}`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-github-event": "issues",
            "x-github-delivery": delivery,
            "x-hub-signature-256": signature,
          },
          body: payload,
        });
      const sql = postgres(stack.database.url, { prepare: false, max: 1 });
      const deliveries = async () => Number((await sql`select count(*)::int as n from webhook_deliveries`)[0].n);

      // The secret is stored encrypted: no column of the row holds it in plaintext.
      const [stored] = await sql`select * from repositories where id = ${repo.body.id}`;
      expect(stored.webhook_secret_encrypted).toMatch(/^\$ba\$\d+\$[0-9a-f]+$/);
      expect(JSON.stringify(stored)).not.toContain(repo.body.webhookSecret);
      expect(Object.keys(stored)).not.toContain("webhook_secret");

      const bad = await deliver(sign("wrong-secret"), "delivery-bad");
      expect(bad.status).toBe(401);
      expect(await deliveries()).toBe(0);
      const malformed = await deliver(
        `sha256=${createHmac("sha256", repo.body.webhookSecret).update("{oops").digest("hex")}`,
        "delivery-malformed",
        "{oops",
      );
      expect(malformed.status).toBe(400);
      expect(await deliveries()).toBe(0);

      const accepted = await deliver(sign(repo.body.webhookSecret), "delivery-1");
      expect(accepted.status).toBe(202);
      const result = (await accepted.json()) as { outcome: string; taskId: string };
      expect(result.outcome).toBe("accepted");
      const task = await stack.waitForTask(alice, result.taskId);
      expect(task.status).toBe("completed");
      expect(task.source).toBe("github");
      expect(task.title).toBe(opened.issue.title);
      expect(task.artifacts.map((a) => a.kind)).toEqual(expect.arrayContaining(["plan", "test_report", "review"]));

      const redelivered = await deliver(sign(repo.body.webhookSecret), "delivery-1");
      expect(redelivered.status).toBe(202);
      expect(((await redelivered.json()) as { outcome: string }).outcome).toBe("duplicate");
      const githubTasks = await sql`select count(*)::int as n from tasks where source = 'github'`;
      expect(githubTasks[0].n).toBe(1);
      expect(await deliveries()).toBe(1);
      await sql.end();
    });
  });
}
