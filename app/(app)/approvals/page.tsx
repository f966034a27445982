import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { ApprovalList } from "@/components/approvals/approval-list";
import { approvalListSchema } from "@/components/tasks/api";
import { Card, CardHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { listApprovals } from "@/db/queries/approvals";
import { serializeApproval } from "@/lib/approvals/serialize";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/approvals");
  // Same rows and JSON as `GET /api/v1/approvals`, so the lists render at once and the client refreshes them.
  const [pending, decided] = await withTenant(getDb(), ctx.organizationId, async (tx) => [
    await listApprovals(tx, { organizationId: ctx.organizationId, statuses: ["pending"], limit: 100 }),
    await listApprovals(tx, { organizationId: ctx.organizationId, statuses: ["approved", "rejected", "expired"], limit: 20 }),
  ]);
  const initialPending = approvalListSchema.safeParse(pending.map(serializeApproval));
  const initialDecided = approvalListSchema.safeParse(decided.map(serializeApproval));
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Approvals</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Your squads stop here when their policy, their budget or a stuck agent needs a person. Approve (with
          instructions, if you like) to let them go on; reject to cancel the task.
        </p>
      </div>
      <Card aria-labelledby="pending-heading">
        <CardHeader headingId="pending-heading" title="Waiting for you" />
        <ApprovalList
          statuses={["pending"]}
          initial={initialPending.success ? initialPending.data : undefined}
          empty="Nothing is waiting for a decision."
        />
      </Card>
      <Card aria-labelledby="decided-heading">
        <CardHeader headingId="decided-heading" title="Recently decided" />
        <ApprovalList
          statuses={["approved", "rejected", "expired"]}
          initial={initialDecided.success ? initialDecided.data : undefined}
          empty="No decisions yet."
        />
      </Card>
    </div>
  );
}
