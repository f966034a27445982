"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { ApiError, apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Input, Textarea } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";
import { modelCandidateSchema } from "@/lib/squads/schemas";
import { formatRoute, squadViewSchema, type AgentView } from "./squad-view";

const candidatePattern = /^([a-z]+):(.+)$/;

/** `openai:gpt-5.1, anthropic:claude-sonnet-5-5` → candidates checked by the API's `modelCandidateSchema`. */
function parseRoute(text: string) {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = candidatePattern.exec(s);
      return modelCandidateSchema.safeParse(m ? { provider: m[1], model: m[2].trim() } : { provider: s, model: "" });
    });
}

/** The API's turn limit range (`agentPatchSchema.maxTurns`: 1–500). */
const turnLimit = z.number().int().min(1).max(500);
const formSchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters"),
  instructions: z.string().max(10_000, "Instructions must be at most 10,000 characters"),
  systemPrompt: z.string().max(20_000, "The prompt must be at most 20,000 characters"),
  modelRoute: z.string().refine((t) => parseRoute(t).every((c) => c.success), {
    message: "Write provider:model, comma-separated; providers are openai, anthropic or offline",
  }),
  maxTurns: z.string().refine((t) => t.trim() === "" || turnLimit.safeParse(Number(t)).success, { message: "Turn limit must be a whole number from 1 to 500" }),
  tools: z.array(z.string()),
});
type FormValues = z.infer<typeof formSchema>;

/**
 * One agent of a squad: its name, extra instructions (added to the role's persona), its own system
 * prompt (replaces the persona), model route (empty: the role's default), turn limit and tools where
 * the API offers them. Saves with `PATCH /api/v1/squads/{id}` `{ agents: [{ role, … }] }` (audited).
 */
export function AgentEditor({ squadId, agent, knownTools, canEdit }: { squadId: string; agent: AgentView; knownTools: string[]; canEdit: boolean }) {
  const router = useRouter();
  const [saved, setSaved] = useState(false);
  const hasTools = agent.effectiveTools !== undefined && agent.toolOverrides !== undefined;
  const hasTurns = agent.defaultMaxTurns !== undefined;
  const defaults = (a: AgentView): FormValues => ({
    name: a.name,
    instructions: a.instructions ?? "",
    systemPrompt: a.systemPrompt ?? "",
    modelRoute: formatRoute(a.modelRoute),
    maxTurns: a.maxTurns ? String(a.maxTurns) : "",
    tools: a.effectiveTools ?? a.tools,
  });
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting, isDirty },
  } = useForm<FormValues>({ resolver: zodResolver(formSchema), defaultValues: defaults(agent) });
  const base = `agent-${agent.role}`;

  const onSubmit = handleSubmit(async (v) => {
    setSaved(false);
    const route = parseRoute(v.modelRoute).flatMap((c) => (c.success ? [c.data] : []));
    const roleTools = new Set(agent.tools);
    const chosen = new Set(v.tools);
    const patch = {
      role: agent.role,
      name: v.name,
      instructions: v.instructions.trim() || null,
      systemPrompt: v.systemPrompt.trim() || null,
      modelRoute: route,
      ...(hasTurns ? { maxTurns: v.maxTurns.trim() ? Number(v.maxTurns) : null } : {}),
      ...(hasTools
        ? { tools: { enabled: v.tools.filter((t) => !roleTools.has(t)), disabled: agent.tools.filter((t) => !chosen.has(t)) } }
        : {}),
    };
    try {
      const squad = await apiFetch(`/api/v1/squads/${encodeURIComponent(squadId)}`, squadViewSchema, { method: "PATCH", body: JSON.stringify({ agents: [patch] }) });
      const updated = squad.agents.find((a) => a.role === agent.role);
      if (updated) reset(defaults(updated));
      setSaved(true);
      router.refresh();
    } catch (e) {
      setError("root", { message: e instanceof ApiError && e.status === 403 ? "Only owners and admins change agents." : e instanceof Error ? e.message : "Couldn't save the agent." });
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label={`Agent ${agent.name}`} className="space-y-4 rounded-md p-4 ring-1 ring-zinc-200" data-testid="agent-editor" data-role={agent.role}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="text-sm font-semibold text-zinc-900">{agent.name}</h3>
        <span className="font-mono text-xs text-zinc-600">{agent.role}</span>
      </div>
      {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
      <fieldset disabled={!canEdit} className="space-y-4">
        <legend className="sr-only">{agent.name}</legend>
        <Field id={`${base}-name`} label="Name" error={errors.name?.message}>
          <Input autoComplete="off" {...fieldAria(`${base}-name`, errors.name?.message)} {...register("name")} />
        </Field>
        <details className="text-xs text-zinc-700">
          <summary className="cursor-pointer font-medium">The role&apos;s persona</summary>
          <p className="mt-1 whitespace-pre-wrap">{agent.persona}</p>
        </details>
        <Field id={`${base}-instructions`} label="Extra instructions" error={errors.instructions?.message} hint="Added to the persona, e.g. house style or rules of the repository.">
          <Textarea rows={3} {...fieldAria(`${base}-instructions`, errors.instructions?.message, true)} {...register("instructions")} />
        </Field>
        <Field id={`${base}-prompt`} label="System prompt" error={errors.systemPrompt?.message} hint="Optional. Replaces the persona entirely.">
          <Textarea rows={3} {...fieldAria(`${base}-prompt`, errors.systemPrompt?.message, true)} {...register("systemPrompt")} />
        </Field>
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-[minmax(0,1fr)_10rem]">
          <Field id={`${base}-route`} label="Model route" error={errors.modelRoute?.message} hint={`Tried in order. Empty: the role's default (${formatRoute(agent.defaultRoute) || "none"}).`}>
            <Input autoComplete="off" className="font-mono" placeholder="openai:gpt-5.1, anthropic:claude-sonnet-5-5" {...fieldAria(`${base}-route`, errors.modelRoute?.message, true)} {...register("modelRoute")} />
          </Field>
          {hasTurns ? (
            <Field id={`${base}-turns`} label="Turn limit" error={errors.maxTurns?.message} hint={`Default ${agent.defaultMaxTurns ?? "—"}.`}>
              <Input inputMode="numeric" autoComplete="off" {...fieldAria(`${base}-turns`, errors.maxTurns?.message, true)} {...register("maxTurns")} />
            </Field>
          ) : null}
        </div>
        {hasTools ? (
          <fieldset>
            <legend className="text-sm font-medium text-zinc-800">Tools</legend>
            <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
              {knownTools.map((t) => (
                <label key={t} className="flex items-center gap-1.5 font-mono text-xs text-zinc-800">
                  <input type="checkbox" value={t} className="size-4 rounded border-zinc-300 text-indigo-600" {...register("tools")} />
                  {t}
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
      </fieldset>
      {canEdit ? (
        <div className="flex items-center justify-end gap-3">
          {saved && !isDirty ? (
            <span role="status" className="text-sm text-emerald-700">
              Saved.
            </span>
          ) : null}
          <Button type="submit" variant="secondary" disabled={isSubmitting}>
            {isSubmitting ? <Spinner /> : null}
            Save {agent.name}
          </Button>
        </div>
      ) : null}
    </form>
  );
}
