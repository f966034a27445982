import { z } from "zod";

/**
 * Query of `GET /api/v1/usage`: the period `[from, to)` as ISO-8601 dates or timestamps. Default:
 * the current calendar month (UTC) up to now. At most 366 days.
 */
export const usageQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  })
  .transform((q, ctx) => {
    const now = new Date();
    const from = q.from ? new Date(q.from) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const to = q.to ? new Date(q.to) : now;
    if (from >= to) ctx.addIssue({ code: "custom", message: "from must be before to", path: ["from"] });
    else if (to.getTime() - from.getTime() > 366 * 86_400_000) ctx.addIssue({ code: "custom", message: "the period must be at most 366 days", path: ["to"] });
    return { from, to };
  });
export type UsageQuery = z.output<typeof usageQuerySchema>;
