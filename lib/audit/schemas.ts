import { z } from "zod";

/** An absent or empty query parameter (`?cursor=`) counts as not given. */
const emptyAsUndefined = (v: unknown) => (v === "" ? undefined : v);

/**
 * Query of `GET /api/v1/audit-events`: `cursor` is the `id` of the last event of the previous page
 * (`nextCursor` of the previous response); `limit` 1–100, default 50.
 */
export const listAuditEventsQuerySchema = z.object({
  cursor: z.preprocess(emptyAsUndefined, z.coerce.number().int().positive().optional()),
  limit: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100).default(50)),
});
export type ListAuditEventsQuery = z.infer<typeof listAuditEventsQuerySchema>;

/** One audit event as the API returns it (also what the audit page parses). */
export const auditEventJsonSchema = z.object({
  id: z.number(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  actor: z.object({
    userId: z.string().nullable(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    apiKeyId: z.string().nullable(),
  }),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type AuditEventJson = z.infer<typeof auditEventJsonSchema>;

/** A page of `GET /api/v1/audit-events`. */
export const auditEventPageSchema = z.object({
  items: z.array(auditEventJsonSchema),
  nextCursor: z.number().nullable(),
});
export type AuditEventPage = z.infer<typeof auditEventPageSchema>;
