import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { listMailOutbox } from "@/db/queries/mail-outbox";
import { withContext } from "@/lib/api/handler";
import { serializeMail } from "@/lib/mail/serialize";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/mail-outbox` → the organization's recorded mail (invitations with their links),
 * newest first, at most 100 (JSON array of `{ id, to, subject, text, link, transport, createdAt }`).
 * Those who may invite (owners and admins, `invitation:create`) only: the links are invitations.
 */
export const GET = withContext(
  async (_req, ctx) => {
    const rows = await withTenant(getDb(), ctx.organizationId, (tx) => listMailOutbox(tx, { organizationId: ctx.organizationId, limit: 100 }));
    return Response.json(rows.map(serializeMail));
  },
  { requires: { invitation: ["create"] } },
);
