import { withTenant } from "@/db/tenant";
import { getDb } from "@/db/client";
import { organizationUsage } from "@/db/queries/usage";
import { parseQuery, withContext } from "@/lib/api/handler";
import { usageQuerySchema } from "@/lib/usage/schemas";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/usage?from=&to=` → the organization's model usage in `[from, to)` (default: this
 * calendar month, UTC): `{ from, to, totals, byRole, byModel, byDay }`, each with `calls`,
 * `inputTokens`, `outputTokens` (tokens) and `costUsdMicros` (USD × 10⁻⁶), from the `llm_calls` ledger.
 */
export const GET = withContext(
  async (req, ctx) => {
    const { from, to } = parseQuery(req, usageQuerySchema);
    const usage = await withTenant(getDb(), ctx.organizationId, (tx) => organizationUsage(tx, { organizationId: ctx.organizationId, from, to }));
    return Response.json({ from: from.toISOString(), to: to.toISOString(), ...usage });
  },
  { requires: { usage: ["read"] } },
);
