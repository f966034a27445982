"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useFieldArray, useForm, type FieldPath } from "react-hook-form";
import { z } from "zod";
import { apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { defaultJiraStatusMapping, jiraConnectionInputSchema, type JiraConnectionFormValues, type JiraConnectionInput } from "@/lib/integrations/jira/schemas";

/** What the page hands the form: the stored connection's settings (no secrets) and the repositories to map to. */
export type JiraFormInitial = Omit<JiraConnectionFormValues, "apiToken" | "rotateWebhookSecret"> | null;

const savedSchema = z.object({ created: z.boolean(), webhookUrl: z.string(), webhookSecret: z.string().optional() });
const testSchema = z.union([
  z.object({ ok: z.literal(true), accountId: z.string(), displayName: z.string().nullable() }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);

const toList = (v: unknown) => (typeof v === "string" ? v.split(/[\s,]+/).map((s) => s.trim().toUpperCase()).filter(Boolean) : v);
const toStatus = (v: unknown) => (typeof v === "string" ? (v.trim() === "" ? null : v.trim()) : v);

const statusFields = [
  { key: "started", label: "When the squad starts" },
  { key: "inReview", label: "When work is delivered for review (pull request or patch)" },
  { key: "done", label: "When it finishes with nothing to change" },
  { key: "failed", label: "When it fails or is cancelled" },
] as const;

/**
 * Connects or updates the organization's Jira Cloud site (`PUT /api/v1/integrations/jira`),
 * validated with the API's own schema (`jiraConnectionInputSchema`); tests the stored credentials
 * (`POST …/test`) and disconnects (`DELETE`). The webhook secret is shown once, after connecting
 * or rotating it.
 */
export function JiraConnectionForm({ initial, repositories }: { initial: JiraFormInitial; repositories: { id: string; name: string }[] }) {
  const router = useRouter();
  const [serverError, setServerError] = useState<string | null>(null);
  const [saved, setSaved] = useState<{ webhookUrl: string; webhookSecret?: string; created: boolean } | null>(null);
  const [test, setTest] = useState<z.infer<typeof testSchema> | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useForm<JiraConnectionFormValues, unknown, JiraConnectionInput>({
    resolver: zodResolver(jiraConnectionInputSchema),
    defaultValues: initial ?? {
      siteUrl: "",
      accountEmail: "",
      projectKeys: [],
      trigger: { kind: "label", label: "squad" },
      projectRepositories: [],
      statusMapping: defaultJiraStatusMapping,
      syncSubtasks: false,
    },
  });
  const mappings = useFieldArray({ control: form.control, name: "projectRepositories" });
  const kind = form.watch("trigger.kind");
  const { errors } = form.formState;
  // The trigger is a union; its two fields are registered by path.
  const triggerField = (name: "label" | "accountId") => `trigger.${name}` as FieldPath<JiraConnectionFormValues>;
  const triggerErrors = errors.trigger as { label?: { message?: string }; accountId?: { message?: string } } | undefined;

  async function onSubmit(input: JiraConnectionInput) {
    setServerError(null);
    setSaved(null);
    setTest(null);
    try {
      const result = await apiFetch("/api/v1/integrations/jira", savedSchema, { method: "PUT", body: JSON.stringify(input) });
      setSaved(result);
      // Cleared to undefined (not ""): setValueAs only runs on typing, and "" would fail the schema on the next save.
      form.resetField("apiToken", { defaultValue: undefined });
      form.setValue("rotateWebhookSecret", false);
      router.refresh();
    } catch (error) {
      setServerError(error instanceof Error ? error.message : "Couldn't save the connection.");
    }
  }

  async function runTest() {
    setBusy(true);
    setTest(null);
    setServerError(null);
    try {
      setTest(await apiFetch("/api/v1/integrations/jira/test", testSchema, { method: "POST" }));
    } catch (error) {
      setServerError(error instanceof Error ? error.message : "Couldn't test the connection.");
    } finally {
      setBusy(false);
    }
  }

  async function disconnect() {
    if (!window.confirm("Disconnect Jira? Deliveries to its webhook URL will be refused; tasks stay.")) return;
    setBusy(true);
    try {
      await apiFetch("/api/v1/integrations/jira", z.null(), { method: "DELETE" });
      setSaved(null);
      router.refresh();
    } catch (error) {
      setServerError(error instanceof Error ? error.message : "Couldn't disconnect.");
    } finally {
      setBusy(false);
    }
  }

  const e = (m: { message?: string } | undefined) => m?.message;
  return (
    <form onSubmit={form.handleSubmit(onSubmit)} className="space-y-5" aria-label="Connect Jira" noValidate>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="jira-site" label="Site URL" error={e(errors.siteUrl)} hint="https://your-team.atlassian.net">
          <Input {...fieldAria("jira-site", e(errors.siteUrl), true)} placeholder="https://your-team.atlassian.net" {...form.register("siteUrl")} />
        </Field>
        <Field id="jira-email" label="Account email" error={e(errors.accountEmail)} hint="The Atlassian account comments and transitions are made as.">
          <Input {...fieldAria("jira-email", e(errors.accountEmail), true)} type="email" autoComplete="off" {...form.register("accountEmail")} />
        </Field>
        <Field
          id="jira-token"
          label="API token"
          error={e(errors.apiToken)}
          hint={initial ? "Leave empty to keep the stored token." : "id.atlassian.com → Security → Create and manage API tokens."}
        >
          <Input
            {...fieldAria("jira-token", e(errors.apiToken), true)}
            type="password"
            autoComplete="off"
            placeholder={initial ? "••••••••" : "ATATT…"}
            {...form.register("apiToken", { setValueAs: (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v) })}
          />
        </Field>
        <Field id="jira-projects" label="Projects" error={e(errors.projectKeys) ?? e(errors.projectKeys?.[0])} hint="Project keys whose issues may start tasks, comma-separated (e.g. PROJ, OPS).">
          <Input {...fieldAria("jira-projects", e(errors.projectKeys), true)} placeholder="PROJ" {...form.register("projectKeys", { setValueAs: toList })} />
        </Field>
      </div>

      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-zinc-800">What starts a task</legend>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="jira-trigger" label="Trigger">
            <Select {...fieldAria("jira-trigger", undefined)} {...form.register("trigger.kind")}>
              <option value="label">The issue has a label</option>
              <option value="assignee">The issue is assigned to a Jira user</option>
            </Select>
          </Field>
          {kind === "assignee" ? (
            <Field id="jira-assignee" label="Jira account id" error={e(triggerErrors?.accountId)} hint="From the user's profile URL (…/people/<account id>).">
              <Input {...fieldAria("jira-assignee", e(triggerErrors?.accountId), true)} {...form.register(triggerField("accountId"))} />
            </Field>
          ) : (
            <Field id="jira-label" label="Label" error={e(triggerErrors?.label)}>
              <Input {...fieldAria("jira-label", e(triggerErrors?.label))} placeholder="squad" {...form.register(triggerField("label"))} />
            </Field>
          )}
        </div>
      </fieldset>

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-zinc-800">Repository per project</legend>
        <p className="text-xs text-zinc-500">A project without a repository here uses the default squad&apos;s repository.</p>
        {mappings.fields.map((field, i) => (
          <div key={field.id} className="flex flex-wrap items-end gap-2">
            <Field id={`jira-map-key-${i}`} label="Project" error={e(errors.projectRepositories?.[i]?.projectKey)}>
              <Input {...fieldAria(`jira-map-key-${i}`, e(errors.projectRepositories?.[i]?.projectKey))} className="w-32" {...form.register(`projectRepositories.${i}.projectKey`)} />
            </Field>
            <Field id={`jira-map-repo-${i}`} label="Repository" error={e(errors.projectRepositories?.[i]?.repositoryId)}>
              <Select {...fieldAria(`jira-map-repo-${i}`, e(errors.projectRepositories?.[i]?.repositoryId))} {...form.register(`projectRepositories.${i}.repositoryId`)}>
                {repositories.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </Select>
            </Field>
            <Button variant="ghost" size="sm" onClick={() => mappings.remove(i)} aria-label={`Remove mapping ${i + 1}`}>
              Remove
            </Button>
          </div>
        ))}
        {repositories.length > 0 ? (
          <Button variant="secondary" size="sm" onClick={() => mappings.append({ projectKey: form.getValues("projectKeys")[0] ?? "", repositoryId: repositories[0].id })}>
            Map a project to a repository
          </Button>
        ) : (
          <p className="text-xs text-zinc-500">No repositories yet.</p>
        )}
      </fieldset>

      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-zinc-800">Jira status for each moment</legend>
        <p className="text-xs text-zinc-500">Status names as your workflow shows them; leave one empty to leave the issue where it is.</p>
        <div className="grid gap-4 sm:grid-cols-2">
          {statusFields.map((f) => (
            <Field key={f.key} id={`jira-status-${f.key}`} label={f.label} error={e(errors.statusMapping?.[f.key])}>
              <Input {...fieldAria(`jira-status-${f.key}`, e(errors.statusMapping?.[f.key]))} {...form.register(`statusMapping.${f.key}`, { setValueAs: toStatus })} />
            </Field>
          ))}
        </div>
      </fieldset>

      <label className="flex items-center gap-2 text-sm text-zinc-800">
        <input type="checkbox" {...form.register("syncSubtasks")} />
        Create the plan&apos;s subtasks as Jira sub-tasks, their status following the subtasks&apos;
      </label>
      {initial ? (
        <label className="flex items-center gap-2 text-sm text-zinc-800">
          <input type="checkbox" {...form.register("rotateWebhookSecret")} />
          Make a new webhook secret (the old one stops working; paste the new one into Jira)
        </label>
      ) : null}

      {serverError ? (
        <Alert tone="error" title="Not saved">
          {serverError}
        </Alert>
      ) : null}
      {saved ? (
        <Alert tone="info" title={saved.created ? "Jira connected" : "Saved"} data-testid="jira-saved">
          <p>
            Webhook URL: <code className="break-all">{saved.webhookUrl}</code>
          </p>
          {saved.webhookSecret ? (
            <p className="mt-1">
              Webhook secret (shown only now — paste it into the webhook&apos;s Secret field in Jira): <code className="break-all" data-testid="jira-webhook-secret">{saved.webhookSecret}</code>
            </p>
          ) : null}
        </Alert>
      ) : null}
      {test ? (
        <Alert tone={test.ok ? "info" : "error"} title={test.ok ? "Connection works" : "Connection failed"} data-testid="jira-test-result">
          {test.ok ? `Signed in to Jira as ${test.displayName ?? test.accountId}.` : test.message}
        </Alert>
      ) : null}

      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={form.formState.isSubmitting}>
          {form.formState.isSubmitting ? "Saving…" : initial ? "Save changes" : "Connect Jira"}
        </Button>
        {initial ? (
          <>
            <Button variant="secondary" onClick={runTest} disabled={busy}>
              Test connection
            </Button>
            <Button variant="ghost" onClick={disconnect} disabled={busy}>
              Disconnect
            </Button>
          </>
        ) : null}
      </div>
    </form>
  );
}
