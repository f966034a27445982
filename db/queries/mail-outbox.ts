import { desc, eq } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { mailOutbox } from "../schema";

export type MailOutboxRow = typeof mailOutbox.$inferSelect;

/** The organization's recorded mail (outbox and sent), newest first, at most `limit` rows. */
export async function listMailOutbox(db: DbOrTx, q: { organizationId: string; limit: number }): Promise<MailOutboxRow[]> {
  return db
    .select()
    .from(mailOutbox)
    .where(eq(mailOutbox.organizationId, q.organizationId))
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(q.limit);
}
