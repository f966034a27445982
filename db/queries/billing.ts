import { and, count, desc, eq, gte, isNull, lt, sql } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { billingAccounts, billingMeterReports, billingRefusals, llmCalls, member, organization, repositories, stripeEvents, tasks } from "../schema";

// Tenant-scoped queries of billing (accounts, refusals, meter reports) and the global Stripe event log.

type Scope = { organizationId: string };
export type BillingAccountRow = typeof billingAccounts.$inferSelect;
export type StripeEventRow = typeof stripeEvents.$inferSelect;
export type MeterReportRow = typeof billingMeterReports.$inferSelect;

/** The organization's display name (for its Stripe customer). */
export async function findOrganizationName(db: DbOrTx, q: Scope): Promise<string | null> {
  const [row] = await db.select({ name: organization.name }).from(organization).where(eq(organization.id, q.organizationId)).limit(1);
  return row?.name ?? null;
}

export async function findBillingAccount(db: DbOrTx, q: Scope): Promise<BillingAccountRow | undefined> {
  const [row] = await db.select().from(billingAccounts).where(eq(billingAccounts.organizationId, q.organizationId)).limit(1);
  return row;
}

/** The account of a Stripe customer (not tenant-scoped: webhooks name the customer, not the organization). */
export async function findBillingAccountByCustomer(db: DbOrTx, q: { stripeCustomerId: string }): Promise<BillingAccountRow | undefined> {
  const [row] = await db.select().from(billingAccounts).where(eq(billingAccounts.stripeCustomerId, q.stripeCustomerId)).limit(1);
  return row;
}

/**
 * Stores the organization's Stripe customer id unless it already has one.
 * @returns the customer id now stored (the earlier one when there was one)
 */
export async function saveStripeCustomer(db: DbOrTx, q: Scope & { stripeCustomerId: string }): Promise<string> {
  const [row] = await db
    .insert(billingAccounts)
    .values({ organizationId: q.organizationId, stripeCustomerId: q.stripeCustomerId })
    .onConflictDoUpdate({
      target: billingAccounts.organizationId,
      set: { stripeCustomerId: sql`coalesce(${billingAccounts.stripeCustomerId}, excluded.stripe_customer_id)` },
    })
    .returning({ stripeCustomerId: billingAccounts.stripeCustomerId });
  return row?.stripeCustomerId ?? q.stripeCustomerId;
}

/** Updates the organization's billing account (which must exist). */
export async function updateBillingAccount(
  db: DbOrTx,
  q: Scope,
  set: Partial<Omit<BillingAccountRow, "organizationId" | "createdAt">>,
): Promise<void> {
  await db.update(billingAccounts).set({ ...set, updatedAt: new Date() }).where(eq(billingAccounts.organizationId, q.organizationId));
}

/**
 * Top-level tasks the organization created in `[from, to)` that were not refused: the usage the
 * tasks-per-month quota counts. `excludeTaskId` leaves out the task being checked.
 */
export async function countBillableTasks(db: DbOrTx, q: Scope & { from: Date; to: Date; excludeTaskId?: string }): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(tasks)
    .leftJoin(billingRefusals, eq(billingRefusals.taskId, tasks.id))
    .where(
      and(
        eq(tasks.organizationId, q.organizationId),
        isNull(tasks.parentTaskId),
        gte(tasks.createdAt, q.from),
        lt(tasks.createdAt, q.to),
        isNull(billingRefusals.id),
        q.excludeTaskId ? sql`${tasks.id} <> ${q.excludeTaskId}` : undefined,
      ),
    );
  return Number(row?.n ?? 0);
}

/** Model spend of the organization in `[from, to)` from the `llm_calls` ledger, USD micros. */
export async function spendBetween(db: DbOrTx, q: Scope & { from: Date; to: Date }): Promise<number> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${llmCalls.costUsdMicros}), 0)` })
    .from(llmCalls)
    .where(and(eq(llmCalls.organizationId, q.organizationId), gte(llmCalls.createdAt, q.from), lt(llmCalls.createdAt, q.to)));
  return Number(row?.total ?? 0);
}

/** Counts for the billing page's usage bars: members, repositories, tasks running now. */
export async function organizationCounts(db: DbOrTx, q: Scope): Promise<{ seats: number; repositories: number; concurrentRuns: number }> {
  const [seats] = await db.select({ n: count() }).from(member).where(eq(member.organizationId, q.organizationId));
  const [repos] = await db.select({ n: count() }).from(repositories).where(eq(repositories.organizationId, q.organizationId));
  const [running] = await db
    .select({ n: count() })
    .from(tasks)
    .where(
      and(
        eq(tasks.organizationId, q.organizationId),
        isNull(tasks.parentTaskId),
        sql`${tasks.status} in ('planning', 'running', 'testing', 'reviewing')`,
      ),
    );
  return { seats: Number(seats?.n ?? 0), repositories: Number(repos?.n ?? 0), concurrentRuns: Number(running?.n ?? 0) };
}

export async function insertRefusal(
  db: DbOrTx,
  q: Scope & { taskId: string; code: string; reason: string; details: Record<string, unknown> },
): Promise<void> {
  await db.insert(billingRefusals).values(q).onConflictDoNothing();
}

/** The organization's most recent refusals, newest first. */
export async function listRefusals(db: DbOrTx, q: Scope & { limit: number }) {
  return db
    .select({ taskId: billingRefusals.taskId, code: billingRefusals.code, reason: billingRefusals.reason, createdAt: billingRefusals.createdAt, title: tasks.title, source: tasks.source })
    .from(billingRefusals)
    .innerJoin(tasks, eq(tasks.id, billingRefusals.taskId))
    .where(eq(billingRefusals.organizationId, q.organizationId))
    .orderBy(desc(billingRefusals.createdAt))
    .limit(q.limit);
}

/**
 * Records a verified Stripe event once.
 * @returns the stored row and whether this call inserted it (false: a redelivery)
 */
export async function insertStripeEvent(
  db: DbOrTx,
  e: { id: string; type: string; created: number; payload: Record<string, unknown> },
): Promise<{ row: StripeEventRow; inserted: boolean }> {
  const [inserted] = await db.insert(stripeEvents).values(e).onConflictDoNothing().returning();
  if (inserted) return { row: inserted, inserted: true };
  const [existing] = await db.select().from(stripeEvents).where(eq(stripeEvents.id, e.id)).limit(1);
  if (!existing) throw new Error(`stripe event ${e.id} vanished`);
  return { row: existing, inserted: false };
}

/** Locks a stored Stripe event for processing (`for update`), so two deliveries never apply it twice. */
export async function lockStripeEvent(db: DbOrTx, q: { id: string }): Promise<StripeEventRow | undefined> {
  const [row] = await db.select().from(stripeEvents).where(eq(stripeEvents.id, q.id)).for("update").limit(1);
  return row;
}

export async function markStripeEventProcessed(
  db: DbOrTx,
  q: { id: string; outcome: "applied" | "stale" | "ignored"; organizationId: string | null },
): Promise<void> {
  await db
    .update(stripeEvents)
    .set({ outcome: q.outcome, matchedOrganizationId: q.organizationId, processedAt: new Date() })
    .where(eq(stripeEvents.id, q.id));
}

/** Accounts whose model spend may be metered: a paid subscription with a customer. */
export async function listMeteredAccounts(db: DbOrTx): Promise<BillingAccountRow[]> {
  return db
    .select()
    .from(billingAccounts)
    .where(and(sql`${billingAccounts.stripeCustomerId} is not null`, sql`${billingAccounts.plan} in ('team', 'business')`));
}

/** Overage already recorded for the period, USD micros (the highest cumulative value). */
export async function reportedOverage(db: DbOrTx, q: Scope & { periodStart: Date }): Promise<number> {
  const [row] = await db
    .select({ max: sql<string>`coalesce(max(${billingMeterReports.cumulativeUsdMicros}), 0)` })
    .from(billingMeterReports)
    .where(and(eq(billingMeterReports.organizationId, q.organizationId), eq(billingMeterReports.periodStart, q.periodStart)));
  return Number(row?.max ?? 0);
}

export async function insertMeterReport(db: DbOrTx, r: typeof billingMeterReports.$inferInsert): Promise<void> {
  await db.insert(billingMeterReports).values(r).onConflictDoNothing();
}

/** Meter reports not yet confirmed by Stripe, oldest first. */
export async function listUnsentMeterReports(db: DbOrTx, q: Scope): Promise<MeterReportRow[]> {
  return db
    .select()
    .from(billingMeterReports)
    .where(and(eq(billingMeterReports.organizationId, q.organizationId), isNull(billingMeterReports.sentAt)))
    .orderBy(billingMeterReports.createdAt);
}

export async function findMeterReport(db: DbOrTx, q: { id: string }): Promise<MeterReportRow | undefined> {
  const [row] = await db.select().from(billingMeterReports).where(eq(billingMeterReports.id, q.id)).limit(1);
  return row;
}

export async function markMeterReportSent(db: DbOrTx, q: { id: string }): Promise<void> {
  await db.update(billingMeterReports).set({ sentAt: new Date() }).where(eq(billingMeterReports.id, q.id));
}

/**
 * Top-level tasks of the organization running now (`planning`, `running`, `testing`, `reviewing`; a
 * task waiting for a person's approval holds no run slot), leaving out `excludeTaskId`.
 */
export async function countActiveRuns(db: DbOrTx, q: Scope & { excludeTaskId?: string }): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(tasks)
    .where(
      and(
        eq(tasks.organizationId, q.organizationId),
        isNull(tasks.parentTaskId),
        sql`${tasks.status} in ('planning', 'running', 'testing', 'reviewing')`,
        q.excludeTaskId ? sql`${tasks.id} <> ${q.excludeTaskId}` : undefined,
      ),
    );
  return Number(row?.n ?? 0);
}
