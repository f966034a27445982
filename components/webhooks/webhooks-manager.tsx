"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Spinner } from "@/components/ui/spinner";
import {
  outboundWebhookEventTypes,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
  type WebhookDeliveryJson,
  type WebhookEndpointJson,
} from "@/lib/outbound-webhooks/schemas";
import { DeliveryLog } from "./delivery-log";
import { EndpointFields, endpointFormFields, endpointFormSchema, errorText, placeIssues, type EndpointFormInput, type EndpointFormOutput } from "./shared";

/** An endpoint as `GET /api/v1/webhook-endpoints` returns it, with its latest delivery attempts. */
export type WebhookEndpointView = WebhookEndpointJson & { deliveries: WebhookDeliveryJson[] };

type ShownSecret = { url: string; secret: string; reason: "created" | "rotated" };

/**
 * Settings → Webhooks: the organization's outbound webhook endpoints (Standard Webhooks). Add one
 * (its signing secret is shown once), edit its URL, description and event types, turn it off and on
 * (on again resets the failure count), rotate its secret, delete it after a confirmation, and read and
 * resend its delivery log. Every change goes through `/api/v1/webhook-endpoints…` (audited there) and
 * the server-rendered list is refreshed.
 */
export function WebhooksManager({ endpoints, failureLimit }: { endpoints: WebhookEndpointView[]; failureLimit: number }) {
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  return (
    <div className="space-y-6">
      {secret ? <SecretPanel shown={secret} onDone={() => setSecret(null)} /> : null}
      <Card aria-labelledby="webhooks-heading">
        <CardHeader
          headingId="webhooks-heading"
          title="Webhook endpoints"
          description={`Squadron POSTs signed events to these URLs and retries failures. After ${failureLimit} failed deliveries in a row an endpoint is disabled and owners are e-mailed.`}
        />
        {endpoints.length === 0 ? (
          <p className="px-5 py-8 text-center text-sm text-zinc-600" data-testid="webhooks-empty">
            No webhook endpoints yet. Add one below.
          </p>
        ) : (
          <ul role="list" className="divide-y divide-zinc-200">
            {endpoints.map((e) => (
              <EndpointRow key={e.id} endpoint={e} failureLimit={failureLimit} onSecret={(s) => setSecret({ url: e.url, secret: s, reason: "rotated" })} />
            ))}
          </ul>
        )}
      </Card>
      <AddEndpointForm onCreated={(created) => setSecret({ url: created.url, secret: created.secret, reason: "created" })} />
      <VerifyHint />
    </div>
  );
}

function SecretPanel({ shown, onDone }: { shown: ShownSecret; onDone: () => void }) {
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <Card aria-labelledby="webhook-secret-heading" className="ring-emerald-300" data-testid="webhook-endpoint-secret-shown">
      <CardHeader
        headingId="webhook-secret-heading"
        title={shown.reason === "created" ? "Endpoint added" : "New signing secret"}
        description={<span className="break-all font-mono">{shown.url}</span>}
        actions={
          <Button variant="secondary" size="sm" onClick={onDone}>
            Done
          </Button>
        }
      />
      <CardBody className="space-y-3">
        <Alert tone="info" title="Copy the signing secret now: you won't see it again.">
          {shown.reason === "created"
            ? "Your receiver verifies each delivery with it. If you lose it, rotate the secret."
            : "Deliveries from now on are signed with this secret only: put it in your receiver."}
        </Alert>
        <div className="flex flex-wrap items-center gap-2">
          <code className="min-w-0 flex-1 select-all break-all rounded-md bg-zinc-900 px-3 py-2 font-mono text-sm text-zinc-50" data-testid="webhook-endpoint-secret">
            {shown.secret}
          </code>
          <Button
            variant="secondary"
            size="sm"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(shown.secret);
                setCopy("copied");
              } catch {
                setCopy("failed");
              }
            }}
          >
            Copy
          </Button>
          <span role="status" className="text-xs text-zinc-600">
            {copy === "copied" ? "Copied to the clipboard." : copy === "failed" ? "Couldn't copy; select the secret and copy it yourself." : ""}
          </span>
        </div>
      </CardBody>
    </Card>
  );
}

function EndpointRow({ endpoint: e, failureLimit, onSecret }: { endpoint: WebhookEndpointView; failureLimit: number; onSecret: (secret: string) => void }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState<"delete" | "rotate" | null>(null);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (what: string, action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      router.refresh();
    } catch (err) {
      setError(errorText(err, `Couldn't ${what}.`));
    } finally {
      setBusy(false);
    }
  };
  const base = `/api/v1/webhook-endpoints/${encodeURIComponent(e.id)}`;
  const toggle = () =>
    run(e.enabled ? "disable the endpoint" : "enable the endpoint", async () => {
      await apiFetch(base, webhookEndpointSchema, { method: "PATCH", body: JSON.stringify({ enabled: !e.enabled }) });
    });
  const confirm = (kind: "delete" | "rotate") =>
    run(kind === "delete" ? "delete the endpoint" : "rotate the secret", async () => {
      if (kind === "delete") {
        // 204 has no body: any (absent) body is fine.
        await apiFetch(base, z.unknown(), { method: "DELETE" });
      } else {
        const rotated = await apiFetch(`${base}/rotate-secret`, webhookEndpointWithSecretSchema, { method: "POST" });
        onSecret(rotated.secret);
      }
      setConfirming(null);
    });

  const switchLabelId = `webhook-enabled-${e.id}`;
  return (
    <li className="space-y-3 px-4 py-4 sm:px-5" data-testid="webhook-endpoint-row" data-endpoint-id={e.id} data-enabled={e.enabled}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <p className="break-all font-mono text-sm font-semibold text-zinc-900" data-testid="webhook-endpoint-url">
            {e.url}
          </p>
          {e.description ? <p className="text-xs text-zinc-600">{e.description}</p> : null}
          <div className="flex flex-wrap items-center gap-1.5">
            {e.enabled ? (
              <Badge tone="green" data-testid="webhook-endpoint-status">
                Enabled
              </Badge>
            ) : (
              <Badge tone={e.disabledReason ? "red" : "zinc"} data-testid="webhook-endpoint-status">
                {e.disabledReason ? "Disabled after failures" : "Disabled"}
              </Badge>
            )}
            {e.eventTypes.map((t) => (
              <Badge key={t} tone="indigo" className="font-mono">
                {t}
              </Badge>
            ))}
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <div className="flex items-center gap-2">
            <button
              type="button"
              role="switch"
              aria-checked={e.enabled}
              aria-labelledby={switchLabelId}
              onClick={() => void toggle()}
              disabled={busy}
              className={`relative inline-flex h-6 w-11 shrink-0 cursor-pointer rounded-full transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:opacity-60 ${e.enabled ? "bg-indigo-600" : "bg-zinc-300"}`}
            >
              <span aria-hidden="true" className={`inline-block size-5 translate-y-0.5 rounded-full bg-white shadow transition-transform ${e.enabled ? "translate-x-5" : "translate-x-0.5"}`} />
            </button>
            <span id={switchLabelId} className="text-sm text-zinc-800">
              Enabled
            </span>
          </div>
          <Button size="sm" variant="secondary" onClick={() => setEditing((v) => !v)} disabled={busy} aria-expanded={editing}>
            Edit
          </Button>
          <Button size="sm" variant="secondary" onClick={() => setConfirming("rotate")} disabled={busy}>
            Rotate secret
          </Button>
          <Button size="sm" variant="secondary" className="text-red-700" onClick={() => setConfirming("delete")} disabled={busy}>
            Delete
          </Button>
        </div>
      </div>
      {e.disabledReason ? (
        <div className="rounded-md bg-red-50 px-3 py-2 text-xs text-red-800 ring-1 ring-inset ring-red-200" data-testid="webhook-endpoint-disabled-reason">
          {e.disabledReason} Nothing is delivered until you fix the receiver and turn the endpoint on again (that resets the failure count).
        </div>
      ) : null}
      <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-xs sm:grid-cols-[auto_1fr]">
        <dt className="text-zinc-600">Failed deliveries in a row</dt>
        <dd className={e.consecutiveFailures > 0 ? "font-medium text-amber-800" : "text-zinc-800"} data-testid="webhook-endpoint-failures">
          {e.consecutiveFailures} of {failureLimit} (disabled at {failureLimit})
        </dd>
      </dl>
      {editing ? <EditEndpointForm endpoint={e} onDone={() => setEditing(false)} /> : null}
      <DeliveryLog endpointId={e.id} initial={e.deliveries} enabled={e.enabled} />
      {confirming ? (
        <div role="alertdialog" aria-labelledby={`confirm-${e.id}`} className="space-y-2 rounded-md bg-amber-50 p-3 ring-1 ring-amber-600/20">
          <p id={`confirm-${e.id}`} className="text-sm text-amber-900">
            {confirming === "delete"
              ? `Delete the endpoint ${e.url}? Its delivery log goes with it and nothing is sent there any more.`
              : `Rotate the signing secret of ${e.url}? Deliveries from now on are signed with the new secret only.`}
          </p>
          <div className="flex gap-2">
            <Button size="sm" onClick={() => void confirm(confirming)} disabled={busy} className={confirming === "delete" ? "bg-red-700 hover:bg-red-600" : undefined}>
              {busy ? <Spinner /> : null}
              {confirming === "delete" ? "Delete endpoint" : "Rotate secret now"}
            </Button>
            <Button size="sm" variant="secondary" onClick={() => setConfirming(null)} disabled={busy}>
              Keep it
            </Button>
          </div>
        </div>
      ) : null}
      {error ? <Alert>{error}</Alert> : null}
    </li>
  );
}

function EditEndpointForm({ endpoint: e, onDone }: { endpoint: WebhookEndpointJson; onDone: () => void }) {
  const router = useRouter();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<EndpointFormInput, unknown, EndpointFormOutput>({
    resolver: zodResolver(endpointFormSchema),
    defaultValues: { url: e.url, description: e.description, eventTypes: e.eventTypes },
  });
  const onSubmit = handleSubmit(async (values) => {
    try {
      await apiFetch(`/api/v1/webhook-endpoints/${encodeURIComponent(e.id)}`, webhookEndpointSchema, { method: "PATCH", body: JSON.stringify(values) });
      onDone();
      router.refresh();
    } catch (err) {
      if (placeIssues(err, setError, endpointFormFields)) return;
      setError("root", { message: errorText(err, "Couldn't save the endpoint.") });
    }
  });
  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Edit ${e.url}`} className="grid grid-cols-1 gap-4 rounded-md bg-zinc-50 p-3 ring-1 ring-zinc-200 sm:grid-cols-2">
      {errors.root?.message ? (
        <div className="sm:col-span-2">
          <Alert>{errors.root.message}</Alert>
        </div>
      ) : null}
      <EndpointFields idPrefix={`edit-${e.id}`} register={register} errors={errors} />
      <div className="flex justify-end gap-2 sm:col-span-2">
        <Button variant="secondary" onClick={onDone} disabled={isSubmitting}>
          Cancel
        </Button>
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? <Spinner /> : null}
          Save
        </Button>
      </div>
    </form>
  );
}

function AddEndpointForm({ onCreated }: { onCreated: (created: { url: string; secret: string }) => void }) {
  const router = useRouter();
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<EndpointFormInput, unknown, EndpointFormOutput>({
    resolver: zodResolver(endpointFormSchema),
    defaultValues: { url: "", description: "", eventTypes: [...outboundWebhookEventTypes] },
  });
  const onSubmit = handleSubmit(async (values) => {
    try {
      const created = await apiFetch("/api/v1/webhook-endpoints", webhookEndpointWithSecretSchema, { method: "POST", body: JSON.stringify(values) });
      reset();
      onCreated(created);
      router.refresh();
    } catch (err) {
      if (placeIssues(err, setError, endpointFormFields)) return;
      setError("root", { message: errorText(err, "Couldn't add the endpoint.") });
    }
  });
  return (
    <Card aria-labelledby="add-webhook-heading">
      <CardHeader headingId="add-webhook-heading" title="Add an endpoint" description="An http(s) URL of yours that receives the events you choose, signed with its own secret." />
      <CardBody>
        <form onSubmit={onSubmit} noValidate aria-label="Add webhook endpoint" className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          {errors.root?.message ? (
            <div className="sm:col-span-2">
              <Alert>{errors.root.message}</Alert>
            </div>
          ) : null}
          <EndpointFields idPrefix="new-webhook" register={register} errors={errors} />
          <div className="flex justify-end sm:col-span-2">
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? <Spinner /> : null}
              Add endpoint
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}

/** How a receiver checks a delivery: Standard Webhooks headers and the `standardwebhooks` library. */
export function VerifyHint() {
  return (
    <Card aria-labelledby="verify-webhooks-heading">
      <CardHeader headingId="verify-webhooks-heading" title="Verify signatures" description="Every delivery follows the Standard Webhooks specification." />
      <CardBody className="space-y-3 text-sm text-zinc-700">
        <p>
          Each request carries <code className="font-mono text-xs">webhook-id</code> (the event&apos;s id, the same on retries and resends: use it to
          drop duplicates), <code className="font-mono text-xs">webhook-timestamp</code> and <code className="font-mono text-xs">webhook-signature</code>.
          Check them against the raw body with the endpoint&apos;s secret, for instance with the{" "}
          <a href="https://www.npmjs.com/package/standardwebhooks" className="font-medium text-indigo-600 hover:text-indigo-500" rel="noreferrer">
            standardwebhooks
          </a>{" "}
          library, and refuse the request when the check fails.
        </p>
        <pre className="overflow-x-auto rounded-md bg-zinc-100 px-3 py-2 font-mono text-xs text-zinc-800">
          {`import { Webhook } from "standardwebhooks";

const wh = new Webhook(process.env.SQUADRON_WEBHOOK_SECRET); // "whsec_…"
// Throws when the signature or the timestamp is wrong.
const event = wh.verify(rawBody, {
  "webhook-id": req.headers["webhook-id"],
  "webhook-timestamp": req.headers["webhook-timestamp"],
  "webhook-signature": req.headers["webhook-signature"],
});
// event.type, e.g. "task.completed"; event.data.task`}
        </pre>
      </CardBody>
    </Card>
  );
}
