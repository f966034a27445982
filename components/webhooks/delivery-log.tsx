"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { z } from "zod";
import { apiFetch } from "@/components/tasks/api";
import { LocalTime } from "@/components/local-time";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { webhookDeliverySchema, type WebhookDeliveryJson } from "@/lib/outbound-webhooks/schemas";
import { DELIVERY_LOG_LIMIT } from "./constants";
import { errorText } from "./shared";

const deliveryListSchema = z.object({ items: z.array(webhookDeliverySchema) });
const resendSchema = z.object({ runKey: z.string(), eventId: z.string() });

const POLL_MS = 4_000;

/**
 * An endpoint's delivery log (`GET /api/v1/webhook-endpoints/{id}/deliveries`): each attempt with
 * its event, attempt number, response code, duration and time, and a Resend button (a new run of the
 * same event, same `webhook-id`). Starts from the server-rendered attempts; while open it reloads
 * every few seconds, and refreshes the page (failure count, disabled state) when something new came.
 */
export function DeliveryLog({ endpointId, initial, enabled }: { endpointId: string; initial: WebhookDeliveryJson[]; enabled: boolean }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState(initial);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resending, setResending] = useState<string | null>(null);
  const newest = useRef(initial[0]?.id ?? null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const { items: fresh } = await apiFetch(`/api/v1/webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries?limit=${DELIVERY_LOG_LIMIT}`, deliveryListSchema);
      setItems(fresh);
      setError(null);
      const top = fresh[0]?.id ?? null;
      if (top !== newest.current) {
        newest.current = top;
        router.refresh();
      }
    } catch (e) {
      setError(errorText(e, "Couldn't load the delivery log."));
    } finally {
      setLoading(false);
    }
  }, [endpointId, router]);

  useEffect(() => {
    if (!open) return;
    void load();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void load();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [open, load]);

  const resend = async (d: WebhookDeliveryJson) => {
    setResending(d.id);
    setError(null);
    setNotice(null);
    try {
      await apiFetch(`/api/v1/webhook-endpoints/${encodeURIComponent(endpointId)}/deliveries/${encodeURIComponent(d.id)}/resend`, resendSchema, { method: "POST" });
      setNotice(`Resending ${d.eventType}: the new attempt appears here in a moment.`);
      setTimeout(() => void load(), 1_500);
    } catch (e) {
      setError(errorText(e, "Couldn't resend the delivery."));
    } finally {
      setResending(null);
    }
  };

  const last = items[0];
  const panelId = `deliveries-${endpointId}`;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <Button size="sm" variant="ghost" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)}>
          {open ? "Hide delivery log" : "Show delivery log"}
        </Button>
        <span className="text-xs text-zinc-600" data-testid="webhook-last-delivery">
          {last ? (
            <>
              Last delivery: {last.status === "succeeded" ? "succeeded" : "failed"}
              {last.responseStatus !== null ? ` (${last.responseStatus})` : ""}, <LocalTime iso={last.createdAt} />
            </>
          ) : (
            "No deliveries yet."
          )}
        </span>
        {open && loading ? <Spinner label="Loading the delivery log" /> : null}
      </div>
      {open ? (
        <div id={panelId} className="space-y-2" data-testid="webhook-delivery-log">
          <div className="flex items-center justify-between gap-2">
            <p className="text-xs text-zinc-600">The latest {DELIVERY_LOG_LIMIT} attempts, newest first; updated every few seconds.</p>
            <Button size="sm" variant="secondary" onClick={() => void load()} disabled={loading}>
              Refresh
            </Button>
          </div>
          {notice ? (
            <p role="status" className="text-xs text-emerald-700">
              {notice}
            </p>
          ) : null}
          {error ? <Alert>{error}</Alert> : null}
          {items.length === 0 ? (
            <p className="rounded-md bg-zinc-50 px-3 py-4 text-center text-xs text-zinc-600">No deliveries yet. Events you subscribed to are sent here as they happen.</p>
          ) : (
            <div className="overflow-x-auto rounded-md ring-1 ring-zinc-200">
              <table className="min-w-full divide-y divide-zinc-200 text-xs">
                <caption className="sr-only">Delivery attempts</caption>
                <thead className="bg-zinc-50 text-left text-zinc-600">
                  <tr>
                    <th scope="col" className="px-3 py-2 font-medium">Time</th>
                    <th scope="col" className="px-3 py-2 font-medium">Event</th>
                    <th scope="col" className="px-3 py-2 font-medium">Attempt</th>
                    <th scope="col" className="px-3 py-2 font-medium">Response</th>
                    <th scope="col" className="px-3 py-2 font-medium">Duration</th>
                    <th scope="col" className="px-3 py-2 font-medium">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-100 bg-white">
                  {items.map((d) => (
                    <tr key={d.id} data-testid="webhook-delivery" data-status={d.status} data-event-id={d.eventId}>
                      <td className="whitespace-nowrap px-3 py-2 text-zinc-700">
                        <LocalTime iso={d.createdAt} />
                      </td>
                      <td className="px-3 py-2">
                        <span className="font-mono text-zinc-900">{d.eventType}</span>
                        {d.manual ? (
                          <Badge tone="violet" className="ml-1">
                            resend
                          </Badge>
                        ) : null}
                      </td>
                      <td className="px-3 py-2 text-zinc-700">#{d.attempt}</td>
                      <td className="px-3 py-2">
                        <Badge tone={d.status === "succeeded" ? "green" : "red"} data-testid="webhook-delivery-response">
                          {d.responseStatus !== null ? d.responseStatus : "no response"}
                        </Badge>
                        {d.error ? (
                          <p className="mt-1 max-w-xs break-words text-red-700" title={d.error}>
                            {d.error.length > 160 ? `${d.error.slice(0, 160)}…` : d.error}
                          </p>
                        ) : null}
                      </td>
                      <td className="whitespace-nowrap px-3 py-2 text-zinc-700">{d.durationMs} ms</td>
                      <td className="px-3 py-2 text-right">
                        <Button
                          size="sm"
                          variant="secondary"
                          onClick={() => void resend(d)}
                          disabled={!enabled || resending !== null}
                          title={enabled ? "Deliver this event again (same webhook-id)" : "Enable the endpoint to resend"}
                        >
                          {resending === d.id ? <Spinner /> : null}
                          Resend
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ) : null}
    </div>
  );
}
