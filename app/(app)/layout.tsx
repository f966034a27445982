import { redirect } from "next/navigation";
import { SiteHeader } from "@/components/site-header";
import { getPageContext } from "@/app/_lib/page-context";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  // Each page checks the session itself too; this one is for the header's user.
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in");
  return (
    <>
      <SiteHeader user={ctx.user} />
      <main className="mx-auto max-w-6xl px-4 py-6 sm:px-6 sm:py-8">{children}</main>
    </>
  );
}
