import { env } from "@/lib/env";

/** Ids of the plans an organization can be on. `self_hosted` exists only while billing is off. */
export const planIds = ["free", "team", "business", "self_hosted"] as const;
export type PlanId = (typeof planIds)[number];
/** Plans an owner can buy through Stripe Checkout. */
export const paidPlanIds = ["team", "business"] as const;
export type PaidPlanId = (typeof paidPlanIds)[number];

/**
 * What a plan allows per billing period (a Stripe subscription's period; the calendar month, UTC, for
 * the Free and self-hosted plans). `null` = unlimited.
 */
export type PlanLimits = {
  /** Top-level tasks created per period (subtasks do not count). */
  tasksPerMonth: number | null;
  /** Model spend per period at which runs pause and ask, in USD micros (from the `llm_calls` ledger). */
  spendLimitUsdMicros: number | null;
  /** Model spend per period included in the price, in USD micros; above it, spend is metered to Stripe. */
  includedSpendUsdMicros: number | null;
  /** Tasks running at the same time. */
  concurrentRuns: number | null;
  /** Members of the organization. */
  seats: number | null;
  /** Repositories registered. */
  repositories: number | null;
};

export type Plan = {
  id: PlanId;
  name: string;
  /** List price per month in USD cents (what the Stripe price should say; Stripe's price is what is charged). */
  monthlyPriceUsdCents: number;
  /** Stripe price id of the subscription (`price_…`), from env; null for plans not sold through Stripe. */
  stripePriceId: string | null;
  limits: PlanLimits;
  /** Whether model spend above `includedSpendUsdMicros` is metered (needs `STRIPE_PRICE_MODEL_SPEND`). */
  metered: boolean;
};

const USD = 1_000_000;

/**
 * The plan table. Where the numbers come from (Squadron's own pricing, December 2026):
 * - Free: enough to try a squad on one repository — the offline model costs nothing and a typical
 *   hosted-model task (plan + one builder + QA + review, ~60k tokens on `claude-sonnet-5-5` at the list
 *   prices of `lib/llm/prices.ts`) costs about $0.25, so $5 covers ~20 tasks: hence 20 tasks and $5.
 *   `BILLING_FREE_TASKS_PER_MONTH` / `BILLING_FREE_SPEND_USD_MICROS` override them.
 * - Team ($49/month): a small team's month — 500 tasks, $100 of model spend included (~400 tasks at
 *   the estimate above), metered above that up to a $500 safety limit where runs pause and ask.
 * - Business ($299/month): 10× Team's tasks, $1,000 included, a $5,000 safety limit.
 * Seats, repositories and concurrent runs scale with the team sizes these prices target (3 / 10 / 50
 * people). The self-hosted plan (no `STRIPE_SECRET_KEY`) has no limits: the operator pays the models.
 */
export function plans(): Record<PlanId, Plan> {
  return {
    free: {
      id: "free",
      name: "Free",
      monthlyPriceUsdCents: 0,
      stripePriceId: null,
      metered: false,
      limits: {
        tasksPerMonth: env.BILLING_FREE_TASKS_PER_MONTH ?? 20,
        spendLimitUsdMicros: env.BILLING_FREE_SPEND_USD_MICROS ?? 5 * USD,
        includedSpendUsdMicros: env.BILLING_FREE_SPEND_USD_MICROS ?? 5 * USD,
        concurrentRuns: 1,
        seats: 3,
        repositories: 2,
      },
    },
    team: {
      id: "team",
      name: "Team",
      monthlyPriceUsdCents: 4_900,
      stripePriceId: env.STRIPE_PRICE_TEAM ?? null,
      metered: true,
      limits: {
        tasksPerMonth: 500,
        spendLimitUsdMicros: 500 * USD,
        includedSpendUsdMicros: 100 * USD,
        concurrentRuns: 5,
        seats: 10,
        repositories: 20,
      },
    },
    business: {
      id: "business",
      name: "Business",
      monthlyPriceUsdCents: 29_900,
      stripePriceId: env.STRIPE_PRICE_BUSINESS ?? null,
      metered: true,
      limits: {
        tasksPerMonth: 5_000,
        spendLimitUsdMicros: 5_000 * USD,
        includedSpendUsdMicros: 1_000 * USD,
        concurrentRuns: 20,
        seats: 50,
        repositories: null,
      },
    },
    self_hosted: {
      id: "self_hosted",
      name: "Self-hosted",
      monthlyPriceUsdCents: 0,
      stripePriceId: null,
      metered: false,
      limits: {
        tasksPerMonth: null,
        spendLimitUsdMicros: null,
        includedSpendUsdMicros: null,
        concurrentRuns: null,
        seats: null,
        repositories: null,
      },
    },
  };
}

/** Whether Stripe billing is on (`STRIPE_SECRET_KEY` set). Off: every organization is on `self_hosted`. */
export function billingEnabled(): boolean {
  return Boolean(env.STRIPE_SECRET_KEY);
}

/** The plan an organization without a paid subscription is on: Free with billing on, else self-hosted. */
export function defaultPlanId(): PlanId {
  return billingEnabled() ? "free" : "self_hosted";
}

/** A plan by id; an id this deployment does not offer (e.g. `self_hosted` with billing on) falls back to the default plan. */
export function planOf(id: string | null | undefined): Plan {
  const all = plans();
  if (!billingEnabled()) return all.self_hosted;
  const known = planIds.find((p) => p === id);
  return known && known !== "self_hosted" ? all[known] : all.free;
}

/** The paid plan a Stripe price id belongs to, or null for an unknown price. */
export function planOfPriceId(priceId: string): PaidPlanId | null {
  const all = plans();
  return paidPlanIds.find((id) => all[id].stripePriceId === priceId) ?? null;
}
