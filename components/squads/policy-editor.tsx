"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useFieldArray, useForm, useWatch, type Control, type Path } from "react-hook-form";
import { ApiError, apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Input, Textarea } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { evaluatePolicy, type PolicyFacts } from "@/lib/policy/evaluate-policy";
import { policyActions, policyEffects, policyRuleSchema, type PolicyAction, type PolicyRule } from "@/lib/policy/schemas";
import { formPathOf, fromPolicy, showsTools, toPolicy, toRule, type PolicyForm } from "./policy-form";
import { squadViewSchema, type SquadView } from "./squad-view";

const effectLabels = { allow: "Allow", require_approval: "Ask a person", deny: "Refuse" } as const;
const actionLabels: Record<PolicyAction, string> = { plan: "Plan", deliver: "Deliver", dependency_change: "Dependency change", mcp_tool: "MCP tool call" };
const effectTone = { allow: "green", require_approval: "amber", deny: "red" } as const;

/**
 * The squad's policy rules (paths, actions, diff size, projected cost → allow / ask / refuse) with a
 * preview that runs `lib/policy`'s `evaluatePolicy` on a sample change against the rules as they are
 * in the form, so a person sees which rule would decide before saving. Saves the whole policy with
 * `PATCH /api/v1/squads/{id}` (validated there by the same schema, and audited).
 */
export function PolicyEditor({ squad, canEdit }: { squad: SquadView; canEdit: boolean }) {
  const router = useRouter();
  const [saved, setSaved] = useState(false);
  const {
    register,
    control,
    handleSubmit,
    setError,
    clearErrors,
    reset,
    formState: { errors, isSubmitting, isDirty },
  } = useForm<PolicyForm>({ defaultValues: fromPolicy(squad.policy) });
  const { fields, append, remove, move } = useFieldArray({ control, name: "rules" });
  // Which rules show "Tools (globs)": those whose actions include mcp_tool (or that have tools already).
  const watchedRules = useWatch({ control, name: "rules" });

  const onSubmit = handleSubmit(async (values) => {
    setSaved(false);
    clearErrors();
    const policy = toPolicy(values);
    if (!policy.success) {
      let first = true;
      for (const issue of policy.error.issues) {
        setError(formPathOf(issue.path) as Path<PolicyForm>, { message: issue.message }, { shouldFocus: first });
        first = false;
      }
      return;
    }
    try {
      const updated = await apiFetch(`/api/v1/squads/${encodeURIComponent(squad.id)}`, squadViewSchema, { method: "PATCH", body: JSON.stringify({ policy: policy.data }) });
      reset(fromPolicy(updated.policy));
      setSaved(true);
      router.refresh();
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.issues.length > 0) {
        for (const issue of e.issues) setError(formPathOf(issue.path.replace(/^policy\./, "").split(".")) as Path<PolicyForm>, { message: issue.message });
        return;
      }
      setError("root", { message: e instanceof ApiError && e.status === 403 ? "Only owners and admins change a squad's policy." : e instanceof Error ? e.message : "Couldn't save the policy." });
    }
  });

  const errorOf = (i: number, field: string): string | undefined => {
    const e = errors.rules?.[i] as Record<string, { message?: string } | undefined> | undefined;
    return e?.[field]?.message;
  };

  return (
    <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_20rem]">
      <form onSubmit={onSubmit} noValidate aria-label="Policy rules" className="space-y-4">
        {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
        <p className="text-sm text-zinc-600">
          Rules are checked on every plan, delivery and MCP tool call. A matching <strong>Refuse</strong> wins, then <strong>Ask a person</strong>; an <strong>Allow</strong> exempts the change from the autonomy level. With no matching rule, the autonomy level decides.
        </p>
        {fields.length === 0 ? (
          <p className="rounded-md bg-zinc-50 px-3 py-4 text-sm text-zinc-600" data-testid="policy-no-rules">
            No rules: the autonomy level decides everything.
          </p>
        ) : null}
        <ol className="space-y-4">
          {fields.map((field, i) => {
            const base = `rule-${i}`;
            return (
              <li key={field.id} className="space-y-3 rounded-md p-3 ring-1 ring-zinc-200" data-testid="policy-rule">
                <fieldset disabled={!canEdit} className="space-y-3">
                  <legend className="sr-only">Rule {i + 1}</legend>
                  <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
                    <Field id={`${base}-id`} label="Rule id" error={errorOf(i, "id")}>
                      <Input autoComplete="off" placeholder="migrations" className="font-mono" {...fieldAria(`${base}-id`, errorOf(i, "id"))} {...register(`rules.${i}.id`)} />
                    </Field>
                    <Field id={`${base}-effect`} label="Then" error={errorOf(i, "effect")}>
                      <Select {...fieldAria(`${base}-effect`, errorOf(i, "effect"))} {...register(`rules.${i}.effect`)}>
                        {policyEffects.map((e) => (
                          <option key={e} value={e}>
                            {effectLabels[e]}
                          </option>
                        ))}
                      </Select>
                    </Field>
                  </div>
                  <fieldset aria-describedby={errorOf(i, "actions") ? `${base}-actions-error` : undefined}>
                    <legend className="text-sm font-medium text-zinc-800">When the action is (none checked: any)</legend>
                    <div className="mt-1 flex flex-wrap gap-4">
                      {policyActions.map((a) => (
                        <label key={a} className="flex items-center gap-1.5 text-sm text-zinc-800">
                          <input type="checkbox" value={a} className="size-4 rounded border-zinc-300 text-indigo-600" {...register(`rules.${i}.actions`)} />
                          {actionLabels[a]}
                        </label>
                      ))}
                    </div>
                    {errorOf(i, "actions") ? (
                      <p id={`${base}-actions-error`} className="mt-1 text-xs font-medium text-red-600">
                        {errorOf(i, "actions")}
                      </p>
                    ) : null}
                  </fieldset>
                  <Field id={`${base}-paths`} label="And a changed file matches" error={errorOf(i, "paths")} hint="Globs, one per line, e.g. **/migrations/** (empty: any file).">
                    <Textarea rows={2} className="min-h-16 font-mono" {...fieldAria(`${base}-paths`, errorOf(i, "paths"), true)} {...register(`rules.${i}.paths`)} />
                  </Field>
                  {watchedRules?.[i] && showsTools(watchedRules[i]) ? (
                    <Field
                      id={`${base}-tools`}
                      label="Tools (globs)"
                      error={errorOf(i, "tools")}
                      hint={<>MCP tool names as the model sees them, one per line, e.g. <code>mcp__github__create_issue</code> or <code>mcp__github__*</code> (empty: every MCP tool). Only with the action MCP tool call alone.</>}
                    >
                      <Textarea rows={2} className="min-h-16 font-mono" {...fieldAria(`${base}-tools`, errorOf(i, "tools"), true)} {...register(`rules.${i}.tools`)} />
                    </Field>
                  ) : null}
                  <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
                    <Field id={`${base}-lines`} label="And more lines changed than" error={errorOf(i, "diffLinesOver")}>
                      <Input inputMode="numeric" autoComplete="off" {...fieldAria(`${base}-lines`, errorOf(i, "diffLinesOver"))} {...register(`rules.${i}.diffLinesOver`)} />
                    </Field>
                    <Field id={`${base}-cost`} label="And projected cost over (USD)" error={errorOf(i, "projectedCostOverUsd")}>
                      <Input inputMode="decimal" autoComplete="off" {...fieldAria(`${base}-cost`, errorOf(i, "projectedCostOverUsd"))} {...register(`rules.${i}.projectedCostOverUsd`)} />
                    </Field>
                  </div>
                  <Field id={`${base}-reason`} label="Reason shown to the person asked" error={errorOf(i, "reason")}>
                    <Input autoComplete="off" {...fieldAria(`${base}-reason`, errorOf(i, "reason"))} {...register(`rules.${i}.reason`)} />
                  </Field>
                </fieldset>
                {canEdit ? (
                  <div className="flex gap-2">
                    <Button size="sm" variant="ghost" onClick={() => move(i, i - 1)} disabled={i === 0}>
                      Move up
                    </Button>
                    <Button size="sm" variant="ghost" className="text-red-700" onClick={() => remove(i)}>
                      Remove rule {i + 1}
                    </Button>
                  </div>
                ) : null}
              </li>
            );
          })}
        </ol>
        <Field id="approval-timeout" label="Approvals expire after (hours)" error={errors.approvalTimeoutHours?.message} hint="Then the run stops and the task is cancelled.">
          <Input inputMode="decimal" disabled={!canEdit} className="max-w-40" {...fieldAria("approval-timeout", errors.approvalTimeoutHours?.message, true)} {...register("approvalTimeoutHours")} />
        </Field>
        {canEdit ? (
          <div className="flex flex-wrap items-center justify-between gap-2">
            <Button
              variant="secondary"
              onClick={() => append({ id: `rule-${fields.length + 1}`, effect: "require_approval", actions: ["deliver"], paths: "", diffLinesOver: "", projectedCostOverUsd: "", tools: "", reason: "" })}
            >
              Add rule
            </Button>
            <div className="flex items-center gap-3">
              {saved && !isDirty ? (
                <span role="status" className="text-sm text-emerald-700">
                  Policy saved.
                </span>
              ) : null}
              <Button type="submit" disabled={isSubmitting}>
                {isSubmitting ? <Spinner /> : null}
                Save policy
              </Button>
            </div>
          </div>
        ) : null}
      </form>
      <PolicyPreview autonomy={squad.autonomy} control={control} />
    </div>
  );
}

/** Which rule would decide a sample change, with the rules as they stand in the form (invalid ones skipped). */
function PolicyPreview({ autonomy, control }: { autonomy: SquadView["autonomy"]; control: Control<PolicyForm> }) {
  const rules = useWatch({ control, name: "rules" });
  const [action, setAction] = useState<PolicyAction>("deliver");
  const [paths, setPaths] = useState("src/app.ts\nmigrations/0002_due_date.sql");
  const [lines, setLines] = useState("120");
  const [cost, setCost] = useState("0.50");
  const [tool, setTool] = useState("mcp__github__create_issue");

  // Recomputed on every render: `rules` from react-hook-form keeps its identity while its fields change.
  const { decision, skipped } = (() => {
    const valid: PolicyRule[] = [];
    let invalid = 0;
    for (const r of rules) {
      const parsed = policyRuleSchema.safeParse(toRule(r));
      if (parsed.success) valid.push(parsed.data);
      else invalid++;
    }
    const facts: PolicyFacts = {
      action,
      paths: paths
        .split(/[\n,]/)
        .map((p) => p.trim())
        .filter(Boolean),
      diffLines: Number(lines) || 0,
      projectedCostUsdMicros: Math.round((Number(cost) || 0) * 1_000_000),
      ...(action === "mcp_tool" && tool.trim() ? { tool: tool.trim() } : {}),
    };
    return { decision: evaluatePolicy({ autonomy, rules: valid }, facts), skipped: invalid };
  })();

  return (
    <section aria-labelledby="policy-preview-heading" className="space-y-3 self-start rounded-md bg-zinc-50 p-4 ring-1 ring-zinc-200" data-testid="policy-preview">
      <h3 id="policy-preview-heading" className="text-sm font-semibold text-zinc-900">
        Preview a change
      </h3>
      <Field id="preview-action" label="Action">
        <Select id="preview-action" value={action} onChange={(e) => setAction(e.target.value as PolicyAction)}>
          {policyActions.map((a) => (
            <option key={a} value={a}>
              {actionLabels[a]}
            </option>
          ))}
        </Select>
      </Field>
      {action === "mcp_tool" ? (
        <Field id="preview-tool" label="Tool called" hint="As the model sees it: mcp__<server>__<tool>.">
          <Input id="preview-tool" autoComplete="off" className="font-mono" aria-describedby="preview-tool-hint" value={tool} onChange={(e) => setTool(e.target.value)} />
        </Field>
      ) : null}
      <Field id="preview-paths" label="Changed files">
        <Textarea id="preview-paths" rows={3} className="min-h-16 font-mono" value={paths} onChange={(e) => setPaths(e.target.value)} />
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field id="preview-lines" label="Lines changed">
          <Input id="preview-lines" inputMode="numeric" value={lines} onChange={(e) => setLines(e.target.value)} />
        </Field>
        <Field id="preview-cost" label="Projected cost (USD)">
          <Input id="preview-cost" inputMode="decimal" value={cost} onChange={(e) => setCost(e.target.value)} />
        </Field>
      </div>
      <div role="status" aria-live="polite" className="space-y-1 rounded-md bg-white p-3 ring-1 ring-zinc-200" data-testid="policy-decision" data-decision={decision.decision} data-rule={decision.ruleId ?? ""}>
        <Badge tone={effectTone[decision.decision]}>{effectLabels[decision.decision]}</Badge>
        <p className="text-sm text-zinc-800">{decision.reason}</p>
        <p className="text-xs text-zinc-600">{decision.ruleId ? `Decided by rule "${decision.ruleId}".` : "No rule matched: the autonomy level decides."}</p>
        {skipped > 0 ? <p className="text-xs text-amber-800">{skipped} incomplete rule(s) left out until they are valid.</p> : null}
      </div>
    </section>
  );
}
