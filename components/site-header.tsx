import Link from "next/link";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { Brand } from "@/components/brand";
import { InboxBell } from "@/components/inbox/inbox-bell";
import { OrganizationSwitcher, type OrganizationOption } from "@/components/organizations/organization-switcher";

const navLink = "rounded-md px-2 py-1 text-sm font-medium text-zinc-600 hover:text-zinc-900";

export function SiteHeader({
  user,
  organizations,
  activeOrganizationId,
  inbox,
}: {
  user: { name: string; email: string };
  organizations: OrganizationOption[];
  activeOrganizationId: string;
  /** The bell's starting count and how it re-counts (a server action). */
  inbox?: { count: number; recount: () => Promise<number> };
}) {
  return (
    <header className="sticky top-0 z-10 border-b border-zinc-200 bg-white/90 backdrop-blur">
      {/* Below lg the main links get a row of their own (scrolling sideways if need be), so a phone's
          390px never pushes the bell, organization switcher and Sign out over them. */}
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-x-6 gap-y-1 px-4 pt-2 sm:px-6 lg:h-14 lg:flex-nowrap lg:pt-0">
        <div className="flex min-w-0 items-center gap-6 max-lg:contents">
          <Brand href="/tasks" />
          <nav aria-label="Main" className="order-last -mx-2 flex w-full items-center gap-1 overflow-x-auto pb-1 whitespace-nowrap lg:order-none lg:mx-0 lg:w-auto lg:pb-0">
            <Link href="/tasks" className={navLink}>
              Tasks
            </Link>
            <Link href="/board" className={navLink}>
              Board
            </Link>
            <Link href="/approvals" className={navLink}>
              Approvals
            </Link>
            <Link href="/agents" className={navLink}>
              Agents
            </Link>
            <Link href="/usage" className={navLink}>
              Usage
            </Link>
            <Link href="/settings/members" className={navLink}>
              Settings
            </Link>
          </nav>
        </div>
        <div className="flex min-w-0 items-center gap-3 max-lg:h-12">
          {inbox ? <InboxBell initialCount={inbox.count} count={inbox.recount} /> : null}
          <OrganizationSwitcher organizations={organizations} activeOrganizationId={activeOrganizationId} />
          <div className="hidden min-w-0 text-right sm:block" data-testid="current-user">
            <p className="truncate text-sm font-medium text-zinc-900">{user.name}</p>
            <p className="truncate text-xs text-zinc-500">{user.email}</p>
          </div>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
