"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useFieldArray, useForm, useWatch, type Path, type UseFormRegisterReturn } from "react-hook-form";
import { z } from "zod";
import { ApiError, apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Input, Textarea } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { agentRoles, roleLabel, type AgentRole } from "@/lib/agents/roles/catalog";
import { mcpServerViewSchema, type McpServerView } from "./mcp-server-view";

/*
 * Settings → Squads → MCP servers: the squad's MCP servers (`/api/v1/squads/{id}/mcp-servers…`, audited
 * there). Header values are write-only: the API returns header names only, and the form never shows a
 * value back. Owners and admins change them; members read.
 */

const errorText = (e: unknown, fallback: string) =>
  e instanceof ApiError && e.status === 403 ? "Only owners and admins change a squad's MCP servers." : e instanceof Error ? e.message : fallback;

const rolesText = (roles: AgentRole[]) => (roles.length === 0 ? "Builders (developers, DevOps): the default" : roles.map(roleLabel).join(", "));

export function McpServers({ squadId, initial, canEdit, stdioAllowed }: { squadId: string; initial: McpServerView[]; canEdit: boolean; stdioAllowed: boolean }) {
  const [servers, setServers] = useState(initial);
  const replace = (s: McpServerView) => setServers((list) => list.map((x) => (x.id === s.id ? s : x)));
  return (
    <div className="space-y-6">
      <p className="text-sm text-zinc-600">
        Agents whose role is allowed are offered the tools of the squad&apos;s enabled servers as <code className="font-mono">mcp__&lt;server&gt;__&lt;tool&gt;</code>. Every call is decided by the policy
        first (action &quot;MCP tool call&quot;).
      </p>
      {servers.length === 0 ? (
        <p className="rounded-md bg-zinc-50 px-3 py-4 text-sm text-zinc-600" data-testid="mcp-no-servers">
          No MCP servers: agents use their built-in tools only.
        </p>
      ) : (
        <ul className="divide-y divide-zinc-200 rounded-md ring-1 ring-zinc-200">
          {servers.map((s) => (
            <McpServerRow key={s.id} squadId={squadId} server={s} canEdit={canEdit} onChange={replace} onDeleted={() => setServers((list) => list.filter((x) => x.id !== s.id))} />
          ))}
        </ul>
      )}
      {canEdit ? <AddMcpServerForm squadId={squadId} stdioAllowed={stdioAllowed} onCreated={(s) => setServers((list) => [...list, s])} /> : null}
    </div>
  );
}

/** One checkbox per role, all bound to the same `allowedRoles` field (react-hook-form makes it an array). */
function RoleCheckboxes({ registration }: { registration: UseFormRegisterReturn }) {
  return (
    <div className="mt-1 grid grid-cols-1 gap-1.5 sm:grid-cols-2">
      {agentRoles.map((r) => (
        <label key={r} className="flex items-center gap-1.5 text-sm text-zinc-800">
          <input type="checkbox" value={r} className="size-4 rounded border-zinc-300 text-indigo-600" {...registration} />
          {roleLabel(r)}
        </label>
      ))}
    </div>
  );
}

function McpServerRow({
  squadId,
  server: s,
  canEdit,
  onChange,
  onDeleted,
}: {
  squadId: string;
  server: McpServerView;
  canEdit: boolean;
  onChange: (s: McpServerView) => void;
  onDeleted: () => void;
}) {
  const [busy, setBusy] = useState<null | "enable" | "check" | "delete" | "roles">(null);
  const [confirming, setConfirming] = useState(false);
  const [editingRoles, setEditingRoles] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const url = `/api/v1/squads/${encodeURIComponent(squadId)}/mcp-servers/${encodeURIComponent(s.id)}`;
  const rolesForm = useForm<{ allowedRoles: AgentRole[] }>({ defaultValues: { allowedRoles: s.allowedRoles } });

  const patch = async (kind: "enable" | "check" | "roles", body: Record<string, unknown>, done: (u: McpServerView) => string) => {
    setBusy(kind);
    setError(null);
    setNotice(null);
    try {
      const updated = await apiFetch(url, mcpServerViewSchema, { method: "PATCH", body: JSON.stringify(body) });
      onChange(updated);
      setNotice(done(updated));
      return updated;
    } catch (e) {
      setError(errorText(e, "Couldn't save the MCP server."));
      return null;
    } finally {
      setBusy(null);
    }
  };

  const checkResult = (u: McpServerView) => (u.lastError ? "Checked: the server could not be reached." : `Checked: ${u.toolNames.length} tool(s) listed.`);
  // The API checks a server again when how it is reached is given (the same URL or command will do).
  const checkAgain = () => void patch("check", s.transport === "http" ? { url: s.url } : { command: s.command, args: s.args }, checkResult);
  const toggle = () => void patch("enable", { enabled: !s.enabled }, (u) => (u.enabled ? `Enabled. ${checkResult(u)}` : "Disabled: agents are not offered its tools."));
  const saveRoles = rolesForm.handleSubmit(async (v) => {
    const updated = await patch("roles", { allowedRoles: Array.isArray(v.allowedRoles) ? v.allowedRoles : [] }, () => "Roles saved.");
    if (updated) {
      rolesForm.reset({ allowedRoles: updated.allowedRoles });
      setEditingRoles(false);
    }
  });
  const remove = async () => {
    setBusy("delete");
    setError(null);
    try {
      // 204 has no body: any (absent) body is fine.
      await apiFetch(url, z.unknown(), { method: "DELETE" });
      onDeleted();
    } catch (e) {
      setError(errorText(e, "Couldn't delete the MCP server."));
      setBusy(null);
    }
  };

  return (
    <li className="space-y-3 px-4 py-4" data-testid="mcp-server" data-server-name={s.name}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="flex flex-wrap items-center gap-2">
          <p className="font-mono text-sm font-semibold text-zinc-900" data-testid="mcp-server-name">
            {s.name}
          </p>
          <Badge tone="zinc">{s.transport === "http" ? "Streamable HTTP" : "stdio"}</Badge>
          <Badge tone={s.enabled ? "green" : "zinc"} data-testid="mcp-server-enabled" data-enabled={String(s.enabled)}>
            {s.enabled ? "Enabled" : "Disabled"}
          </Badge>
        </div>
        {canEdit ? (
          <div className="flex flex-wrap gap-2">
            <Button size="sm" variant="secondary" onClick={toggle} disabled={busy !== null}>
              {busy === "enable" ? <Spinner /> : null}
              {s.enabled ? "Disable" : "Enable"}
            </Button>
            <Button size="sm" variant="secondary" onClick={checkAgain} disabled={busy !== null}>
              {busy === "check" ? <Spinner /> : null}
              Check again
            </Button>
            <Button size="sm" variant="secondary" onClick={() => setEditingRoles((v) => !v)} disabled={busy !== null} aria-expanded={editingRoles}>
              Edit roles
            </Button>
            <Button size="sm" variant="secondary" className="text-red-700" onClick={() => setConfirming(true)} disabled={busy !== null}>
              Delete
            </Button>
          </div>
        ) : null}
      </div>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-xs sm:grid-cols-[auto_1fr]">
        {s.transport === "http" ? (
          <>
            <dt className="text-zinc-600">URL</dt>
            <dd className="break-all font-mono text-zinc-800" data-testid="mcp-server-url">
              {s.url}
            </dd>
            <dt className="text-zinc-600">Headers</dt>
            <dd className="font-mono text-zinc-800" data-testid="mcp-server-headers">
              {s.headerNames.length > 0 ? `${s.headerNames.join(", ")} (values hidden)` : "none"}
            </dd>
          </>
        ) : (
          <>
            <dt className="text-zinc-600">Command</dt>
            <dd className="break-all font-mono text-zinc-800" data-testid="mcp-server-command">
              {[s.command, ...s.args].join(" ")}
            </dd>
          </>
        )}
        <dt className="text-zinc-600">Allowed roles</dt>
        <dd className="text-zinc-800" data-testid="mcp-server-roles">
          {rolesText(s.allowedRoles)}
        </dd>
        <dt className="text-zinc-600">Tools (last check)</dt>
        <dd className="text-zinc-800" data-testid="mcp-server-tools">
          {s.toolNames.length > 0 ? (
            <ul className="flex flex-wrap gap-1.5">
              {s.toolNames.map((t) => (
                <li key={t}>
                  <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono" title={`mcp__${s.name}__${t}`}>
                    {t}
                  </code>
                </li>
              ))}
            </ul>
          ) : (
            "none listed"
          )}
        </dd>
      </dl>
      {s.lastError ? (
        <Alert title="Last check failed" data-testid="mcp-server-error">
          <span className="break-words">{s.lastError}</span>
        </Alert>
      ) : null}
      {editingRoles && canEdit ? (
        <form onSubmit={saveRoles} aria-label={`Allowed roles of ${s.name}`} className="space-y-2 rounded-md bg-zinc-50 p-3 ring-1 ring-zinc-200">
          <fieldset>
            <legend className="text-sm font-medium text-zinc-800">Roles offered its tools (none checked: the builders)</legend>
            <RoleCheckboxes registration={rolesForm.register("allowedRoles")} />
          </fieldset>
          <div className="flex gap-2">
            <Button size="sm" type="submit" disabled={busy !== null}>
              {busy === "roles" ? <Spinner /> : null}
              Save roles
            </Button>
            <Button size="sm" variant="secondary" onClick={() => {
                rolesForm.reset({ allowedRoles: s.allowedRoles });
                setEditingRoles(false);
              }}>
              Cancel
            </Button>
          </div>
        </form>
      ) : null}
      {confirming ? (
        <div role="alertdialog" aria-labelledby={`confirm-mcp-${s.id}`} className="space-y-2 rounded-md bg-amber-50 p-3 ring-1 ring-amber-600/20">
          <p id={`confirm-mcp-${s.id}`} className="text-sm text-amber-900">
            Delete the MCP server {s.name}? Agents stop being offered its tools, and its stored header values are deleted.
          </p>
          <div className="flex gap-2">
            <Button size="sm" onClick={() => void remove()} disabled={busy !== null} className="bg-red-700 hover:bg-red-600">
              {busy === "delete" ? <Spinner /> : null}
              Delete {s.name}
            </Button>
            <Button size="sm" variant="secondary" onClick={() => setConfirming(false)} disabled={busy !== null}>
              Keep it
            </Button>
          </div>
        </div>
      ) : null}
      {notice && !error ? (
        <p role="status" className="text-xs text-emerald-700">
          {notice}
        </p>
      ) : null}
      {error ? <Alert>{error}</Alert> : null}
    </li>
  );
}

/** The add form; the API validates everything again (name rules, URL, header names) and its 422 messages are shown on the fields. */
const addFormSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(32, "Use at most 32 characters"),
    transport: z.enum(["http", "stdio"]),
    url: z.string().trim(),
    headers: z.array(z.object({ name: z.string().trim(), value: z.string() })),
    command: z.string().trim(),
    /** One argument per line. */
    args: z.string(),
    allowedRoles: z.array(z.enum(agentRoles)),
  })
  .superRefine((v, ctx) => {
    if (v.transport === "http") {
      if (!v.url) ctx.addIssue({ code: "custom", path: ["url"], message: "URL is required" });
      else if (!/^https?:\/\//i.test(v.url) || !URL.canParse(v.url)) ctx.addIssue({ code: "custom", path: ["url"], message: "Enter an http:// or https:// URL" });
      v.headers.forEach((h, i) => {
        if (!h.name && h.value) ctx.addIssue({ code: "custom", path: ["headers", i, "name"], message: "Name the header" });
      });
    } else if (!v.command) {
      ctx.addIssue({ code: "custom", path: ["command"], message: "Command is required" });
    }
  });
type AddForm = z.infer<typeof addFormSchema>;

const emptyAdd: AddForm = { name: "", transport: "http", url: "", headers: [], command: "", args: "", allowedRoles: [] };

function AddMcpServerForm({ squadId, stdioAllowed, onCreated }: { squadId: string; stdioAllowed: boolean; onCreated: (s: McpServerView) => void }) {
  const [created, setCreated] = useState<McpServerView | null>(null);
  const {
    register,
    control,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<AddForm>({ resolver: zodResolver(addFormSchema), defaultValues: emptyAdd });
  const headers = useFieldArray({ control, name: "headers" });
  const transport = useWatch({ control, name: "transport" });

  const onSubmit = handleSubmit(async (v) => {
    setCreated(null);
    const common = { name: v.name, allowedRoles: Array.isArray(v.allowedRoles) ? v.allowedRoles : [] };
    const body =
      v.transport === "http"
        ? { ...common, transport: "http", url: v.url, headers: Object.fromEntries(v.headers.filter((h) => h.name).map((h) => [h.name, h.value])) }
        : {
            ...common,
            transport: "stdio",
            command: v.command,
            args: v.args
              .split("\n")
              .map((a) => a.trim())
              .filter(Boolean),
          };
    try {
      const server = await apiFetch(`/api/v1/squads/${encodeURIComponent(squadId)}/mcp-servers`, mcpServerViewSchema, { method: "POST", body: JSON.stringify(body) });
      // Header values leave the page with the reset: they are never shown again.
      reset(emptyAdd);
      setCreated(server);
      onCreated(server);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 422 || e.status === 409) && e.issues.length > 0) {
        let first = true;
        for (const issue of e.issues) {
          const top = issue.path.split(".")[0] ?? "";
          const field = (["name", "transport", "url", "command", "args", "allowedRoles"] as const).find((f) => f === top) ?? (top === "headers" ? "root.headers" : "root");
          setError(field as Path<AddForm>, { message: issue.message }, { shouldFocus: first });
          first = false;
        }
        return;
      }
      setError("root", { message: errorText(e, "Couldn't add the MCP server.") });
    }
  });

  const headerError = (i: number) => errors.headers?.[i]?.name?.message;

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add MCP server" className="space-y-4 rounded-md p-4 ring-1 ring-zinc-200">
      <h3 className="text-sm font-semibold text-zinc-900">Add an MCP server</h3>
      {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <Field id="mcp-name" label="Name" error={errors.name?.message} hint="a-z, 0-9, _ and -; tools are named mcp__<name>__<tool>.">
          <Input autoComplete="off" placeholder="github" className="font-mono" {...fieldAria("mcp-name", errors.name?.message, true)} {...register("name")} />
        </Field>
        <Field id="mcp-transport" label="Transport" error={errors.transport?.message} hint={stdioAllowed ? undefined : "stdio servers are only available self-hosted."}>
          <Select {...fieldAria("mcp-transport", errors.transport?.message, !stdioAllowed)} {...register("transport")}>
            <option value="http">Streamable HTTP</option>
            {stdioAllowed ? <option value="stdio">stdio (a local process)</option> : null}
          </Select>
        </Field>
      </div>
      {transport === "stdio" ? (
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          <Field id="mcp-command" label="Command" error={errors.command?.message}>
            <Input autoComplete="off" placeholder="npx" className="font-mono" {...fieldAria("mcp-command", errors.command?.message)} {...register("command")} />
          </Field>
          <Field id="mcp-args" label="Arguments" error={errors.args?.message} hint="One per line.">
            <Textarea rows={2} className="min-h-16 font-mono" {...fieldAria("mcp-args", errors.args?.message, true)} {...register("args")} />
          </Field>
        </div>
      ) : (
        <>
          <Field id="mcp-url" label="URL" error={errors.url?.message}>
            <Input type="url" autoComplete="off" placeholder="https://mcp.example.com/mcp" className="font-mono" {...fieldAria("mcp-url", errors.url?.message)} {...register("url")} />
          </Field>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-zinc-800">Headers sent on every request</legend>
            <p className="text-xs text-zinc-500">Values are secrets: stored encrypted and never shown again, only the header names.</p>
            {headers.fields.map((h, i) => (
              <div key={h.id} className="grid grid-cols-1 items-start gap-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_auto]" data-testid="mcp-header-row">
                <Field id={`mcp-header-${i}-name`} label={`Header ${i + 1} name`} error={headerError(i)}>
                  <Input autoComplete="off" placeholder="Authorization" className="font-mono" {...fieldAria(`mcp-header-${i}-name`, headerError(i))} {...register(`headers.${i}.name`)} />
                </Field>
                <Field id={`mcp-header-${i}-value`} label={`Header ${i + 1} value`}>
                  <Input type="password" autoComplete="new-password" className="font-mono" {...fieldAria(`mcp-header-${i}-value`, undefined)} {...register(`headers.${i}.value`)} />
                </Field>
                <Button size="sm" variant="ghost" className="text-red-700 sm:mt-7" onClick={() => headers.remove(i)}>
                  Remove header {i + 1}
                </Button>
              </div>
            ))}
            {errors.root?.headers?.message ? (
              <p className="text-xs font-medium text-red-600" role="alert">
                {errors.root.headers.message}
              </p>
            ) : null}
            <Button size="sm" variant="secondary" onClick={() => headers.append({ name: "", value: "" })} disabled={headers.fields.length >= 20}>
              Add header
            </Button>
          </fieldset>
        </>
      )}
      <fieldset>
        <legend className="text-sm font-medium text-zinc-800">Roles offered its tools (none checked: the builders)</legend>
        <RoleCheckboxes registration={register("allowedRoles")} />
      </fieldset>
      <div className="flex flex-wrap items-center justify-end gap-3">
        {created ? (
          <span role="status" className="text-sm text-emerald-700">
            {created.lastError ? `Added ${created.name}, but it could not be reached (saved anyway).` : `Added ${created.name}: ${created.toolNames.length} tool(s).`}
          </span>
        ) : null}
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? <Spinner /> : null}
          Add MCP server
        </Button>
      </div>
    </form>
  );
}
