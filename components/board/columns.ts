/** A card of the board: a top-level task with the names and totals the board shows. */
export type BoardCard = {
  id: string;
  title: string;
  status: string;
  outcome: string | null;
  repositoryName: string | null;
  squadName: string | null;
  /** Model spend so far in USD micros. */
  costUsdMicros: number;
  createdAt: string;
};

/** The board's columns, in the order a task moves through them; `statuses` are the task statuses each holds. */
export const boardColumns = [
  { id: "queued", title: "Queued", statuses: ["queued"] },
  { id: "planning", title: "Planning", statuses: ["planning"] },
  { id: "running", title: "Running", statuses: ["running", "testing", "reviewing", "blocked"] },
  { id: "awaiting_approval", title: "Awaiting approval", statuses: ["awaiting_approval"] },
  // Titled by the status, not "Delivered": a completed task may have ended with no changes (its card's badge says which).
  { id: "delivered", title: "Completed", statuses: ["completed"] },
  { id: "failed", title: "Failed or stopped", statuses: ["failed", "cancelled"] },
] as const;
export type BoardColumnId = (typeof boardColumns)[number]["id"];

/** The column of a task status; unknown statuses go to `running`. */
export function columnOf(status: string): BoardColumnId {
  return boardColumns.find((c) => (c.statuses as readonly string[]).includes(status))?.id ?? "running";
}

/** `3 min`, `2 h`, `5 d` since `iso` at `now` (ms since epoch). */
export function formatAge(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} d`;
}
