"use server";

import { z } from "zod";
import { getDb } from "@/db/client";
import { spendByTask } from "@/db/queries/usage-insights";
import { withTenant } from "@/db/tenant";
import { getPageContext } from "@/app/_lib/page-context";
import { allows } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";

const taskIdsSchema = z.array(z.uuid()).max(100);

/**
 * Model spend so far of each of the organization's `taskIds` (at most 100), in USD micros, for the
 * task list's refresh; tasks without model calls (and other organizations' ids) are absent.
 * @throws AppError `unauthorized` / `forbidden`; `invalid_input` for anything but ≤ 100 UUIDs
 */
export async function loadTaskCosts(taskIds: string[]): Promise<Record<string, number>> {
  const ctx = await getPageContext();
  if (!ctx) throw new AppError("unauthorized", "Sign in again.");
  if (!allows(ctx.permissions, { task: ["read"] })) throw new AppError("forbidden", "You may not read tasks.");
  const ids = taskIdsSchema.safeParse(taskIds);
  if (!ids.success) throw new AppError("invalid_input", "Expected at most 100 task ids.");
  const spend = await withTenant(getDb(), ctx.organizationId, (tx) => spendByTask(tx, { organizationId: ctx.organizationId, taskIds: ids.data }));
  return Object.fromEntries([...spend].map(([id, s]) => [id, s.costUsdMicros]));
}
