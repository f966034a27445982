"use client";

import { useState } from "react";
import { LocalTime } from "@/components/local-time";
import { apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { auditEventPageSchema, type AuditEventJson, type AuditEventPage } from "@/lib/audit/schemas";

/** A sentence per action; unknown actions show their dotted name. */
const actionLabels: Record<string, string> = {
  "approval.decided": "Decided an approval",
  "api_key.created": "Created an API key",
  "api_key.revoked": "Revoked an API key",
  "member.invited": "Invited a member",
  "member.added": "Member joined",
  "member.role_changed": "Changed a member's role",
  "member.removed": "Removed a member",
  "invitation.cancelled": "Cancelled an invitation",
  "invitation.rejected": "Invitation declined",
  "squad.updated": "Changed a squad (policy, routing, agents)",
  "organization.updated": "Changed the organization",
};

/** The facts of an event as `key: value` pairs, values stringified (rendered as text). */
function facts(data: Record<string, unknown>): [string, string][] {
  return Object.entries(data).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]);
}

function actorOf(e: AuditEventJson): string {
  const who = e.actor.name ? `${e.actor.name}${e.actor.email ? ` (${e.actor.email})` : ""}` : e.actor.userId ? "A former member" : "System";
  return e.actor.apiKeyId ? `${who} with an API key` : who;
}

/**
 * The organization's audit log, newest first: the first page comes from the server, "Load older"
 * pages through `GET /api/v1/audit-events?cursor=`.
 */
export function AuditLog({ initial }: { initial: AuditEventPage }) {
  const [items, setItems] = useState(initial.items);
  const [cursor, setCursor] = useState(initial.nextCursor);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function loadOlder() {
    if (cursor === null) return;
    setLoading(true);
    setError(null);
    try {
      const page = await apiFetch(`/api/v1/audit-events?limit=50&cursor=${cursor}`, auditEventPageSchema);
      setItems((prev) => [...prev, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setError(err instanceof Error ? err.message : "Couldn't load older entries.");
    } finally {
      setLoading(false);
    }
  }

  if (items.length === 0) {
    return <p className="px-4 py-6 text-sm text-zinc-500 sm:px-5">Nothing yet. Invitations, role changes, approvals and key changes appear here.</p>;
  }
  return (
    <div>
      <ol className="divide-y divide-zinc-100" aria-label="Audit events">
        {items.map((e) => (
          <li key={e.id} className="space-y-1 px-4 py-3 sm:px-5" data-testid="audit-row">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <p className="text-sm text-zinc-900">
                <span className="font-medium">{actionLabels[e.action] ?? e.action}</span>{" "}
                <Badge tone="zinc">{e.action}</Badge>
              </p>
              <LocalTime iso={e.createdAt} className="text-xs text-zinc-500" />
            </div>
            <p className="text-xs text-zinc-600">
              by {actorOf(e)} · {e.targetType}
              {e.targetId ? ` ${e.targetId}` : ""}
            </p>
            {Object.keys(e.data).length > 0 ? (
              <dl className="flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-zinc-600">
                {facts(e.data).map(([k, v]) => (
                  <div key={k} className="flex gap-1">
                    <dt className="text-zinc-500">{k}:</dt>
                    <dd className="break-all text-zinc-800">{v}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </li>
        ))}
      </ol>
      <div className="space-y-2 border-t border-zinc-100 px-4 py-3 sm:px-5">
        {error ? <Alert>{error}</Alert> : null}
        {cursor !== null ? (
          <Button variant="secondary" size="sm" onClick={() => void loadOlder()} disabled={loading}>
            {loading ? <Spinner /> : null}
            Load older events
          </Button>
        ) : (
          <p className="text-xs text-zinc-500">That is the whole log.</p>
        )}
      </div>
    </div>
  );
}
