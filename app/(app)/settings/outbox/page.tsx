import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { LocalTime } from "@/components/local-time";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { listMailOutbox } from "@/db/queries/mail-outbox";
import { allows } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Outbox" };

export default async function OutboxPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/outbox");
  // Invitation links are as good as the invitation: only those who may invite see them.
  if (!allows(ctx.permissions, { invitation: ["create"] })) {
    return (
      <Alert tone="info" title="Not allowed">
        Only owners and admins can see the outbox. Your role here is {ctx.role}.
      </Alert>
    );
  }
  // Same rows as `GET /api/v1/mail-outbox`.
  const mail = await withTenant(getDb(), ctx.organizationId, (tx) => listMailOutbox(tx, { organizationId: ctx.organizationId, limit: 100 }));
  return (
    <Card aria-labelledby="outbox-heading">
      <CardHeader
        headingId="outbox-heading"
        title="Outbox"
        description="Mail this organization sent, newest first. Without SMTP (SMTP_URL), mail stays here: pass the link on yourself."
      />
      {mail.length === 0 ? (
        <p className="px-4 py-6 text-sm text-zinc-500 sm:px-5">No mail yet. Invitations you send appear here.</p>
      ) : (
        <ul className="divide-y divide-zinc-100" aria-label="Mail">
          {mail.map((m) => (
            <li key={m.id} className="space-y-1 px-4 py-3 sm:px-5" data-testid="outbox-row">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <p className="min-w-0 truncate text-sm font-medium text-zinc-900">{m.subject}</p>
                <div className="flex items-center gap-2 text-xs text-zinc-500">
                  <Badge tone={m.transport === "outbox" ? "amber" : "green"}>{m.transport === "outbox" ? "not sent (outbox)" : `sent via ${m.transport}`}</Badge>
                  <LocalTime iso={m.createdAt.toISOString()} />
                </div>
              </div>
              <p className="text-xs text-zinc-600">To {m.to}</p>
              {m.link && /^https?:\/\//.test(m.link) ? (
                <a href={m.link} className="block break-all text-sm font-medium text-indigo-600 hover:text-indigo-500" rel="noreferrer">
                  {m.link}
                </a>
              ) : null}
              <details className="text-xs text-zinc-600">
                <summary className="cursor-pointer select-none">Message</summary>
                <pre className="mt-1 whitespace-pre-wrap font-sans">{m.text}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
