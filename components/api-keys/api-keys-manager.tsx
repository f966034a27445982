"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useCallback, useEffect, useState } from "react";
import { Controller, useForm } from "react-hook-form";
import { z } from "zod";
import { LocalTime, useHydrated } from "@/components/local-time";
import { ApiError, apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";
import { apiKeyResources, createApiKeyInputSchema } from "@/lib/api-keys/schemas";
import { statements } from "@/lib/auth/permissions";

/** `GET /api/v1/api-keys` items (never the secret). */
const apiKeySchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  start: z.string().nullable(),
  permissions: z.record(z.string(), z.array(z.string())),
  createdBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
});
type ApiKeyView = z.infer<typeof apiKeySchema>;
const apiKeyListSchema = z.array(apiKeySchema);
/** `POST /api/v1/api-keys` → 201: the key's fields plus `key`, the secret, shown this once. */
const createdApiKeySchema = apiKeySchema.extend({ key: z.string() });
type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

type FormInput = z.input<typeof createApiKeyInputSchema>;
type FormOutput = z.output<typeof createApiKeyInputSchema>;
type Resource = (typeof apiKeyResources)[number];

const resourceLabels: Record<Resource, string> = {
  task: "Tasks",
  approval: "Approvals",
  squad: "Squads",
  repository: "Repositories",
  usage: "Usage",
  apiKey: "API keys",
  audit: "Audit log",
};

function allPermissions(): Record<Resource, string[]> {
  return Object.fromEntries(apiKeyResources.map((r) => [r, [...statements[r]]])) as Record<Resource, string[]>;
}

function noPermissions(): Record<Resource, string[]> {
  return Object.fromEntries(apiKeyResources.map((r) => [r, []])) as unknown as Record<Resource, string[]>;
}

function errorText(error: unknown, fallback: string): string {
  return error instanceof Error && error.message ? error.message : fallback;
}

/** "task: read, create · approval: read" */
function formatPermissions(permissions: Record<string, string[]>): string {
  const parts = Object.entries(permissions)
    .filter(([, actions]) => actions.length > 0)
    .map(([resource, actions]) => `${resource}: ${actions.join(", ")}`);
  return parts.length > 0 ? parts.join(" · ") : "none";
}

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "5 minutes ago", "in 3 days" (browser only; the server does not know "now" the same way). */
function formatRelative(iso: string): string {
  const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  if (!Number.isFinite(seconds)) return "";
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds <= 0 ? "just now" : "in a few seconds";
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), "hour");
  if (abs < 45 * 86_400) return relative.format(Math.round(seconds / 86_400), "day");
  return relative.format(Math.round(seconds / (30 * 86_400)), "month");
}

function When({ iso }: { iso: string }) {
  const hydrated = useHydrated();
  return (
    <>
      {hydrated ? <span>{formatRelative(iso)} · </span> : null}
      <LocalTime iso={iso} />
    </>
  );
}

/**
 * The organization's API keys (`/api/v1/api-keys`): create one with chosen permissions and lifetime
 * (its secret is shown once), list them with their first characters, creator and last use, revoke one.
 * A 403 from the list (members, viewers) shows who may manage keys instead.
 */
export function ApiKeysManager({ role }: { role: string }) {
  const [keys, setKeys] = useState<ApiKeyView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [forbidden, setForbidden] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);

  const load = useCallback(async () => {
    try {
      setKeys(await apiFetch("/api/v1/api-keys", apiKeyListSchema));
      setLoadError(null);
    } catch (error) {
      if (error instanceof ApiError && error.status === 403) setForbidden(error.message);
      else setLoadError(errorText(error, "Couldn't load the API keys."));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  if (forbidden !== null) return <NotAllowed role={role} detail={forbidden} />;

  return (
    <div className="space-y-6">
      <CreateApiKeyForm
        onCreated={async (key) => {
          setCreated(key);
          await load();
        }}
      />
      {created ? <CreatedKeyPanel created={created} onDone={() => setCreated(null)} /> : null}

      <Card aria-labelledby="api-keys-heading">
        <CardHeader
          headingId="api-keys-heading"
          title="API keys"
          description="Keys of this organization, newest first. A key never does more than its creator may still do, and stops working when they leave."
        />
        {loadError ? <Alert className="mx-4 my-4 sm:mx-5">{loadError}</Alert> : null}
        {keys === null && !loadError ? (
          <div className="flex items-center gap-2 px-5 py-6 text-sm text-zinc-500">
            <Spinner /> Loading API keys…
          </div>
        ) : null}
        {keys && keys.length === 0 ? (
          <p className="px-4 py-6 text-sm text-zinc-500 sm:px-5" data-testid="api-keys-empty">
            No API keys yet.
          </p>
        ) : null}
        {keys && keys.length > 0 ? (
          <ul className="divide-y divide-zinc-100" aria-label="API keys">
            {keys.map((k) => (
              <ApiKeyRow
                key={k.id}
                apiKey={k}
                onRevoked={async () => {
                  if (created?.id === k.id) setCreated(null);
                  await load();
                }}
                onForbidden={setForbidden}
              />
            ))}
          </ul>
        ) : null}
      </Card>

      <UseItCard />
    </div>
  );
}

function NotAllowed({ role, detail }: { role: string; detail?: string }) {
  return (
    <Alert tone="info" title="Not allowed" data-testid="api-keys-forbidden">
      Only owners and admins manage API keys. Your role here is {role}.
      {detail ? <span className="mt-1 block text-xs">{detail}</span> : null}
    </Alert>
  );
}

export { NotAllowed as ApiKeysNotAllowed };

function CreateApiKeyForm({ onCreated }: { onCreated: (key: CreatedApiKey) => Promise<void> }) {
  const {
    register,
    control,
    handleSubmit,
    setError,
    setValue,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<FormInput, unknown, FormOutput>({
    resolver: zodResolver(createApiKeyInputSchema),
    defaultValues: { name: "", expiresInDays: undefined, permissions: allPermissions() },
  });

  const onSubmit = handleSubmit(async (values) => {
    if (!values.permissions || Object.keys(values.permissions).length === 0) {
      setError("root", { message: "Pick at least one permission." });
      return;
    }
    try {
      const key = await apiFetch("/api/v1/api-keys", createdApiKeySchema, {
        method: "POST",
        body: JSON.stringify(values),
      });
      reset({ name: "", expiresInDays: undefined, permissions: allPermissions() });
      await onCreated(key);
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.issues.length > 0) {
        let placed = false;
        for (const issue of error.issues) {
          if (issue.path === "name" || issue.path === "expiresInDays") {
            setError(issue.path, { message: issue.message }, { shouldFocus: !placed });
            placed = true;
          }
        }
        if (placed) return;
      }
      setError("root", { message: errorText(error, "Couldn't create the API key.") });
    }
  });

  const permissionsError = errors.permissions?.message ?? errors.permissions?.root?.message;

  return (
    <Card aria-labelledby="create-api-key-heading">
      <CardHeader
        headingId="create-api-key-heading"
        title="Create an API key"
        description="For scripts, CI and the CLI. Give it only the permissions it needs."
      />
      <form onSubmit={onSubmit} noValidate className="space-y-4 px-4 py-4 sm:px-5" aria-label="Create API key">
        {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
        <div className="grid gap-4 sm:grid-cols-[1fr_12rem]">
          <Field id="api-key-name" label="Name" error={errors.name?.message} hint="What uses it, e.g. “CI deploy job”.">
            <Input autoComplete="off" maxLength={100} {...fieldAria("api-key-name", errors.name?.message, true)} {...register("name")} />
          </Field>
          <Field id="api-key-expires" label="Expires in (days)" error={errors.expiresInDays?.message} hint="1–365; empty: never.">
            <Input
              type="number"
              inputMode="numeric"
              min={1}
              max={365}
              step={1}
              {...fieldAria("api-key-expires", errors.expiresInDays?.message, true)}
              {...register("expiresInDays", {
                setValueAs: (v: unknown) => (v === "" || v === null || v === undefined ? undefined : Number(v)),
              })}
            />
          </Field>
        </div>

        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-zinc-800">Permissions</legend>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="text-xs text-zinc-500">All are checked by default: everything you may do yourself.</p>
            <div className="flex gap-1">
              <Button variant="ghost" size="sm" onClick={() => setValue("permissions", allPermissions(), { shouldDirty: true })}>
                Select all
              </Button>
              <Button variant="ghost" size="sm" onClick={() => setValue("permissions", noPermissions(), { shouldDirty: true })}>
                Clear all
              </Button>
            </div>
          </div>
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
            {apiKeyResources.map((resource) => (
              <Controller
                key={resource}
                control={control}
                name={`permissions.${resource}`}
                render={({ field }) => {
                  const checked = (field.value ?? []) as string[];
                  return (
                    <fieldset
                      className="rounded-md px-3 py-2 ring-1 ring-inset ring-zinc-200"
                      data-testid={`api-key-permission-${resource}`}
                    >
                      <legend className="sr-only">{`${resourceLabels[resource]} (${resource})`}</legend>
                      <p aria-hidden="true" className="text-xs font-semibold text-zinc-700">
                        {resourceLabels[resource]} <span className="font-mono font-normal text-zinc-500">{resource}</span>
                      </p>
                      <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
                        {statements[resource].map((action) => (
                          <label key={action} className="inline-flex items-center gap-1.5 text-sm text-zinc-700">
                            <input
                              type="checkbox"
                              className="size-4 rounded border-zinc-300 text-indigo-600 focus:ring-indigo-600"
                              checked={checked.includes(action)}
                              onBlur={field.onBlur}
                              onChange={(e) =>
                                field.onChange(
                                  e.target.checked
                                    ? statements[resource].filter((a) => a === action || checked.includes(a))
                                    : checked.filter((a) => a !== action),
                                )
                              }
                            />
                            {action}
                          </label>
                        ))}
                      </div>
                    </fieldset>
                  );
                }}
              />
            ))}
          </div>
          {permissionsError ? <p className="text-xs font-medium text-red-600">{permissionsError}</p> : null}
        </fieldset>

        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? <Spinner /> : null}
          Create key
        </Button>
      </form>
    </Card>
  );
}

function CreatedKeyPanel({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  const origin = useOrigin();
  return (
    <Card aria-labelledby="created-key-heading" className="ring-emerald-300" data-testid="api-key-created">
      <CardHeader
        headingId="created-key-heading"
        title={<>Key “{created.name ?? "unnamed"}” created</>}
        actions={
          <Button variant="secondary" size="sm" onClick={onDone}>
            Done
          </Button>
        }
      />
      <CardBody className="space-y-3">
        <Alert tone="info" title="Copy it now: you won't see it again.">
          Squadron stores only a hash of the key. If you lose it, revoke it and create another.
        </Alert>
        <div className="flex flex-wrap items-center gap-2">
          <code
            className="min-w-0 flex-1 select-all break-all rounded-md bg-zinc-900 px-3 py-2 font-mono text-sm text-zinc-50"
            data-testid="api-key-secret"
          >
            {created.key}
          </code>
          <Button
            variant="secondary"
            size="sm"
            onClick={async () => {
              try {
                await navigator.clipboard.writeText(created.key);
                setCopy("copied");
              } catch {
                setCopy("failed");
              }
            }}
          >
            Copy
          </Button>
          <span role="status" className="text-xs text-zinc-600">
            {copy === "copied" ? "Copied to the clipboard." : copy === "failed" ? "Couldn't copy; select the key and copy it yourself." : ""}
          </span>
        </div>
        <pre className="overflow-x-auto rounded-md bg-zinc-100 px-3 py-2 font-mono text-xs text-zinc-800">
          {`curl -H "Authorization: Bearer ${created.key}" ${origin}/api/v1/tasks`}
        </pre>
      </CardBody>
    </Card>
  );
}

/** The page's origin (after hydration; a placeholder while rendering on the server). */
function useOrigin(): string {
  const hydrated = useHydrated();
  return hydrated ? window.location.origin : "<origin>";
}

function UseItCard() {
  const origin = useOrigin();
  return (
    <Card aria-labelledby="use-it-heading">
      <CardHeader headingId="use-it-heading" title="Use it" description="Send the key as a Bearer token to any /api/v1 endpoint its permissions allow." />
      <CardBody>
        <pre className="overflow-x-auto rounded-md bg-zinc-100 px-3 py-2 font-mono text-xs text-zinc-800" data-testid="api-key-usage">
          {`curl -H "Authorization: Bearer <key>" ${origin}/api/v1/tasks`}
        </pre>
      </CardBody>
    </Card>
  );
}

function ApiKeyRow({
  apiKey: k,
  onRevoked,
  onForbidden,
}: {
  apiKey: ApiKeyView;
  onRevoked: () => Promise<void>;
  onForbidden: (message: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const hydrated = useHydrated();
  const expired = hydrated && k.expiresAt !== null && new Date(k.expiresAt).getTime() <= Date.now();
  const name = k.name ?? "unnamed key";

  async function revoke() {
    setBusy(true);
    setError(null);
    try {
      await apiFetch(`/api/v1/api-keys/${encodeURIComponent(k.id)}`, z.unknown(), { method: "DELETE" });
      await onRevoked();
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) {
        onForbidden(e.message);
        return;
      }
      setError(errorText(e, "Couldn't revoke the key."));
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <li className="flex flex-wrap items-start justify-between gap-3 px-4 py-3 sm:px-5" data-testid="api-key-row" data-key-id={k.id}>
      <div className="min-w-0 space-y-1">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-zinc-900">
          <span className="break-all" data-testid="api-key-name">
            {name}
          </span>
          {k.start ? (
            <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs text-zinc-700" data-testid="api-key-start">
              {k.start}…
            </code>
          ) : null}
          {expired ? <Badge tone="red">Expired</Badge> : null}
        </p>
        <p className="break-words text-xs text-zinc-600" data-testid="api-key-permissions">
          <span className="text-zinc-500">Permissions:</span> <span className="font-mono">{formatPermissions(k.permissions)}</span>
        </p>
        <dl className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-zinc-500">
          <div className="flex gap-1">
            <dt>Created by</dt>
            <dd className="font-medium text-zinc-700" data-testid="api-key-creator">
              {k.createdBy?.name ?? "unknown"}
            </dd>
          </div>
          <div className="flex gap-1">
            <dt>Created</dt>
            <dd className="font-medium text-zinc-700">
              <LocalTime iso={k.createdAt} />
            </dd>
          </div>
          <div className="flex gap-1">
            <dt>Last used</dt>
            <dd className="font-medium text-zinc-700" data-testid="api-key-last-used">
              {k.lastUsedAt ? <When iso={k.lastUsedAt} /> : "never"}
            </dd>
          </div>
          <div className="flex gap-1">
            <dt>{expired ? "Expired" : "Expires"}</dt>
            <dd className="font-medium text-zinc-700" data-testid="api-key-expires">
              {k.expiresAt ? <When iso={k.expiresAt} /> : "never"}
            </dd>
          </div>
        </dl>
        {error ? <p className="text-xs font-medium text-red-600" role="alert">{error}</p> : null}
      </div>
      <div className="flex items-center gap-2">
        {busy ? <Spinner label="Revoking" /> : null}
        {!confirming ? (
          <Button variant="secondary" size="sm" disabled={busy} onClick={() => setConfirming(true)} aria-label={`Revoke ${name}`}>
            Revoke
          </Button>
        ) : (
          <>
            <span className="text-xs text-zinc-600">Requests with it fail from now on.</span>
            <Button variant="primary" size="sm" className="bg-red-600 hover:bg-red-500" disabled={busy} onClick={() => void revoke()}>
              Revoke key
            </Button>
            <Button variant="ghost" size="sm" disabled={busy} onClick={() => setConfirming(false)}>
              Keep
            </Button>
          </>
        )}
      </div>
    </li>
  );
}
