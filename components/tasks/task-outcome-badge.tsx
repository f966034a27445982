import { Badge } from "@/components/ui/badge";
import { isOutcome, outcomeMeta } from "./outcome";

const icons: Record<string, string> = { delivered: "✓", no_changes: "○", failed: "✕", cancelled: "–", rejected: "⊘" };

/**
 * How a finished task ended, as a badge with its own colour and symbol (so it does not rely on colour
 * alone); renders nothing while the task has no outcome. `data-outcome` carries the raw value.
 */
export function TaskOutcomeBadge({ outcome, className, testId }: { outcome: string | null | undefined; className?: string; testId?: string }) {
  if (!isOutcome(outcome)) return null;
  const { label, tone, description } = outcomeMeta(outcome);
  return (
    <Badge tone={tone} className={className} data-testid={testId} data-outcome={outcome} title={description}>
      <span aria-hidden="true">{icons[outcome]}</span>
      {label}
    </Badge>
  );
}
