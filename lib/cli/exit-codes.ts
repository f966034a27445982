/**
 * Exit codes of the `squad` CLI. Commands that wait for a task (`run --follow`, `follow`, `show
 * --exit-status`) exit with the code of its outcome, so scripts can branch on it:
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success; for a task: `delivered` (a patch or pull request) |
 * | 1 | error: the server refused the request, could not be reached, or answered unexpectedly |
 * | 2 | usage error: unknown command or option, missing argument, no API key |
 * | 3 | the task ended `no_changes` (the squad wrote no code) |
 * | 4 | the task ended `failed` |
 * | 5 | the task ended `cancelled` or `rejected` |
 * | 6 | the task waits for a person's approval (`squad approve <task id>`) |
 */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  noChanges: 3,
  failed: 4,
  cancelled: 5,
  needsApproval: 6,
} as const;

/** The exit code for a task's state: its outcome once it ended, else whether it waits for approval. */
export function exitCodeForTask(task: { status: string; outcome?: string | null }): number {
  switch (task.outcome) {
    case "delivered":
      return EXIT.ok;
    case "no_changes":
      return EXIT.noChanges;
    case "failed":
      return EXIT.failed;
    case "cancelled":
    case "rejected":
      return EXIT.cancelled;
  }
  if (task.status === "awaiting_approval") return EXIT.needsApproval;
  if (task.status === "failed") return EXIT.failed;
  if (task.status === "cancelled") return EXIT.cancelled;
  // completed without an outcome (a server older than outcomes): it produced no patch we know of
  return task.status === "completed" ? EXIT.ok : EXIT.error;
}
