import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { AuditLog } from "@/components/audit/audit-log";
import { Alert } from "@/components/ui/alert";
import { Card, CardHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { listAuditEventPage } from "@/lib/audit/list-audit-events";
import { allows } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/audit");
  if (!allows(ctx.permissions, { audit: ["read"] })) {
    return (
      <Alert tone="info" title="Not allowed">
        Only owners and admins can read the audit log. Your role here is {ctx.role}.
      </Alert>
    );
  }
  // Same first page as `GET /api/v1/audit-events`; older pages load through it.
  const initial = await withTenant(getDb(), ctx.organizationId, (tx) => listAuditEventPage(tx, { organizationId: ctx.organizationId, limit: 50 }));
  return (
    <Card aria-labelledby="audit-heading">
      <CardHeader
        headingId="audit-heading"
        title="Audit log"
        description="Privileged actions in this organization, newest first: approvals, API keys, members and roles, invitations, squad policy and routing."
      />
      <AuditLog key={ctx.organizationId} initial={initial} />
    </Card>
  );
}
