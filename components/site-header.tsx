import Link from "next/link";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { Brand } from "@/components/brand";

export function SiteHeader({ user }: { user: { name: string; email: string } }) {
  return (
    <header className="sticky top-0 z-10 border-b border-zinc-200 bg-white/90 backdrop-blur">
      <div className="mx-auto flex h-14 max-w-6xl items-center justify-between gap-4 px-4 sm:px-6">
        <div className="flex items-center gap-6">
          <Brand href="/tasks" />
          <nav aria-label="Main" className="flex items-center gap-1">
            <Link href="/tasks" className="rounded-md px-2 py-1 text-sm font-medium text-zinc-600 hover:text-zinc-900">
              Tasks
            </Link>
            <Link href="/approvals" className="rounded-md px-2 py-1 text-sm font-medium text-zinc-600 hover:text-zinc-900">
              Approvals
            </Link>
          </nav>
        </div>
        <div className="flex min-w-0 items-center gap-3">
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
