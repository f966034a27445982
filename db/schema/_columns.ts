import { text, timestamp } from "drizzle-orm/pg-core";
import { organization } from "./auth";

/** Every domain row belongs to exactly one organization; deleting the organization deletes its rows. */
export const organizationId = () =>
  text("organization_id")
    .notNull()
    .references(() => organization.id, { onDelete: "cascade" });

export const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
export const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
