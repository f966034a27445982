import type { BillingAccountRow } from "@/db/queries/billing";

// Billing on, with the Free plan's limits overridden as a self-hoster would (read when lib/env loads).
process.env.STRIPE_SECRET_KEY = "sk_test_unit";
process.env.STRIPE_PRICE_TEAM = "price_team_unit";
process.env.BILLING_FREE_TASKS_PER_MONTH = "3";

const { billingStateOf } = await import("@/lib/billing/billing-state");
const { planOf, planOfPriceId, plans } = await import("@/lib/billing/plans");

const account = (over: Partial<BillingAccountRow>): BillingAccountRow => ({
  organizationId: "org_1",
  stripeCustomerId: "cus_1",
  stripeSubscriptionId: "sub_1",
  plan: "team",
  status: "active",
  currentPeriodStart: new Date("2026-12-03T00:00:00Z"),
  currentPeriodEnd: new Date("2027-01-03T00:00:00Z"),
  cancelAtPeriodEnd: false,
  pastDueSince: null,
  graceEndsAt: null,
  subscriptionEventCreated: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});
const now = new Date("2026-12-10T12:00:00Z");

describe("plans", () => {
  test("Free limits come from env when set; paid plans map from their Stripe price ids; unknown ids fall back to Free", () => {
    expect(plans().free.limits.tasksPerMonth).toBe(3);
    expect(plans().free.limits.spendLimitUsdMicros).toBe(5_000_000);
    expect(planOfPriceId("price_team_unit")).toBe("team");
    expect(planOfPriceId("price_other")).toBeNull();
    expect(planOf("platinum").id).toBe("free");
    expect(planOf("self_hosted").id).toBe("free"); // billing is on: no unlimited plan to be had
  });
});

describe("billing state", () => {
  test("no account: Free, no subscription, the calendar month (UTC) as the quota window", () => {
    const state = billingStateOf("org_1", undefined, now);
    expect(state).toMatchObject({ plan: { id: "free" }, status: "none", billingEnabled: true });
    expect(state.periodStart.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(state.periodEnd.toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  test("an active subscription uses its plan and period", () => {
    const state = billingStateOf("org_1", account({}), now);
    expect(state.plan.id).toBe("team");
    expect(state.periodEnd.toISOString()).toBe("2027-01-03T00:00:00.000Z");
  });

  test("past due stays past due during the grace period and is restricted after it, keeping the plan", () => {
    const pastDue = account({ status: "past_due", pastDueSince: new Date("2026-12-08T00:00:00Z"), graceEndsAt: new Date("2026-12-15T00:00:00Z") });
    expect(billingStateOf("org_1", pastDue, now).status).toBe("past_due");
    const later = billingStateOf("org_1", pastDue, new Date("2026-12-15T00:00:01Z"));
    expect(later.status).toBe("restricted");
    expect(later.plan.id).toBe("team");
  });

  test("a canceled subscription is back on Free; a period that ended falls back to the calendar month", () => {
    expect(billingStateOf("org_1", account({ status: "canceled", plan: "free" }), now).plan.id).toBe("free");
    const stale = billingStateOf("org_1", account({}), new Date("2027-01-05T00:00:00Z"));
    expect(stale.periodStart.toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });
});
