import type { BadgeTone } from "@/components/ui/badge";
import { taskOutcomes, type TaskOutcome } from "@/lib/tasks/statuses";

export { taskOutcomes, type TaskOutcome };

/**
 * How each outcome reads in lists and on the task page. Labels differ from the statuses on purpose:
 * a `completed` task is either **Delivered** (a patch) or **No changes**.
 */
const meta: Record<TaskOutcome, { label: string; tone: BadgeTone; description: string }> = {
  delivered: { label: "Delivered", tone: "green", description: "The squad delivered a tested patch (or pull request)." },
  no_changes: { label: "No changes", tone: "amber", description: "The squad finished without changing any code." },
  failed: { label: "Failed", tone: "red", description: "The run stopped with an error." },
  cancelled: { label: "Cancelled", tone: "zinc", description: "Cancelled by a person, or an approval expired." },
  rejected: { label: "Rejected", tone: "violet", description: "A person rejected one of its approvals." },
};

export function isOutcome(value: unknown): value is TaskOutcome {
  return typeof value === "string" && value in meta;
}

export function outcomeMeta(outcome: TaskOutcome): { label: string; tone: BadgeTone; description: string } {
  return meta[outcome];
}
