import type { BadgeTone } from "@/components/ui/badge";

import { taskStatuses, terminalTaskStatuses, type TaskStatus } from "@/lib/tasks/statuses";

export { taskStatuses, type TaskStatus };

const terminal: ReadonlySet<string> = new Set(terminalTaskStatuses);

/** Completed, failed and cancelled tasks never change status again. */
export function isTerminalStatus(status: string): boolean {
  return terminal.has(status);
}

const meta: Record<TaskStatus, { label: string; tone: BadgeTone }> = {
  queued: { label: "Queued", tone: "zinc" },
  planning: { label: "Planning", tone: "blue" },
  running: { label: "Running", tone: "blue" },
  testing: { label: "Testing", tone: "violet" },
  reviewing: { label: "Reviewing", tone: "violet" },
  awaiting_approval: { label: "Awaiting approval", tone: "amber" },
  blocked: { label: "Blocked", tone: "red" },
  completed: { label: "Completed", tone: "green" },
  failed: { label: "Failed", tone: "red" },
  cancelled: { label: "Cancelled", tone: "zinc" },
};

function isKnownStatus(status: string): status is TaskStatus {
  return status in meta;
}

export function statusMeta(status: string): { label: string; tone: BadgeTone } {
  return isKnownStatus(status) ? meta[status] : { label: status, tone: "zinc" };
}
