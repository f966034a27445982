import Link from "next/link";
import { LocalTime } from "@/components/local-time";
import { Badge, type BadgeTone } from "@/components/ui/badge";

/** Something that needs a person, linking to where they act on it. `at` is ISO-8601. */
export type InboxItem = {
  id: string;
  kind: "approval" | "budget_pause" | "stuck" | "failed" | "quota";
  title: string;
  detail: string;
  /** The task it is about; null for the plan's warnings (quota, payment). */
  taskId: string | null;
  href: string;
  /** The button text: what the person does there. */
  action: string;
  at: string;
};

const kindMeta: Record<InboxItem["kind"], { label: string; tone: BadgeTone; icon: string }> = {
  approval: { label: "Approval waiting", tone: "amber", icon: "?" },
  budget_pause: { label: "Paused by budget", tone: "amber", icon: "$" },
  stuck: { label: "Paused: agent stuck", tone: "violet", icon: "↻" },
  failed: { label: "Run failed", tone: "red", icon: "✕" },
  quota: { label: "Plan", tone: "red", icon: "!" },
};

/** The inbox as a list; each row links to the action. */
export function InboxList({ items }: { items: InboxItem[] }) {
  if (items.length === 0) {
    return (
      <p className="px-5 py-10 text-center text-sm text-zinc-600" data-testid="inbox-empty">
        Nothing needs you right now.
      </p>
    );
  }
  return (
    <ul role="list" className="divide-y divide-zinc-200" data-testid="inbox-list">
      {items.map((item) => {
        const meta = kindMeta[item.kind];
        return (
          <li key={item.id} className="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center sm:gap-4 sm:px-5" data-testid="inbox-item" data-kind={item.kind}>
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-center gap-2">
                <Badge tone={meta.tone}>
                  <span aria-hidden="true">{meta.icon}</span>
                  {meta.label}
                </Badge>
                <p className="truncate text-sm font-medium text-zinc-900">{item.title}</p>
              </div>
              <p className="mt-1 line-clamp-2 text-xs text-zinc-700">{item.detail}</p>
            </div>
            <div className="flex shrink-0 items-center gap-3 text-xs text-zinc-600">
              {item.kind === "quota" ? null : <LocalTime iso={item.at} />}
              <Link href={item.href} className="rounded-md bg-zinc-900 px-2.5 py-1.5 text-xs font-medium text-white hover:bg-zinc-700" data-testid="inbox-action">
                {item.action}
                <span className="sr-only">: {item.title}</span>
              </Link>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
