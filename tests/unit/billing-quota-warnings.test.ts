import { quotaWarnings, QUOTA_WARNING_RATIO } from "@/lib/billing/quota-warnings";
import type { BillingOverview } from "@/lib/billing/schemas";

function overview(overrides: Partial<BillingOverview> = {}, usage: Partial<BillingOverview["usage"]> = {}): BillingOverview {
  return {
    billingEnabled: true,
    plan: { id: "free", name: "Free", monthlyPriceUsdCents: 0, metered: false },
    status: "none",
    limits: { tasksPerMonth: 20, spendLimitUsdMicros: 5_000_000, includedSpendUsdMicros: 5_000_000, concurrentRuns: 1, seats: 3, repositories: 2 },
    usage: { tasks: 0, spendUsdMicros: 0, concurrentRuns: 0, seats: 1, repositories: 1, ...usage },
    periodStart: "2026-12-01T00:00:00.000Z",
    periodEnd: "2027-01-01T00:00:00.000Z",
    graceEndsAt: null,
    cancelAtPeriodEnd: false,
    hasCustomer: false,
    ...overrides,
  };
}

describe("quota warnings (inbox)", () => {
  test("nothing below 80 % of the limits, nothing with billing off or on an unlimited plan", () => {
    expect(QUOTA_WARNING_RATIO).toBe(0.8);
    expect(quotaWarnings(overview({}, { tasks: 15, spendUsdMicros: 3_999_999 }))).toEqual([]);
    expect(quotaWarnings(overview({ billingEnabled: false }, { tasks: 20 }))).toEqual([]);
    const unlimited = overview({ limits: { tasksPerMonth: null, spendLimitUsdMicros: null, includedSpendUsdMicros: null, concurrentRuns: null, seats: null, repositories: null } }, { tasks: 999 });
    expect(quotaWarnings(unlimited)).toEqual([]);
  });

  test("tasks at 80 % warn with the reset date; at the limit they say new tasks are refused", () => {
    const near = quotaWarnings(overview({}, { tasks: 16 }));
    expect(near).toEqual([{ id: "tasks:2026-12-01T00:00:00.000Z", title: "Task quota almost used up", detail: "16 of the Free plan's 20 tasks this period are used; the quota resets on 2027-01-01." }]);
    const full = quotaWarnings(overview({}, { tasks: 20 }));
    expect(full[0]).toMatchObject({ title: "Task quota used up", detail: expect.stringContaining("new tasks are refused until 2027-01-01") });
  });

  test("model spend near and at the spend limit", () => {
    expect(quotaWarnings(overview({}, { spendUsdMicros: 4_000_000 }))[0]).toMatchObject({ title: "Model spend near the limit", detail: expect.stringMatching(/^\$4\.00 of the Free plan's \$5\.00 spend limit/) });
    expect(quotaWarnings(overview({}, { spendUsdMicros: 5_000_000 }))[0]?.title).toBe("Model spend limit reached");
  });

  test("a failed payment (with the grace period's end) and a restricted subscription come first", () => {
    const pastDue = quotaWarnings(overview({ status: "past_due", graceEndsAt: "2026-12-10T08:00:00.000Z" }, { tasks: 20 }));
    expect(pastDue.map((w) => w.title)).toEqual(["Payment failed", "Task quota used up"]);
    expect(pastDue[0]?.detail).toMatch(/before 2026-12-10, or new tasks will be refused/);
    expect(quotaWarnings(overview({ status: "restricted" }))[0]?.title).toBe("New tasks are paused: payment overdue");
  });
});
