"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { ApiError, apiFetch } from "@/components/tasks/api";
import { formatUsdMicros, parseUsdToMicros, usdAmountSchema } from "@/components/tasks/money";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { updateSquadSchema } from "@/lib/squads/schemas";
import { autonomyOptions, squadViewSchema, type SquadView } from "./squad-view";

/** `updateSquadSchema`'s name and autonomy, with the repository as a select and budgets in USD. */
const formSchema = updateSquadSchema
  .pick({ autonomy: true })
  .required()
  .extend({
    name: z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters"),
    repositoryId: z.union([z.literal(""), z.uuid()]),
    budgetUsd: usdAmountSchema("Budget per task"),
    monthlyBudgetUsd: usdAmountSchema("Monthly budget"),
  });
type FormInput = z.input<typeof formSchema>;
type FormOutput = z.output<typeof formSchema>;

const usd = (micros: number | null) => (micros === null ? "" : String(micros / 1_000_000));

/**
 * A squad's name, repository, autonomy, per-task budget and the organization's monthly budget,
 * saved with `PATCH /api/v1/squads/{id}` (audited as `squad.updated`).
 */
export function SquadSettingsForm({ squad, repositories, canEdit }: { squad: SquadView; repositories: { id: string; name: string }[]; canEdit: boolean }) {
  const router = useRouter();
  const [saved, setSaved] = useState(false);
  const defaults = (s: SquadView): FormInput => ({
    name: s.name,
    repositoryId: s.repositoryId ?? "",
    autonomy: s.autonomy,
    budgetUsd: usd(s.budgetUsdMicros),
    monthlyBudgetUsd: usd(s.organizationBudget.monthlyBudgetUsdMicros),
  });
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting, isDirty },
  } = useForm<FormInput, unknown, FormOutput>({ resolver: zodResolver(formSchema), defaultValues: defaults(squad) });

  const onSubmit = handleSubmit(async (v) => {
    setSaved(false);
    try {
      const updated = await apiFetch(`/api/v1/squads/${encodeURIComponent(squad.id)}`, squadViewSchema, {
        method: "PATCH",
        body: JSON.stringify({
          name: v.name,
          repositoryId: v.repositoryId || null,
          autonomy: v.autonomy,
          budgetUsdMicros: v.budgetUsd ? parseUsdToMicros(v.budgetUsd) : null,
          organizationMonthlyBudgetUsdMicros: v.monthlyBudgetUsd ? parseUsdToMicros(v.monthlyBudgetUsd) : null,
        }),
      });
      reset(defaults(updated));
      setSaved(true);
      router.refresh();
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) {
        const map: Record<string, keyof FormInput> = { name: "name", repositoryId: "repositoryId", budgetUsdMicros: "budgetUsd", organizationMonthlyBudgetUsdMicros: "monthlyBudgetUsd" };
        const issue = e.issues.find((i) => map[i.path]);
        if (issue) {
          setError(map[issue.path], { message: issue.message }, { shouldFocus: true });
          return;
        }
      }
      setError("root", { message: e instanceof ApiError && e.status === 403 ? "Only owners and admins change a squad's settings." : e instanceof Error ? e.message : "Couldn't save." });
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Squad settings" className="space-y-4">
      {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
      <fieldset disabled={!canEdit} className="grid grid-cols-1 gap-4 sm:grid-cols-2">
        <legend className="sr-only">General</legend>
        <Field id="squad-name" label="Name" error={errors.name?.message}>
          <Input autoComplete="off" {...fieldAria("squad-name", errors.name?.message)} {...register("name")} />
        </Field>
        <Field id="squad-repository" label="Repository" error={errors.repositoryId?.message} hint="Tasks and GitHub issues of this repository go to this squad.">
          <Select {...fieldAria("squad-repository", errors.repositoryId?.message, true)} {...register("repositoryId")}>
            <option value="">None</option>
            {repositories.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </Select>
        </Field>
        <fieldset className="sm:col-span-2">
          <legend className="text-sm font-medium text-zinc-800">Autonomy</legend>
          <div className="mt-2 grid grid-cols-1 gap-2 sm:grid-cols-3">
            {autonomyOptions.map((o) => (
              <label key={o.value} className="flex cursor-pointer gap-2 rounded-md p-3 ring-1 ring-zinc-200 has-[:checked]:ring-2 has-[:checked]:ring-indigo-600">
                <input type="radio" value={o.value} className="mt-0.5 size-4 text-indigo-600" {...register("autonomy")} />
                <span>
                  <span className="block text-sm font-medium text-zinc-900">{o.label}</span>
                  <span className="block text-xs text-zinc-600">{o.description}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <Field
          id="squad-budget"
          label="Budget per task (USD)"
          error={errors.budgetUsd?.message}
          hint="Empty: no limit. A run pauses for approval before spending more."
        >
          <Input inputMode="decimal" autoComplete="off" {...fieldAria("squad-budget", errors.budgetUsd?.message, true)} {...register("budgetUsd")} />
        </Field>
        <Field
          id="squad-monthly-budget"
          label="Organization budget per month (USD)"
          error={errors.monthlyBudgetUsd?.message}
          hint={`Shared by all squads. Spent this month: ${formatUsdMicros(squad.organizationBudget.spentThisMonthUsdMicros)}.`}
        >
          <Input inputMode="decimal" autoComplete="off" {...fieldAria("squad-monthly-budget", errors.monthlyBudgetUsd?.message, true)} {...register("monthlyBudgetUsd")} />
        </Field>
      </fieldset>
      {canEdit ? (
        <div className="flex items-center justify-end gap-3">
          {saved && !isDirty ? (
            <span role="status" className="text-sm text-emerald-700">
              Saved.
            </span>
          ) : null}
          <Button type="submit" disabled={isSubmitting}>
            {isSubmitting ? <Spinner /> : null}
            Save settings
          </Button>
        </div>
      ) : null}
    </form>
  );
}
