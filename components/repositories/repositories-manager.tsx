"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm, type FieldValues, type Path, type UseFormSetError } from "react-hook-form";
import { z } from "zod";
import { ApiError, apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";
import { createRepositoryInputSchema, updateRepositoryInputSchema } from "@/lib/repositories/schemas";
import { RepositoryIndexStatus, type RepositoryIndexView } from "./repository-index-status";

/** A repository as `GET /api/v1/repositories` returns it (never its secret). */
export type RepositoryView = {
  id: string;
  name: string;
  localPath: string | null;
  githubFullName: string | null;
  defaultBranch: string;
  testCommand: string;
  webhookUrl: string;
  createdAt: string;
  /** The code index (`GET /api/v1/repositories/{id}/index`), read by the page; null before the first run. */
  index?: RepositoryIndexView | null;
};

const secretResponseSchema = z.object({ id: z.string(), name: z.string(), webhookSecret: z.string() });
const repositoryResponseSchema = z.object({ id: z.string() });

function errorText(error: unknown, fallback: string): string {
  if (error instanceof ApiError && error.status === 403) return "Your role cannot do this: ask an owner or admin of the organization.";
  return error instanceof Error && error.message ? error.message : fallback;
}

/** Puts a 422's issues on the form's fields; @returns true when at least one landed on a field */
function placeIssues<T extends FieldValues>(error: unknown, setError: UseFormSetError<T>, fields: readonly Path<T>[]): boolean {
  if (!(error instanceof ApiError) || error.status !== 422) return false;
  let placed = false;
  for (const issue of error.issues) {
    const field = fields.find((f) => f === issue.path);
    if (field) {
      setError(field, { message: issue.message }, { shouldFocus: !placed });
      placed = true;
    }
  }
  return placed;
}

/**
 * Settings → Repositories: the organization's repositories with their webhook URL; add a local one
 * (inside the allowed roots), edit its test command, rotate its webhook secret (shown once), delete it
 * after a confirmation. Every change goes through `/api/v1/repositories…` (audited there) and the
 * server-rendered list is refreshed.
 */
export function RepositoriesManager({ repositories, roots, canCreate, canManage }: { repositories: RepositoryView[]; roots: string[]; canCreate: boolean; canManage: boolean }) {
  const [secret, setSecret] = useState<{ name: string; webhookSecret: string; reason: "created" | "rotated" } | null>(null);
  return (
    <div className="space-y-6">
      {secret ? (
        <div role="status" className="space-y-2 rounded-lg bg-emerald-50 p-4 ring-1 ring-emerald-600/20" data-testid="webhook-secret-shown">
          <p className="text-sm font-medium text-emerald-900">
            {secret.reason === "created" ? `${secret.name} is connected.` : `New webhook secret for ${secret.name}.`} Copy the webhook secret now: you won&apos;t see it again.
          </p>
          <code className="block break-all rounded bg-white px-2 py-1 font-mono text-xs text-zinc-900 ring-1 ring-zinc-200" data-testid="webhook-secret">
            {secret.webhookSecret}
          </code>
          <Button size="sm" variant="secondary" onClick={() => setSecret(null)}>
            Done
          </Button>
        </div>
      ) : null}
      <Card aria-labelledby="repositories-heading">
        <CardHeader headingId="repositories-heading" title="Repositories" description="Where your squads write code. GitHub sends issue events to each one's webhook URL." />
        {repositories.length === 0 ? (
          <p className="px-5 py-8 text-center text-sm text-zinc-600" data-testid="repositories-empty">
            No repositories yet. Add one below.
          </p>
        ) : (
          <ul role="list" className="divide-y divide-zinc-200">
            {repositories.map((r) => (
              <RepositoryRow key={r.id} repository={r} canManage={canManage} onSecret={(s) => setSecret({ ...s, reason: "rotated" })} />
            ))}
          </ul>
        )}
      </Card>
      {canCreate ? <AddRepositoryForm roots={roots} onCreated={(s) => setSecret({ ...s, reason: "created" })} /> : null}
    </div>
  );
}

function RepositoryRow({ repository: r, canManage, onSecret }: { repository: RepositoryView; canManage: boolean; onSecret: (s: { name: string; webhookSecret: string }) => void }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState<"delete" | "rotate" | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const act = async (kind: "delete" | "rotate") => {
    setBusy(true);
    setError(null);
    try {
      if (kind === "delete") {
        // 204 has no body: any (absent) body is fine.
        await apiFetch(`/api/v1/repositories/${encodeURIComponent(r.id)}`, z.unknown(), { method: "DELETE" });
      } else {
        const rotated = await apiFetch(`/api/v1/repositories/${encodeURIComponent(r.id)}/webhook-secret`, secretResponseSchema, { method: "POST" });
        onSecret(rotated);
      }
      setConfirming(null);
      router.refresh();
    } catch (e) {
      setError(errorText(e, kind === "delete" ? "Couldn't delete the repository." : "Couldn't rotate the secret."));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="space-y-3 px-4 py-4 sm:px-5" data-testid="repository-row" data-repository-id={r.id}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="text-sm font-semibold text-zinc-900" data-testid="repository-name">
            {r.name}
          </p>
          <p className="mt-0.5 break-all font-mono text-xs text-zinc-600">{[r.localPath, r.githubFullName ? `github.com/${r.githubFullName}` : null].filter(Boolean).join(" · ")}</p>
        </div>
        {canManage ? (
          <div className="flex gap-2">
            <Button size="sm" variant="secondary" onClick={() => setConfirming("rotate")} disabled={busy}>
              Rotate webhook secret
            </Button>
            <Button size="sm" variant="secondary" className="text-red-700" onClick={() => setConfirming("delete")} disabled={busy}>
              Delete
            </Button>
          </div>
        ) : null}
      </div>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-xs sm:grid-cols-[auto_1fr]">
        <dt className="text-zinc-600">Default branch</dt>
        <dd className="font-mono text-zinc-800">{r.defaultBranch}</dd>
        <dt className="text-zinc-600">Webhook URL</dt>
        <dd className="break-all font-mono text-zinc-800" data-testid="repository-webhook-url">
          {r.webhookUrl}
        </dd>
      </dl>
      <RepositoryIndexStatus repositoryId={r.id} initial={r.index ?? null} canManage={canManage} createdAt={r.createdAt} />
      {canManage ? <TestCommandForm repository={r} /> : <p className="text-xs text-zinc-700">Test command: <code className="font-mono">{r.testCommand}</code></p>}
      {confirming ? (
        <div role="alertdialog" aria-labelledby={`confirm-${r.id}`} className="space-y-2 rounded-md bg-amber-50 p-3 ring-1 ring-amber-600/20">
          <p id={`confirm-${r.id}`} className="text-sm text-amber-900">
            {confirming === "delete"
              ? `Delete ${r.name}? Squads bound to it are unbound and its tasks keep their history. Files on disk are not touched.`
              : `Rotate the webhook secret of ${r.name}? Deliveries signed with the current secret are refused from now on.`}
          </p>
          <div className="flex gap-2">
            <Button size="sm" onClick={() => void act(confirming)} disabled={busy} className={confirming === "delete" ? "bg-red-700 hover:bg-red-600" : undefined}>
              {busy ? <Spinner /> : null}
              {confirming === "delete" ? `Delete ${r.name}` : "Rotate secret"}
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

const testCommandFormSchema = updateRepositoryInputSchema.pick({ testCommand: true }).required();
type TestCommandInput = z.input<typeof testCommandFormSchema>;

function TestCommandForm({ repository: r }: { repository: RepositoryView }) {
  const router = useRouter();
  const [saved, setSaved] = useState(false);
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting, isDirty },
    reset,
  } = useForm<TestCommandInput>({ resolver: zodResolver(testCommandFormSchema), defaultValues: { testCommand: r.testCommand } });
  const id = `test-command-${r.id}`;
  const onSubmit = handleSubmit(async (values) => {
    setSaved(false);
    try {
      await apiFetch(`/api/v1/repositories/${encodeURIComponent(r.id)}`, repositoryResponseSchema, { method: "PATCH", body: JSON.stringify(values) });
      reset(values);
      setSaved(true);
      router.refresh();
    } catch (e) {
      if (placeIssues(e, setError, ["testCommand"])) return;
      setError("root", { message: errorText(e, "Couldn't save the test command.") });
    }
  });
  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Test command of ${r.name}`} className="space-y-2">
      <Field id={id} label="Test command" error={errors.testCommand?.message} hint="What QA runs in the worktree, e.g. npm test.">
        <div className="flex gap-2">
          <Input className="font-mono" autoComplete="off" {...fieldAria(id, errors.testCommand?.message, true)} {...register("testCommand")} />
          <Button type="submit" size="md" variant="secondary" disabled={isSubmitting || !isDirty}>
            {isSubmitting ? <Spinner /> : null}
            Save
          </Button>
        </div>
      </Field>
      {saved && !isDirty ? (
        <p role="status" className="text-xs text-emerald-700">
          Saved.
        </p>
      ) : null}
      {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
    </form>
  );
}

/**
 * The add form's own messages for the API's limits (`createRepositoryInputSchema`, which the server
 * still applies): the API's defaults read "Too small: expected string to have >=1 characters".
 */
const pathRequired = "Enter the folder of a git repository on this server";
const addFormSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters"),
    // Empty fields arrive as undefined (`setValueAs`): either one of the two is enough.
    localPath: z.string().trim().min(1, pathRequired).max(1_000, "Local path must be at most 1,000 characters").optional(),
    githubFullName: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "Enter it as owner/name, e.g. acme/widgets")
      .optional(),
    defaultBranch: z.string().trim().min(1, "Default branch is required").max(200, "Default branch must be at most 200 characters"),
    testCommand: z.string().trim().min(1, "Test command is required").max(1_000, "Test command must be at most 1,000 characters"),
  })
  .refine((r) => r.localPath !== undefined || r.githubFullName !== undefined, { message: pathRequired, path: ["localPath"] }) satisfies z.ZodType<
  z.output<typeof createRepositoryInputSchema>
>;
type AddInput = z.input<typeof addFormSchema>;
type AddOutput = z.output<typeof addFormSchema>;

/** `localPath` as typed: a relative one is taken inside `root` (the hint promises so; the API resolves against its own working directory). */
function resolveUnderRoot(localPath: string, root: string | undefined): string {
  if (!root || localPath.startsWith("/") || /^[A-Za-z]:[\\/]/.test(localPath)) return localPath;
  return `${root.replace(/[\\/]+$/, "")}/${localPath.replace(/^(\.[\\/])+/, "")}`;
}

function AddRepositoryForm({ roots, onCreated }: { roots: string[]; onCreated: (s: { name: string; webhookSecret: string }) => void }) {
  const router = useRouter();
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<AddInput, unknown, AddOutput>({
    resolver: zodResolver(addFormSchema),
    defaultValues: { name: "", localPath: "", githubFullName: "", defaultBranch: "main", testCommand: "npm test" },
  });
  const onSubmit = handleSubmit(async (values) => {
    try {
      const body = { ...values, localPath: values.localPath === undefined ? undefined : resolveUnderRoot(values.localPath, roots[0]) };
      const created = await apiFetch("/api/v1/repositories", secretResponseSchema, { method: "POST", body: JSON.stringify(body) });
      reset();
      onCreated(created);
      router.refresh();
    } catch (e) {
      if (placeIssues(e, setError, ["name", "localPath", "githubFullName", "defaultBranch", "testCommand"] as const)) return;
      setError("root", { message: errorText(e, "Couldn't add the repository.") });
    }
  });
  return (
    <Card aria-labelledby="add-repository-heading">
      <CardHeader
        headingId="add-repository-heading"
        title="Add a repository"
        description={`A git repository on this server, inside ${roots.join(" or ")}, or a GitHub repository: give a local path, a GitHub name, or both.`}
      />
      <CardBody>
        <form onSubmit={onSubmit} noValidate aria-label="Add repository" className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          {errors.root?.message ? (
            <div className="sm:col-span-2">
              <Alert>{errors.root.message}</Alert>
            </div>
          ) : null}
          <Field id="repo-name" label="Name" error={errors.name?.message}>
            <Input autoComplete="off" placeholder="todo-api" {...fieldAria("repo-name", errors.name?.message)} {...register("name")} />
          </Field>
          <Field id="repo-path" label="Local path" error={errors.localPath?.message} hint={`Absolute, or relative to ${roots[0] ?? "the repositories folder"}. Not needed with a GitHub repository.`}>
            <Input
              className="font-mono"
              autoComplete="off"
              placeholder={`${roots[0] ?? ""}/my-app`}
              {...fieldAria("repo-path", errors.localPath?.message, true)}
              {...register("localPath", { setValueAs: (v: string) => (v.trim() === "" ? undefined : v) })}
            />
          </Field>
          <Field
            id="repo-github"
            label="GitHub repository"
            error={errors.githubFullName?.message}
            hint="As owner/name, e.g. acme/widgets. Give a local path, a GitHub repository, or both: one of the two is needed."
          >
            <Input
              className="font-mono"
              autoComplete="off"
              placeholder="acme/widgets"
              {...fieldAria("repo-github", errors.githubFullName?.message, true)}
              {...register("githubFullName", { setValueAs: (v: string) => (v.trim() === "" ? undefined : v) })}
            />
          </Field>
          <Field id="repo-branch" label="Default branch" error={errors.defaultBranch?.message}>
            <Input className="font-mono" autoComplete="off" {...fieldAria("repo-branch", errors.defaultBranch?.message)} {...register("defaultBranch")} />
          </Field>
          <Field id="repo-test" label="Test command" error={errors.testCommand?.message}>
            <Input className="font-mono" autoComplete="off" {...fieldAria("repo-test", errors.testCommand?.message)} {...register("testCommand")} />
          </Field>
          <div className="flex justify-end sm:col-span-2">
            <Button type="submit" disabled={isSubmitting}>
              {isSubmitting ? <Spinner /> : null}
              Add repository
            </Button>
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
