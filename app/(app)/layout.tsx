import { redirect } from "next/navigation";
import { SiteHeader } from "@/components/site-header";
import { getPageContext } from "@/app/_lib/page-context";
import { getDb } from "@/db/client";
import { listUserOrganizations } from "@/db/queries/organizations";
import { countInbox } from "./inbox/actions";
import { loadInbox } from "./inbox/load-inbox";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  // Each page checks the session itself too; this one is for the header's user and organizations.
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in");
  const organizations = await listUserOrganizations(getDb(), { userId: ctx.userId });
  const inboxCount = (await loadInbox(ctx.organizationId)).length;
  return (
    <>
      <SiteHeader user={ctx.user} organizations={organizations} activeOrganizationId={ctx.organizationId} inbox={{ count: inboxCount, recount: countInbox }} />
      <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">{children}</main>
    </>
  );
}
