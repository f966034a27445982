import { z } from "zod";

/** Body of `POST /api/v1/tasks` and of the web form that creates a task (same schema on both sides). */
export const createTaskInputSchema = z.object({
  title: z.string().trim().min(1, "Title is required").max(200, "Title must be at most 200 characters"),
  description: z.string().max(10_000, "Description must be at most 10,000 characters").default(""),
  squadId: z.uuid("squadId must be a UUID").optional(),
});
export type CreateTaskInput = z.input<typeof createTaskInputSchema>;
export type CreateTaskData = z.output<typeof createTaskInputSchema>;
