import { z } from "zod";
import { agentRoles } from "@/db/schema/agent-roles";
import { lessonSourceKinds } from "@/db/schema/knowledge-constants";

// Client-safe: the lesson edit form validates with these same schemas.

/** Longest lesson statement, in characters: a lesson is one or two sentences. */
export const MAX_LESSON_STATEMENT_CHARS = 500;

/** `PATCH /api/v1/lessons/{id}` body: the new statement (trimmed, 1–500 characters). */
export const updateLessonInputSchema = z.strictObject({
  statement: z
    .string()
    .trim()
    .min(1, "Say what the lesson is.")
    .max(MAX_LESSON_STATEMENT_CHARS, `At most ${MAX_LESSON_STATEMENT_CHARS} characters.`),
});
export type UpdateLessonInput = z.infer<typeof updateLessonInputSchema>;

/** `GET /api/v1/lessons` query: optionally only one repository's and/or one role's lessons. */
export const listLessonsQuerySchema = z.object({
  repositoryId: z.uuid().optional(),
  role: z.enum(agentRoles).optional(),
});

/** A lesson as the API returns it. `sourceUrl` is an app path (`/tasks/<id>`) or a GitHub URL. */
export const lessonSchema = z.object({
  id: z.uuid(),
  repositoryId: z.uuid().nullable(),
  role: z.enum(agentRoles).nullable().describe("The role the lesson is for; null = every role."),
  statement: z.string(),
  source: z.object({
    kind: z.enum(lessonSourceKinds),
    label: z.string().describe('Where it came from, for people (e.g. "Plan rejected by Ann").'),
    taskId: z.uuid().nullable(),
    url: z.string().nullable(),
    excerpt: z.string().nullable().describe("The words the lesson was distilled from."),
  }),
  distilledBy: z.string().describe("`rules` (offline, deterministic) or `provider:model`."),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type LessonJson = z.infer<typeof lessonSchema>;
