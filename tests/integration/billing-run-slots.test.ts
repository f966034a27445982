import postgres from "postgres";
import { startStack, type Client, type Stack } from "../fixtures/stack";
import { startStripeStandIn, type StripeStandIn } from "../fixtures/vendors/stripe-stand-in";

/**
 * The plan's concurrent runs (`limits.concurrentRuns`, Free = 1) hold where runs start: with billing
 * on, a second task created while the first runs stays queued, its timeline says it waits for a free
 * run slot, and it starts by itself when the first ends. At no moment do both run.
 */

let stripeApi: StripeStandIn;
let stack: Stack;
let sql: postgres.Sql;
let alice: Client;

const post = (body: unknown = {}): RequestInit => ({ method: "POST", body: JSON.stringify(body) });
const ACTIVE = ["planning", "running", "testing", "reviewing"];

beforeAll(async () => {
  stripeApi = await startStripeStandIn();
  stack = await startStack("pglite", {
    env: {
      STRIPE_SECRET_KEY: "sk_test_standin",
      STRIPE_WEBHOOK_SECRET: "whsec_test_run_slots",
      STRIPE_API_URL: stripeApi.origin,
      BILLING_FREE_TASKS_PER_MONTH: "10",
      BILLING_METER_CRON: "0 0 1 1 *",
    },
  });
  sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
  alice = await stack.signUp("Alice");
}, 180_000);

afterAll(async () => {
  await sql?.end();
  await stack?.stop();
  await stripeApi?.close();
});

test("beyond the Free plan's one concurrent run, a task waits queued for a free run slot and then runs", async () => {
  const first = await alice.json<{ id: string }>("/api/v1/tasks", post({ title: "Add a DELETE /todos/:id endpoint" }));
  expect(first.status).toBe(201);
  const second = await alice.json<{ id: string }>("/api/v1/tasks", post({ title: "Add a DELETE /todos/:id endpoint, again" }));
  expect(second.status).toBe(201);
  const ids = [first.body.id, second.body.id];

  // Watch both until they end: never two active at once; the waiting one is told why.
  let maxActive = 0;
  let sawWaiting = false;
  for (const deadline = Date.now() + 150_000; ; ) {
    const rows = await sql<{ id: string; status: string }[]>`select id, status from tasks where id in ${sql(ids)}`;
    maxActive = Math.max(maxActive, rows.filter((r) => ACTIVE.includes(r.status)).length);
    const waiting = rows.find((r) => r.status === "queued");
    if (waiting && rows.some((r) => ACTIVE.includes(r.status))) sawWaiting = true;
    if (rows.every((r) => ["completed", "failed", "cancelled"].includes(r.status))) break;
    if (Date.now() > deadline) throw new Error(`tasks did not end: ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(maxActive).toBe(1);
  expect(sawWaiting).toBe(true);

  const events = await sql<{ task_id: string; message: string; data: { limit?: number; running?: number } }[]>`
    select task_id, message, data from task_events where task_id in ${sql(ids)} and data->>'waitingForRunSlot' = 'true'`;
  expect(events).toHaveLength(1);
  expect(events[0]?.message).toMatch(/^Waiting for a free run slot: the Free plan runs 1 task at a time and 1 is running/);
  expect(events[0]?.data).toMatchObject({ limit: 1, running: 1 });

  // Both ran to the end; the one that waited started only after the other had finished.
  const tasks = await sql<{ id: string; status: string; started_at: Date | null; completed_at: Date | null }[]>`
    select id, status, started_at, completed_at from tasks where id in ${sql(ids)}`;
  expect(tasks.map((t) => t.status)).toEqual(["completed", "completed"]);
  const waited = tasks.find((t) => t.id === events[0]?.task_id);
  const other = tasks.find((t) => t.id !== events[0]?.task_id);
  expect(waited?.started_at?.getTime()).toBeGreaterThanOrEqual(other?.completed_at?.getTime() ?? Infinity);
}, 180_000);
