import { z } from "zod";
import { taskOutcomes, taskSources, taskStatuses } from "@/db/schema/task-statuses";

/** Body of `POST /api/v1/tasks` and of the web form that creates a task (same schema on both sides). */
export const createTaskInputSchema = z.object({
  title: z.string().trim().min(1, "Title is required").max(200, "Title must be at most 200 characters"),
  description: z.string().max(10_000, "Description must be at most 10,000 characters").default(""),
  /** The squad that runs it (the organization's default squad when omitted). */
  squadId: z.uuid("squadId must be a UUID").optional(),
  /** The repository to work on (the squad's own when omitted). */
  repositoryId: z.uuid("repositoryId must be a UUID").optional(),
  /** Budget of this task in USD micros (the squad's per-task budget when omitted). */
  budgetUsdMicros: z
    .number()
    .int("budgetUsdMicros must be an integer (USD micros)")
    .min(1, "budgetUsdMicros must be positive")
    .max(Number.MAX_SAFE_INTEGER)
    .optional(),
});
export type CreateTaskInput = z.input<typeof createTaskInputSchema>;
export type CreateTaskData = z.output<typeof createTaskInputSchema>;

/** Largest page `GET /api/v1/tasks` returns. */
export const MAX_TASKS_PAGE = 100;

/** One value or a comma-separated list (`?status=queued,running`), each checked against `values`. */
function csvOf<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z
    .string()
    .max(500)
    .transform((s) => s.split(",").map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values, { error: `${what} must be one of: ${values.join(", ")}` })).min(1, `${what} is empty`));
}

/**
 * Query of `GET /api/v1/tasks`: cursor pagination (newest first) and filters. `cursor` is the
 * opaque `nextCursor` of the previous page; `limit` 1–100 (default 20).
 */
export const listTasksQuerySchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int("limit must be an integer").min(1).max(MAX_TASKS_PAGE).default(20),
  status: csvOf(taskStatuses, "status").optional(),
  /** How the task ended (`delivered`, `no_changes`, `failed`, `cancelled`, `rejected`); unfinished tasks have none. */
  outcome: csvOf(taskOutcomes, "outcome").optional(),
  source: csvOf(taskSources, "source").optional(),
  squadId: z.uuid("squadId must be a UUID").optional(),
  repositoryId: z.uuid("repositoryId must be a UUID").optional(),
});
export type ListTasksQuery = z.output<typeof listTasksQuerySchema>;

/** Body of `POST /api/v1/tasks/{id}/cancel`: an optional reason shown in the timeline. */
export const cancelTaskInputSchema = z.object({
  reason: z.string().trim().max(1000, "reason must be at most 1,000 characters").optional(),
});
