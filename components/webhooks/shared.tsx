"use client";

import type { FieldErrors, FieldValues, Path, UseFormRegister, UseFormSetError } from "react-hook-form";
import type { z } from "zod";
import { ApiError } from "@/components/tasks/api";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { createEndpointInputSchema, outboundWebhookEventTypes } from "@/lib/outbound-webhooks/schemas";

/** The endpoint form's values: the API's own body schema (`POST /api/v1/webhook-endpoints`), client-safe. */
export const endpointFormSchema = createEndpointInputSchema;
export type EndpointFormInput = z.input<typeof endpointFormSchema>;
export type EndpointFormOutput = z.output<typeof endpointFormSchema>;
export const endpointFormFields = ["url", "description", "eventTypes"] as const;

/** What each event type announces (see `db/schema/outbound-webhooks.ts`). */
export const eventTypeHints: Record<(typeof outboundWebhookEventTypes)[number], string> = {
  "task.created": "A task was created (any source).",
  "task.completed": "A task finished (delivered or with no changes).",
  "task.failed": "A task failed.",
  "task.cancelled": "A task was cancelled.",
  "approval.requested": "A run waits for an approval.",
  "approval.decided": "An approval was approved, rejected or expired.",
};

export function errorText(error: unknown, fallback: string): string {
  if (error instanceof ApiError && error.status === 403) return "Your role cannot do this: ask an owner or admin of the organization.";
  return error instanceof Error && error.message ? error.message : fallback;
}

/** Puts a 422's issues on the form's fields; @returns true when at least one landed on a field */
export function placeIssues<T extends FieldValues>(error: unknown, setError: UseFormSetError<T>, fields: readonly Path<T>[]): boolean {
  if (!(error instanceof ApiError) || error.status !== 422) return false;
  let placed = false;
  for (const issue of error.issues) {
    const field = fields.find((f) => f === issue.path || issue.path.startsWith(`${f}.`));
    if (field) {
      setError(field, { message: issue.message }, { shouldFocus: !placed });
      placed = true;
    }
  }
  return placed;
}

/** URL, description and event-type checkboxes of the create and edit forms; `idPrefix` keeps ids unique. */
export function EndpointFields({
  idPrefix,
  register,
  errors,
}: {
  idPrefix: string;
  register: UseFormRegister<EndpointFormInput>;
  errors: FieldErrors<EndpointFormInput>;
}) {
  const urlId = `${idPrefix}-url`;
  const descriptionId = `${idPrefix}-description`;
  const typesError = errors.eventTypes?.message ?? errors.eventTypes?.root?.message;
  return (
    <>
      <Field id={urlId} label="Endpoint URL" error={errors.url?.message} hint="Squadron POSTs signed JSON here, e.g. https://example.com/webhooks/squadron.">
        <Input
          type="url"
          inputMode="url"
          className="font-mono"
          autoComplete="off"
          placeholder="https://example.com/webhooks/squadron"
          {...fieldAria(urlId, errors.url?.message, true)}
          {...register("url")}
        />
      </Field>
      <Field id={descriptionId} label="Description (optional)" error={errors.description?.message}>
        <Input autoComplete="off" placeholder="Our deploy bot" {...fieldAria(descriptionId, errors.description?.message)} {...register("description")} />
      </Field>
      <fieldset className="space-y-2 sm:col-span-2" aria-describedby={typesError ? `${idPrefix}-types-error` : undefined}>
        <legend className="text-sm font-medium text-zinc-800">Event types</legend>
        <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
          {outboundWebhookEventTypes.map((type) => {
            const id = `${idPrefix}-type-${type.replace(".", "-")}`;
            return (
              <div key={type} className="flex items-start gap-2">
                <input
                  id={id}
                  type="checkbox"
                  value={type}
                  className="mt-0.5 size-4 rounded border-zinc-300 text-indigo-600 focus:ring-indigo-600"
                  aria-describedby={`${id}-hint`}
                  {...register("eventTypes")}
                />
                <div className="text-sm">
                  <label htmlFor={id} className="font-mono text-zinc-900">
                    {type}
                  </label>
                  <p id={`${id}-hint`} className="text-xs text-zinc-500">
                    {eventTypeHints[type]}
                  </p>
                </div>
              </div>
            );
          })}
        </div>
        {typesError ? (
          <p id={`${idPrefix}-types-error`} className="text-xs font-medium text-red-600">
            {typesError}
          </p>
        ) : null}
      </fieldset>
    </>
  );
}
