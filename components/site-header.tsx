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
      <div className="mx-auto flex h-14 max-w-6xl items-center justify-between gap-4 px-4 sm:px-6">
        <div className="flex min-w-0 items-center gap-6">
          <Brand href="/tasks" />
          <nav aria-label="Main" className="flex items-center gap-1">
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
        <div className="flex min-w-0 items-center gap-3">
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
