"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { Fragment, useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Input, Textarea } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { githubConnectionInputSchema, githubConnectionSchema } from "@/lib/integrations/github/schemas";

type FormInput = z.input<typeof githubConnectionInputSchema>;
type FormOutput = z.output<typeof githubConnectionInputSchema>;

/** The fields of both kinds, flat, so one form can switch between them; the union schema validates. */
type Flat = { kind: "token" | "app"; repositoryFullName?: string; token?: string; appId?: string; privateKey?: string; webhookSecret?: string; installationId?: string };

/**
 * Saves a GitHub connection (`POST /api/v1/integrations/github/connections`): a fine-grained personal
 * access token for one repository, or the organization's GitHub App. Validated with the API's own
 * schema (`githubConnectionInputSchema`); secrets go to the server once and are never shown again.
 */
export function GithubConnectionForm({ repositories }: { repositories: string[] }) {
  const router = useRouter();
  const [saved, setSaved] = useState<string | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const form = useForm<FormInput, unknown, FormOutput>({
    resolver: zodResolver(githubConnectionInputSchema),
    defaultValues: { kind: "token", repositoryFullName: repositories[0] ?? "", token: "" } as FormInput,
  });
  const kind = form.watch("kind");
  // A message about the other kind (or an earlier save) would read as if it were about the fields now shown.
  const [shownKind, setShownKind] = useState(kind);
  if (shownKind !== kind) {
    setShownKind(kind);
    setSaved(null);
    setServerError(null);
  }
  const errors = form.formState.errors as Partial<Record<keyof Flat, { message?: string }>>;
  const register = form.register as unknown as (name: keyof Flat) => ReturnType<typeof form.register>;

  async function onSubmit(input: FormOutput) {
    setServerError(null);
    setSaved(null);
    try {
      const connection = await apiFetch("/api/v1/integrations/github/connections", githubConnectionSchema, {
        method: "POST",
        body: JSON.stringify(input),
      });
      setSaved(connection.kind === "token" ? `Token saved for ${connection.repositoryFullName}.` : `GitHub App ${connection.appId} saved. Webhook URL: ${connection.webhookUrl}`);
      form.reset(kind === "token" ? ({ kind: "token", repositoryFullName: input.kind === "token" ? input.repositoryFullName : "", token: "" } as FormInput) : ({ kind: "app" } as FormInput));
      router.refresh();
    } catch (error) {
      setServerError(error instanceof Error ? error.message : "Couldn't save the connection.");
    }
  }

  return (
    <form onSubmit={form.handleSubmit(onSubmit)} className="space-y-4" aria-label="Connect GitHub" noValidate>
      <Field id="github-kind" label="Connect with">
        <Select {...fieldAria("github-kind", undefined)} {...register("kind")}>
          <option value="token">A fine-grained personal access token (one repository)</option>
          <option value="app">A GitHub App (every repository it is installed on)</option>
        </Select>
      </Field>
      {/* Keyed: without it React reuses the token fields' inputs, typed values included, for the app's. */}
      {kind === "token" ? (
        <Fragment key="token">
          <Field id="github-repository" label="Repository (owner/name)" error={errors.repositoryFullName?.message} hint="A repository registered with its GitHub name.">
            <Input {...fieldAria("github-repository", errors.repositoryFullName?.message, true)} list="github-repositories" placeholder="octo/todo-api" {...register("repositoryFullName")} />
          </Field>
          <datalist id="github-repositories">
            {repositories.map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
          <Field id="github-token" label="Token" error={errors.token?.message} hint="Contents, Pull requests, Issues and Commit statuses: read and write.">
            <Input {...fieldAria("github-token", errors.token?.message, true)} type="password" autoComplete="off" placeholder="github_pat_…" {...register("token")} />
          </Field>
        </Fragment>
      ) : (
        <Fragment key="app">
          <Field id="github-app-id" label="App ID" error={errors.appId?.message}>
            <Input {...fieldAria("github-app-id", errors.appId?.message)} inputMode="numeric" {...register("appId")} />
          </Field>
          <Field id="github-private-key" label="Private key (.pem)" error={errors.privateKey?.message}>
            <Textarea {...fieldAria("github-private-key", errors.privateKey?.message)} className="font-mono text-xs" placeholder="-----BEGIN RSA PRIVATE KEY-----" {...register("privateKey")} />
          </Field>
          <Field id="github-webhook-secret" label="Webhook secret" error={errors.webhookSecret?.message} hint="The secret you set in the app's webhook settings.">
            <Input {...fieldAria("github-webhook-secret", errors.webhookSecret?.message, true)} type="password" autoComplete="off" {...register("webhookSecret")} />
          </Field>
          <Field id="github-installation" label="Installation ID (optional)" error={errors.installationId?.message} hint="Leave empty to look the installation up per repository.">
            <Input {...fieldAria("github-installation", errors.installationId?.message, true)} inputMode="numeric" {...register("installationId")} />
          </Field>
        </Fragment>
      )}
      {serverError ? (
        <Alert tone="error" title="Not saved">
          {serverError}
        </Alert>
      ) : null}
      {saved ? (
        <Alert tone="info" title="Saved">
          {saved}
        </Alert>
      ) : null}
      <Button type="submit" disabled={form.formState.isSubmitting}>
        {form.formState.isSubmitting ? "Saving…" : "Save connection"}
      </Button>
    </form>
  );
}
