import type { DbOrTx } from "@/db/client";
import { listTasksPage } from "@/db/queries/tasks";
import { AppError } from "@/lib/errors";
import type { ListTasksQuery } from "./schemas";
import { serializeTask, type TaskJson } from "./serialize";

/** The opaque cursor of a page: the last task's id, base64url-encoded. */
const encodeCursor = (taskId: string) => Buffer.from(taskId, "utf8").toString("base64url");

/** @throws AppError `invalid_input` when `cursor` is not one this API returned */
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new AppError("invalid_input", "Invalid query parameters: cursor: not a cursor this API returned", {
      issues: [{ path: "cursor", message: "not a cursor this API returned" }],
    });
  }
  return id;
}

/**
 * One page of the organization's top-level tasks, newest first, filtered by `query`.
 * @returns `{ items, nextCursor }`; `nextCursor` (pass it back as `cursor`) is null on the last page
 * @throws AppError `invalid_input` for a cursor this API did not return
 */
export async function listTaskPage(
  db: DbOrTx,
  q: { organizationId: string; query: ListTasksQuery },
): Promise<{ items: TaskJson[]; nextCursor: string | null }> {
  const { query } = q;
  // One extra row tells whether another page exists without a second query.
  const rows = await listTasksPage(db, {
    organizationId: q.organizationId,
    limit: query.limit + 1,
    afterId: query.cursor ? decodeCursor(query.cursor) : undefined,
    statuses: query.status,
    outcomes: query.outcome,
    sources: query.source,
    squadId: query.squadId,
    repositoryId: query.repositoryId,
  });
  const page = rows.slice(0, query.limit);
  return { items: page.map(serializeTask), nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1].id) : null };
}
