"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

const items = [
  { href: "/settings/repositories", label: "Repositories" },
  { href: "/settings/squads", label: "Squads" },
  { href: "/settings/knowledge", label: "Knowledge" },
  { href: "/settings/members", label: "Members" },
  { href: "/settings/api-keys", label: "API keys" },
  { href: "/settings/integrations/github", label: "GitHub" },
  { href: "/settings/integrations/jira", label: "Jira" },
  { href: "/settings/webhooks", label: "Webhooks" },
  { href: "/settings/outbox", label: "Outbox" },
  { href: "/settings/audit", label: "Audit log" },
  { href: "/settings/billing", label: "Billing" },
];

export function SettingsNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Settings" className="-mx-4 flex gap-1 overflow-x-auto px-4 shadow-[inset_0_-1px_0_0_var(--color-zinc-200)] sm:mx-0 sm:px-0">
      {items.map((item) => {
        const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={current ? "page" : undefined}
            className={cn(
              "shrink-0 border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap",
              current ? "border-indigo-600 text-indigo-700" : "border-transparent text-zinc-600 hover:text-zinc-900",
            )}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
