import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { isTerminalStatus, statusMeta } from "./status";

/** A task's status as a coloured badge; active statuses pulse. `data-status` carries the raw value. */
export function TaskStatusBadge({ status, className, testId }: { status: string; className?: string; testId?: string }) {
  const { label, tone } = statusMeta(status);
  const active = !isTerminalStatus(status) && status !== "queued" && status !== "awaiting_approval" && status !== "blocked";
  return (
    <Badge tone={tone} className={className} data-testid={testId} data-status={status}>
      <span aria-hidden="true" className={cn("size-1.5 rounded-full bg-current", active && "animate-pulse")} />
      {label}
    </Badge>
  );
}
