import { z } from "zod";
import { subtaskRoles } from "@/db/schema/agent-roles";

/** Roles a planned subtask can be assigned to (every role but the planner), from the role catalog. */
export { subtaskRoles } from "@/db/schema/agent-roles";

/**
 * The product manager's plan: a summary and subtasks forming a dependency graph by `key`
 * (`dependsOn` lists keys of subtasks that must finish first).
 */
export const planSchema = z.object({
  summary: z.string().min(1),
  subtasks: z
    .array(
      z.object({
        key: z.string().min(1),
        title: z.string().min(1),
        description: z.string(),
        role: z.enum(subtaskRoles),
        dependsOn: z.array(z.string()),
      }),
    )
    .min(1),
});
export type Plan = z.infer<typeof planSchema>;

/** The tech lead's review of a change. `comments[].path` is a repository-relative file path when the comment is about one file. */
export const reviewSchema = z.object({
  verdict: z.enum(["approve", "request_changes", "comment"]),
  summary: z.string().min(1),
  comments: z.array(z.object({ path: z.string().optional(), body: z.string().min(1) })),
});
export type Review = z.infer<typeof reviewSchema>;

/**
 * A zod schema as a JSON Schema object for tool parameters and structured output (`$schema` dropped:
 * some OpenAI-compatible servers reject unknown top-level keys).
 */
export function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return withoutDialect(z.toJSONSchema(schema));
}

/** A JSON Schema without its root `$schema` dialect marker (the vendors' schema subsets do not need it). */
export function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/** `ModelRequest.responseFormat` for a plan. */
export const planResponseFormat = { name: "plan", schema: toJsonSchema(planSchema) };
/** `ModelRequest.responseFormat` for a review. */
export const reviewResponseFormat = { name: "review", schema: toJsonSchema(reviewSchema) };
