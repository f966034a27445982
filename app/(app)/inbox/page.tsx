import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { InboxList } from "@/components/inbox/inbox-item";
import { Card, CardHeader } from "@/components/ui/card";
import { loadInbox } from "./load-inbox";

export const metadata: Metadata = { title: "Inbox" };
export const dynamic = "force-dynamic";

export default async function InboxPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/inbox");
  const items = await loadInbox(ctx.organizationId);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Inbox</h1>
        <p className="mt-1 text-sm text-zinc-600">What needs a person: approvals waiting, runs paused by their budget or a stuck agent, and failed runs of the last 7 days.</p>
      </div>
      <Card aria-labelledby="inbox-heading">
        <CardHeader headingId="inbox-heading" title="Needs you" description={`${items.length} item${items.length === 1 ? "" : "s"}`} />
        <InboxList items={items} />
      </Card>
    </div>
  );
}
