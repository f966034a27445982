import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { listApprovals } from "@/db/queries/approvals";
import type { InboxItem } from "@/components/inbox/inbox-item";
import { getBillingOverview } from "@/lib/billing/get-billing-overview";
import { quotaWarnings } from "@/lib/billing/quota-warnings";
import { listTaskPage } from "@/lib/tasks/list-tasks";

/** Failed runs of this many days show in the inbox (ms). */
export const FAILED_RUNS_WINDOW_MS = 7 * 86_400_000;

/**
 * What needs a person in an organization: the plan's warnings first (payment failed, tasks or spend
 * near or at the quota: `lib/billing/quota-warnings.ts`), then, newest first, pending approvals (a
 * budget pause and a stuck agent are approvals of kind `budget` and `stuck_loop`) and the runs that
 * failed in the last {@link FAILED_RUNS_WINDOW_MS}. Read under the organization's row-level security.
 */
export async function loadInbox(organizationId: string): Promise<InboxItem[]> {
  const scope = { organizationId };
  return withTenant(getDb(), organizationId, async (tx) => {
    const pending = await listApprovals(tx, { ...scope, statuses: ["pending"], limit: 100 });
    const failed = await listTaskPage(tx, { ...scope, query: { limit: 50, status: ["failed"] } });
    const since = Date.now() - FAILED_RUNS_WINDOW_MS;
    const now = new Date();
    const quota = quotaWarnings(await getBillingOverview(tx, organizationId, now)).map(
      (w): InboxItem => ({
        id: `quota:${w.id}`,
        kind: "quota",
        title: w.title,
        detail: w.detail,
        taskId: null,
        href: "/settings/billing",
        action: "Open billing",
        at: now.toISOString(),
      }),
    );
    const items: InboxItem[] = [
      ...pending.map((a): InboxItem => ({
        id: `approval:${a.id}`,
        kind: a.kind === "budget" ? "budget_pause" : a.kind === "stuck_loop" ? "stuck" : "approval",
        title: a.taskTitle ?? "Task",
        detail: a.reason,
        taskId: a.taskId,
        href: `/tasks/${a.taskId}`,
        action: a.kind === "budget" ? "Raise or approve the spend" : a.kind === "stuck_loop" ? "Give the agent instructions" : "Approve or reject",
        at: a.createdAt.toISOString(),
      })),
      ...failed.items
        .filter((t) => new Date(t.completedAt ?? t.createdAt).getTime() >= since)
        .map((t): InboxItem => ({
          id: `failed:${t.id}`,
          kind: "failed",
          title: t.title,
          detail: t.error ?? "The run failed.",
          taskId: t.id,
          href: `/tasks/${t.id}`,
          action: "See why and retry",
          at: t.completedAt ?? t.createdAt,
        })),
    ];
    return [...quota, ...items.sort((a, b) => b.at.localeCompare(a.at))];
  });
}
