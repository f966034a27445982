import { createHmac, randomUUID } from "node:crypto";
import postgres from "postgres";
import Stripe from "stripe";
import { startStack, type Client, type Stack, type TaskDetailJson } from "../fixtures/stack";
import { JIRA_STAND_IN_ACCOUNT, jiraIssueWebhook, startJiraStandIn, type JiraStandIn } from "../fixtures/vendors/jira-stand-in";
import { startStripeStandIn, type StripeStandIn } from "../fixtures/vendors/stripe-stand-in";

/**
 * Stripe billing end to end (PGlite): the real `stripe` client against a local stand-in speaking
 * Stripe's wire format, webhooks signed with `stripe.webhooks.generateTestHeaderString`, the workflow
 * engine applying events. Free → quota 402 at every entry point → checkout → webhook → Team with
 * higher limits; redelivered, stale and foreign events; payment failed → grace → restricted; metered
 * overage sent once across a retry and a crash; Stripe unreachable or refusing → 503 / 502.
 */

type ErrorJson = { error: { code: string; message: string; details?: Record<string, unknown> } };
type BillingJson = {
  billingEnabled: boolean;
  plan: { id: string; name: string };
  status: string;
  limits: { tasksPerMonth: number | null; includedSpendUsdMicros: number | null };
  usage: { tasks: number; spendUsdMicros: number; seats: number; repositories: number };
  periodEnd: string;
  graceEndsAt: string | null;
  cancelAtPeriodEnd: boolean;
};

const WEBHOOK_SECRET = "whsec_test_standin_secret";
let stripeApi: StripeStandIn;
let jira: JiraStandIn;
let stack: Stack;
let sql: postgres.Sql;
let alice: Client;
let bob: Client;
const a = { organizationId: "", customerId: "", repositoryId: "", webhookSecret: "" };
const signer = new Stripe("sk_test_signer");
let eventSeq = 0;
const baseCreated = Math.floor(Date.now() / 1000);

const post = (body: unknown = {}): RequestInit => ({ method: "POST", body: JSON.stringify(body) });

/** Quotas count tasks, not their runs: stop a created task's run at once to keep the suite fast. */
async function cancelRun(client: Client, taskId: string): Promise<void> {
  expect((await client.json(`/api/v1/tasks/${taskId}/cancel`, post({ reason: "billing test: only the creation matters" }))).status).toBe(200);
}

async function organizationOf(client: Client): Promise<string> {
  const session = await client.json<{ user: { id: string } }>("/api/auth/get-session");
  const [row] = await sql<{ organization_id: string }[]>`select organization_id from member where user_id = ${session.body.user.id} limit 1`;
  return row.organization_id;
}

/** A Stripe event as Stripe sends it. `created` orders subscription events (seconds after the suite started). */
function stripeEvent(type: string, object: Record<string, unknown>, opts: { id?: string; createdOffset?: number } = {}) {
  return {
    id: opts.id ?? `evt_test_${++eventSeq}_${randomUUID().slice(0, 8)}`,
    object: "event",
    api_version: "2026-10-28.endive",
    created: baseCreated + (opts.createdOffset ?? eventSeq),
    type,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object },
  };
}

async function deliver(event: unknown, opts: { secret?: string; signature?: string | null } = {}): Promise<Response> {
  const payload = JSON.stringify(event);
  const signature =
    opts.signature === undefined ? signer.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WEBHOOK_SECRET }) : opts.signature;
  return fetch(`${stack.url}/api/webhooks/stripe`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature ? { "stripe-signature": signature } : {}) },
    body: payload,
  });
}

async function processed(eventId: string, timeoutMs = 30_000): Promise<{ outcome: string | null; matched_organization_id: string | null }> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const [row] = await sql<{ outcome: string | null; matched_organization_id: string | null; processed_at: Date | null }[]>`
      select outcome, matched_organization_id, processed_at from stripe_events where id = ${eventId}`;
    if (row?.processed_at) return row;
    if (Date.now() > deadline) throw new Error(`stripe event ${eventId} not processed`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function billingOf(client: Client): Promise<BillingJson> {
  const res = await client.json<BillingJson>("/api/v1/billing");
  expect(res.status).toBe(200);
  // The documented response schema (imported after startStack: lib/env reads the stack's environment).
  const { billingOverviewSchema } = await import("@/lib/billing/schemas");
  expect(billingOverviewSchema.safeParse(res.body).error?.issues ?? []).toEqual([]);
  return res.body;
}

function subscription(overrides: Record<string, unknown> = {}) {
  const start = baseCreated - 60;
  return {
    id: "sub_test_alice",
    object: "subscription",
    customer: a.customerId,
    status: "active",
    cancel_at_period_end: false,
    items: { object: "list", data: [{ id: "si_1", price: { id: "price_team_test" }, current_period_start: start, current_period_end: start + 30 * 86_400 }] },
    metadata: { organization_id: a.organizationId, plan: "team" },
    ...overrides,
  };
}

async function auditCount(organizationId: string, action: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from audit_events where organization_id = ${organizationId} and action = ${action}`;
  return row.n;
}

function signGithub(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

beforeAll(async () => {
  stripeApi = await startStripeStandIn();
  jira = await startJiraStandIn();
  stack = await startStack("pglite", {
    env: {
      STRIPE_SECRET_KEY: "sk_test_standin",
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_API_URL: stripeApi.origin,
      STRIPE_PRICE_TEAM: "price_team_test",
      STRIPE_PRICE_BUSINESS: "price_business_test",
      STRIPE_PRICE_MODEL_SPEND: "price_spend_test",
      BILLING_FREE_TASKS_PER_MONTH: "1",
      BILLING_GRACE_PERIOD_DAYS: "3",
      // No scheduled metering run in the middle of the test (1 January, 00:00).
      BILLING_METER_CRON: "0 0 1 1 *",
    },
  });
  sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
  alice = await stack.signUp("Alice");
  bob = await stack.signUp("Bob");
  a.organizationId = await organizationOf(alice);
  const repo = await alice.json<{ id: string; webhookSecret: string }>("/api/v1/repositories", post({ name: "octo", githubFullName: "octo/todo-api" }));
  expect(repo.status).toBe(201);
  a.repositoryId = repo.body.id;
  a.webhookSecret = repo.body.webhookSecret;
}, 180_000);

afterAll(async () => {
  await sql?.end();
  await stack?.stop();
  await stripeApi?.close();
  await jira?.close();
});

describe("Free plan quota", () => {
  test("the Free plan's limits are shown; the task beyond the quota is a 402 from the UI and the API, nothing stored", async () => {
    const before = await billingOf(alice);
    expect(before).toMatchObject({ billingEnabled: true, plan: { id: "free" }, status: "none", limits: { tasksPerMonth: 1 }, usage: { tasks: 0 } });

    const first = await alice.json<{ id: string }>("/api/v1/tasks", post({ title: "First task of the month" }));
    expect(first.status).toBe(201);
    await cancelRun(alice, first.body.id);

    const refused = await alice.json<ErrorJson>("/api/v1/tasks", post({ title: "One too many" }));
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe("quota_exceeded");
    expect(refused.body.error.message).toMatch(/Free plan allows 1 tasks/);
    expect(refused.body.error.details).toMatchObject({ plan: "free", quota: "tasksPerMonth", limit: 1, usage: 1, resetsAt: before.periodEnd });

    const key = await alice.json<{ key: string }>("/api/v1/api-keys", post({ name: "CI" }));
    const viaKey = await stack.withApiKey(key.body.key).json<ErrorJson>("/api/v1/tasks", post({ title: "From CI" }));
    expect(viaKey.status).toBe(402);
    expect(viaKey.body.error.code).toBe("quota_exceeded");

    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from tasks where organization_id = ${a.organizationId} and parent_task_id is null`;
    expect(n).toBe(1);
    expect((await billingOf(alice)).usage.tasks).toBe(1);
  });

  test("a GitHub issue over the quota is recorded as a refused task, not dropped, and does not count", async () => {
    const body = JSON.stringify({
      action: "opened",
      issue: { number: 7, title: "Issue over the quota", body: "please", html_url: "https://github.com/octo/todo-api/issues/7" },
      repository: { full_name: "octo/todo-api" },
    });
    const res = await fetch(`${stack.url}/api/webhooks/github/${a.repositoryId}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "issues", "x-github-delivery": randomUUID(), "x-hub-signature-256": signGithub(body, a.webhookSecret) },
      body,
    });
    expect(res.status).toBe(202);
    const reply = (await res.json()) as { outcome: string; taskId: string; reason?: string };
    // The sender (and whoever reads GitHub's delivery log) sees the refusal, not "accepted".
    expect(reply.outcome).toBe("refused");
    expect(reply.reason).toMatch(/Refused \(quota_exceeded\).*Free plan allows 1 tasks/);
    const { taskId } = reply;
    const task = await alice.json<TaskDetailJson>(`/api/v1/tasks/${taskId}`);
    expect(task.body.status).toBe("failed");
    expect(task.body.error).toMatch(/Refused \(quota_exceeded\).*Free plan allows 1 tasks/);
    const [refusal] = await sql<{ code: string }[]>`select code from billing_refusals where task_id = ${taskId}`;
    expect(refusal.code).toBe("quota_exceeded");
    expect((await billingOf(alice)).usage.tasks).toBe(1);
  });

  test("a Jira issue over the quota is recorded as a refused task too", async () => {
    const saved = await alice.json<{ id: string; webhookSecret?: string }>("/api/v1/integrations/jira", {
      method: "PUT",
      body: JSON.stringify({
        siteUrl: jira.origin,
        accountEmail: JIRA_STAND_IN_ACCOUNT.email,
        apiToken: JIRA_STAND_IN_ACCOUNT.apiToken,
        projectKeys: ["PROJ"],
        trigger: { kind: "label", label: "squad" },
      }),
    });
    expect(saved.status).toBe(201);
    const { body, headers } = jiraIssueWebhook({ siteUrl: jira.origin, event: "jira:issue_created", key: "PROJ-9", summary: "Jira issue over the quota", labels: ["squad"], secret: saved.body.webhookSecret ?? "" });
    const res = await fetch(`${stack.url}/api/webhooks/jira/${saved.body.id}`, { method: "POST", headers, body });
    expect(res.status).toBe(202);
    const reply = (await res.json()) as { outcome: string; taskId: string; reason?: string };
    expect(reply).toMatchObject({ outcome: "refused", reason: expect.stringMatching(/Refused \(quota_exceeded\)/) });
    const { taskId } = reply;
    const task = await alice.json<TaskDetailJson>(`/api/v1/tasks/${taskId}`);
    expect(task.body).toMatchObject({ status: "failed", source: "jira" });
    expect(task.body.error).toMatch(/Refused \(quota_exceeded\)/);
    expect((await billingOf(alice)).usage.tasks).toBe(1);
  });
});

describe("Free plan repositories and seats", () => {
  test("a repository beyond the plan's limit is a 402 and is not stored", async () => {
    const before = await billingOf(alice);
    expect(before.usage.repositories).toBe(2); // the bundled example + octo/todo-api; Free allows 2
    const third = await alice.json<ErrorJson>("/api/v1/repositories", post({ name: "third", githubFullName: "octo/third" }));
    expect(third.status).toBe(402);
    expect(third.body.error).toMatchObject({ code: "quota_exceeded", details: { quota: "repositories", limit: 2, usage: 2 } });
    expect((await billingOf(alice)).usage.repositories).toBe(2);
  });

  test("an invitation cannot be accepted beyond the plan's seats", async () => {
    const seatHolders = [await stack.signUp("Seat one"), await stack.signUp("Seat two")];
    for (const client of seatHolders) {
      const session = await client.json<{ user: { id: string } }>("/api/auth/get-session");
      await sql`insert into member (id, organization_id, user_id, role, created_at) values (${randomUUID()}, ${a.organizationId}, ${session.body.user.id}, 'member', now())`;
    }
    expect((await billingOf(alice)).usage.seats).toBe(3); // Free allows 3
    const email = `late-${randomUUID().slice(0, 8)}@example.test`;
    const invitation = await alice.json<{ id: string }>("/api/auth/organization/invite-member", post({ email, role: "member", organizationId: a.organizationId }));
    expect(invitation.status).toBe(200);
    const late = await stack.signUp("Late", email);
    const accepted = await late.json<{ message?: string; code?: string }>("/api/auth/organization/accept-invitation", post({ invitationId: invitation.body.id }));
    expect(accepted.status).toBe(403);
    expect(JSON.stringify(accepted.body)).toMatch(/MEMBERSHIP_LIMIT_REACHED|membership limit/i);
    expect((await billingOf(alice)).usage.seats).toBe(3);
    // Back to one member for the rest of the suite.
    await sql`delete from member where organization_id = ${a.organizationId} and role = 'member'`;
  });
});

describe("checkout, webhooks and the plan", () => {
  test("checkout creates the Stripe customer once and answers the Checkout URL; members cannot", async () => {
    const first = await alice.json<{ url: string }>("/api/v1/billing/checkout", post({ plan: "team" }));
    expect(first.status).toBe(200);
    expect(first.body.url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    const second = await alice.json<{ url: string }>("/api/v1/billing/checkout", post({ plan: "business" }));
    expect(second.status).toBe(200);

    const creates = stripeApi.requests.filter((r) => r.path === "/v1/customers");
    expect(creates).toHaveLength(1);
    expect(creates[0].form["metadata[organization_id]"]).toBe(a.organizationId);
    const sessions = stripeApi.requests.filter((r) => r.path === "/v1/checkout/sessions");
    expect(sessions).toHaveLength(2);
    const [row] = await sql<{ stripe_customer_id: string }[]>`select stripe_customer_id from billing_accounts where organization_id = ${a.organizationId}`;
    a.customerId = row.stripe_customer_id;
    expect(sessions[0].form).toMatchObject({
      mode: "subscription",
      customer: a.customerId,
      client_reference_id: a.organizationId,
      "line_items[0][price]": "price_team_test",
      "line_items[1][price]": "price_spend_test",
      "metadata[plan]": "team",
    });
    expect(sessions[1].form["line_items[0][price]"]).toBe("price_business_test");
    expect(await auditCount(a.organizationId, "billing.checkout_started")).toBe(2);

    const unknownPlan = await alice.json<ErrorJson>("/api/v1/billing/checkout", post({ plan: "platinum" }));
    expect(unknownPlan.status).toBe(422);

    const member = await stack.signUp("Mallory");
    await sql`insert into member (id, organization_id, user_id, role, created_at)
      values (${randomUUID()}, ${a.organizationId}, (select id from "user" where name = 'Mallory' limit 1), 'member', now())`;
    expect((await member.json("/api/auth/organization/set-active", post({ organizationId: a.organizationId }))).status).toBe(200);
    expect((await member.json<ErrorJson>("/api/v1/billing/checkout", post({ plan: "team" }))).status).toBe(403);
    expect((await member.json<ErrorJson>("/api/v1/billing/portal", post())).status).toBe(403);
    expect((await member.json<BillingJson>("/api/v1/billing")).body.plan.id).toBe("free");
  });

  test("a bad or missing signature is a 400 and stores nothing", async () => {
    const event = stripeEvent("checkout.session.completed", { id: "cs_x", customer: a.customerId, client_reference_id: a.organizationId, metadata: { plan: "team" } });
    expect((await deliver(event, { secret: "whsec_wrong" })).status).toBe(400);
    expect((await deliver(event, { signature: null })).status).toBe(400);
    const tampered = await fetch(`${stack.url}/api/webhooks/stripe`, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": signer.webhooks.generateTestHeaderString({ payload: JSON.stringify(event), secret: WEBHOOK_SECRET }) },
      body: JSON.stringify({ ...event, data: { object: { ...event.data.object, metadata: { plan: "business" } } } }),
    });
    expect(tampered.status).toBe(400);
    const body = (await tampered.json()) as ErrorJson;
    expect(body.error.code).toBe("bad_request");
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from stripe_events`;
    expect(n).toBe(0);
    expect((await billingOf(alice)).plan.id).toBe("free");
  });

  test("checkout completed + subscription created → Team is active and the limits are raised; a redelivery changes nothing", async () => {
    const completed = stripeEvent("checkout.session.completed", {
      id: "cs_test_done",
      object: "checkout.session",
      mode: "subscription",
      customer: a.customerId,
      subscription: "sub_test_alice",
      client_reference_id: a.organizationId,
      metadata: { organization_id: a.organizationId, plan: "team" },
    });
    const res = await deliver(completed);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: true, eventId: completed.id, duplicate: false });
    expect((await processed(completed.id)).outcome).toBe("applied");
    const created = stripeEvent("customer.subscription.created", subscription());
    expect((await deliver(created)).status).toBe(200);
    expect(await processed(created.id)).toMatchObject({ outcome: "applied", matched_organization_id: a.organizationId });

    const billing = await billingOf(alice);
    expect(billing).toMatchObject({ plan: { id: "team" }, status: "active", limits: { tasksPerMonth: 500 } });
    const audits = await auditCount(a.organizationId, "billing.plan_changed");
    expect(audits).toBeGreaterThanOrEqual(1);

    const again = await deliver(completed);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from stripe_events where id = ${completed.id}`;
    expect(n).toBe(1);
    expect(await auditCount(a.organizationId, "billing.plan_changed")).toBe(audits);

    const task = await alice.json<{ id: string }>("/api/v1/tasks", post({ title: "Now on Team" }));
    expect(task.status).toBe(201);
    await cancelRun(alice, task.body.id);
  });

  test("a stale subscription.updated never overwrites a newer one", async () => {
    const newer = stripeEvent("customer.subscription.updated", subscription({ cancel_at_period_end: true }), { createdOffset: 500 });
    const stale = stripeEvent("customer.subscription.updated", subscription({ status: "canceled" }), { createdOffset: 400 });
    expect((await deliver(newer)).status).toBe(200);
    expect((await processed(newer.id)).outcome).toBe("applied");
    expect((await deliver(stale)).status).toBe(200);
    expect((await processed(stale.id)).outcome).toBe("stale");
    expect(await billingOf(alice)).toMatchObject({ plan: { id: "team" }, status: "active", cancelAtPeriodEnd: true });
    // The end of a subscription the organization no longer has (replaced) is not the end of its plan.
    const oldEnded = stripeEvent("customer.subscription.deleted", subscription({ id: "sub_test_replaced", status: "canceled" }), { createdOffset: 600 });
    expect((await deliver(oldEnded)).status).toBe(200);
    expect((await processed(oldEnded.id)).outcome).toBe("ignored");
    expect((await billingOf(alice)).plan.id).toBe("team");
  });

  test("another organization's customer in an event changes nothing of yours", async () => {
    const bobOrg = await organizationOf(bob);
    // Bob's checkout session naming Alice's customer, and a subscription for a customer nobody owns.
    const foreign = stripeEvent("checkout.session.completed", { id: "cs_foreign", customer: a.customerId, client_reference_id: bobOrg, metadata: { plan: "business" } });
    const unknown = stripeEvent("customer.subscription.updated", subscription({ customer: "cus_nobody", items: { data: [{ price: { id: "price_business_test" } }] } }), { createdOffset: 900 });
    for (const e of [foreign, unknown]) {
      expect((await deliver(e)).status).toBe(200);
      expect((await processed(e.id)).outcome).toBe("ignored");
    }
    expect((await billingOf(bob)).plan.id).toBe("free");
    expect((await billingOf(alice)).plan.id).toBe("team");
  });
});

describe("payment failures", () => {
  test("payment failed → past due in grace (work goes on) → restricted (new tasks refused clearly) → paid → active", async () => {
    const failed = stripeEvent("invoice.payment_failed", { id: "in_failed", object: "invoice", customer: a.customerId, status: "open" }, { createdOffset: 1000 });
    expect((await deliver(failed)).status).toBe(200);
    expect((await processed(failed.id)).outcome).toBe("applied");
    const pastDue = await billingOf(alice);
    expect(pastDue.status).toBe("past_due");
    expect(new Date(pastDue.graceEndsAt ?? 0).getTime()).toBeGreaterThan(Date.now() + 2 * 86_400_000);
    const inGrace = await alice.json<{ id: string }>("/api/v1/tasks", post({ title: "Still in grace" }));
    expect(inGrace.status).toBe(201);
    await cancelRun(alice, inGrace.body.id);

    // The grace period runs out.
    await sql`update billing_accounts set grace_ends_at = now() - interval '1 minute' where organization_id = ${a.organizationId}`;
    expect((await billingOf(alice)).status).toBe("restricted");
    const refused = await alice.json<ErrorJson>("/api/v1/tasks", post({ title: "After the grace period" }));
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe("payment_required");
    expect(refused.body.error.message).toMatch(/last payment .* failed .* Settings → Billing/);

    const paid = stripeEvent("invoice.paid", { id: "in_paid", object: "invoice", customer: a.customerId, status: "paid" }, { createdOffset: 1100 });
    expect((await deliver(paid)).status).toBe(200);
    expect((await processed(paid.id)).outcome).toBe("applied");
    expect(await billingOf(alice)).toMatchObject({ status: "active", graceEndsAt: null });
  });
});

describe("metered usage", () => {
  test("spend above the included amount is sent as meter events once, across a retry and a crash", async () => {
    const included = (await billingOf(alice)).limits.includedSpendUsdMicros ?? 0;
    const addSpend = async (micros: number) => {
      await sql`insert into llm_calls (organization_id, run_id, step_id, agent_role, provider, model, input_tokens, output_tokens, cost_usd_micros, latency_ms)
          values (${a.organizationId}, ${randomUUID()}, 'billing-test', 'developer', 'openai', 'gpt-4.1', 1, 1, ${micros}, 1)`;
      // recordOverage counts calls created before its `now` (a JS Date, whole milliseconds); a call
      // inserted within the same millisecond (microsecond timestamp) would fall in the next run.
      await new Promise((r) => setTimeout(r, 5));
    };
    const spent = (await billingOf(alice)).usage.spendUsdMicros;
    await addSpend(included - spent + 1_500_000); // $1.50 over

    const { recordOverage, sendMeterReport } = await import("@/lib/billing/meter-usage");
    const ids = await recordOverage();
    expect(ids).toHaveLength(1);
    expect(await recordOverage()).toEqual(ids); // a rerun records nothing new
    expect(await sendMeterReport(ids[0])).toEqual({ sent: true });
    expect(await sendMeterReport(ids[0])).toEqual({ sent: false });
    expect(stripeApi.meterEvents).toEqual([expect.objectContaining({ eventName: "squadron_model_spend", customer: a.customerId, value: 1_500_000 })]);

    // $0.50 more; the meter event reaches Stripe but the process dies before marking it sent.
    await addSpend(500_000);
    const [second] = await recordOverage();
    expect(await sendMeterReport(second)).toEqual({ sent: true });
    await sql`update billing_meter_reports set sent_at = null where id = ${second}`;
    // Stripe is down for the first try of the resend: the durable function retries.
    stripeApi.failNext("/v1/billing/meter_events", "hang-up", 2);
    const sends = stripeApi.requests.filter((r) => r.path === "/v1/billing/meter_events").length;
    const { inngest } = await import("@/inngest/client");
    await inngest.send({ name: "billing/usage.report-requested", data: {} });
    for (const deadline = Date.now() + 30_000; ; ) {
      const [row] = await sql<{ sent_at: Date | null }[]>`select sent_at from billing_meter_reports where id = ${second}`;
      if (row.sent_at) break;
      if (Date.now() > deadline) throw new Error("the meter report was not resent");
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stripeApi.requests.filter((r) => r.path === "/v1/billing/meter_events").length).toBeGreaterThan(sends + 2);
    expect(stripeApi.meterEvents.map((e) => e.value)).toEqual([1_500_000, 500_000]);
    const keys = stripeApi.requests.filter((r) => r.path === "/v1/billing/meter_events").map((r) => r.headers["idempotency-key"]);
    expect(new Set(keys).size).toBe(2);

    // A day later (idempotency keys expired) a crash-left report is sent again: Stripe refuses the
    // duplicate identifier, which counts as sent — not counted twice, not retried forever.
    await sql`update billing_meter_reports set sent_at = null where id = ${second}`;
    stripeApi.expireIdempotencyKeys();
    expect(await sendMeterReport(second)).toEqual({ sent: true });
    const [resent] = await sql<{ sent_at: Date | null }[]>`select sent_at from billing_meter_reports where id = ${second}`;
    expect(resent.sent_at).not.toBeNull();
    expect(stripeApi.meterEvents.map((e) => e.value)).toEqual([1_500_000, 500_000]);
  });
});

describe("Stripe failures", () => {
  test("Stripe unreachable → 503, Stripe refusing → 502, in the error shape; nothing stored", async () => {
    const bobOrg = await organizationOf(bob);
    stripeApi.failNext("/v1/customers", "hang-up", 2); // the client retries once
    const down = await bob.json<ErrorJson>("/api/v1/billing/checkout", post({ plan: "team" }));
    expect(down.status).toBe(503);
    expect(down.body.error).toMatchObject({ code: "unavailable", message: expect.stringMatching(/Stripe could not be reached/) });

    stripeApi.failNext("/v1/customers", { status: 400, type: "invalid_request_error", message: "Invalid email address: bob" });
    const refused = await bob.json<ErrorJson>("/api/v1/billing/checkout", post({ plan: "team" }));
    expect(refused.status).toBe(502);
    expect(refused.body.error).toMatchObject({ code: "bad_gateway", message: expect.stringMatching(/Stripe refused creating the customer: Invalid email address/) });

    const rows = await sql`select 1 from billing_accounts where organization_id = ${bobOrg}`;
    expect(rows).toHaveLength(0);
    expect(await auditCount(bobOrg, "billing.checkout_started")).toBe(0);

    const noCustomer = await bob.json<ErrorJson>("/api/v1/billing/portal", post());
    expect(noCustomer.status).toBe(409);
    const portal = await alice.json<{ url: string }>("/api/v1/billing/portal", post());
    expect(portal.status).toBe(200);
    expect(portal.body.url).toMatch(/^https:\/\/billing\.stripe\.test\//);
  });
});

describe("spend limit", () => {
  test("model spend at the plan's limit pauses the run for an approval instead of stopping it", async () => {
    const bobOrg = await organizationOf(bob);
    // Bob's organization (Free, $5 of model spend per month) has already spent its $5.
    await sql`insert into llm_calls (organization_id, run_id, step_id, agent_role, provider, model, input_tokens, output_tokens, cost_usd_micros, latency_ms)
              values (${bobOrg}, ${randomUUID()}, 'billing-test', 'developer', 'openai', 'gpt-4.1', 1, 1, 5000000, 1)`;
    const task = await bob.json<{ id: string }>("/api/v1/tasks", post({ title: "Runs into the spend limit" }));
    expect(task.status).toBe(201);
    let approval: { kind: string; reason: string; details: Record<string, unknown> } | undefined;
    for (const deadline = Date.now() + 60_000; !approval; ) {
      const list = await bob.json<{ taskId: string; kind: string; reason: string; details: Record<string, unknown> }[]>("/api/v1/approvals?status=pending");
      approval = list.body.find((x) => x.taskId === task.body.id);
      if (Date.now() > deadline) throw new Error("the run did not pause at the spend limit");
      if (!approval) await new Promise((r) => setTimeout(r, 100));
    }
    expect(approval.kind).toBe("budget");
    expect(approval.reason).toMatch(/reaching the Free plan's limit of \$5\.00/);
    expect(approval.details).toMatchObject({ scope: "plan", limitUsdMicros: 5_000_000, spentUsdMicros: 5_000_000 });
    expect((await bob.json<TaskDetailJson>(`/api/v1/tasks/${task.body.id}`)).body.status).toBe("awaiting_approval");
    await cancelRun(bob, task.body.id);
  });
});

