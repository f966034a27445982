"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { createTaskInputSchema } from "@/lib/tasks/schemas";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Input, Textarea } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { ApiError, apiFetch } from "./api";
import { formatUsdMicros, parseUsdToMicros, usdAmountSchema } from "./money";
import { TaskDescription } from "./task-description";

/** The bundled example repository's starter task (see `examples/`). */
export const EXAMPLE_TASK_TITLE = "Add a DELETE /todos/:id endpoint";

const createdTaskSchema = z.object({ id: z.string() });

/** A squad the form offers, with its repository, per-task budget and pre-plan estimate (USD micros). */
export type SquadOption = { id: string; name: string; repositoryId: string | null; budgetUsdMicros: number | null; estimateUsdMicros: number | null };
export type RepositoryOption = { id: string; name: string };

/**
 * The form's schema: the API's `createTaskInputSchema` (same title, description, squad and repository
 * rules), with the budget typed in USD instead of micros. Empty selects mean "the default".
 */
export const newTaskFormSchema = createTaskInputSchema.omit({ budgetUsdMicros: true, squadId: true, repositoryId: true }).extend({
  squadId: z.union([z.literal(""), createTaskInputSchema.shape.squadId.unwrap()]),
  repositoryId: z.union([z.literal(""), createTaskInputSchema.shape.repositoryId.unwrap()]),
  budgetUsd: usdAmountSchema("Budget"),
});
type FormInput = z.input<typeof newTaskFormSchema>;
type FormData = z.output<typeof newTaskFormSchema>;

const fields = ["title", "description", "squadId", "repositoryId"] as const;

/**
 * Creates a task with `POST /api/v1/tasks` and opens it: squad and repository pickers (the squad's
 * own repository unless another is picked), title, Markdown description with a preview, optional
 * budget; shows the squad's budget and what a task of it typically costs. A 422 from the server puts
 * each issue on its field.
 */
export function NewTaskForm({ squads = [], repositories = [] }: { squads?: SquadOption[]; repositories?: RepositoryOption[] }) {
  const router = useRouter();
  const [preview, setPreview] = useState(false);
  const {
    register,
    handleSubmit,
    setError,
    setValue,
    setFocus,
    watch,
    formState: { errors, isSubmitting, isSubmitSuccessful },
  } = useForm<FormInput, unknown, FormData>({
    resolver: zodResolver(newTaskFormSchema),
    defaultValues: { title: "", description: "", squadId: squads[0]?.id ?? "", repositoryId: "", budgetUsd: "" },
  });

  const squadId = watch("squadId");
  const description = watch("description") ?? "";
  const squad = squads.find((s) => s.id === squadId) ?? squads[0];
  const squadRepository = repositories.find((r) => r.id === squad?.repositoryId);

  const onSubmit = handleSubmit(async (values) => {
    const body = {
      title: values.title,
      description: values.description,
      ...(values.squadId ? { squadId: values.squadId } : {}),
      ...(values.repositoryId ? { repositoryId: values.repositoryId } : {}),
      ...(values.budgetUsd ? { budgetUsdMicros: parseUsdToMicros(values.budgetUsd) } : {}),
    };
    try {
      const task = await apiFetch("/api/v1/tasks", createdTaskSchema, { method: "POST", body: JSON.stringify(body) });
      router.push(`/tasks/${encodeURIComponent(task.id)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.issues.length > 0) {
        let placed = false;
        for (const issue of error.issues) {
          const field = issue.path === "budgetUsdMicros" ? "budgetUsd" : fields.find((f) => f === issue.path);
          if (field) {
            setError(field, { message: issue.message }, { shouldFocus: !placed });
            placed = true;
          }
        }
        if (placed) return;
      }
      if (error instanceof ApiError && error.status === 401) {
        setError("root", { message: "Your session has expired. Sign in again to create tasks." });
        return;
      }
      setError("root", { message: error instanceof Error ? error.message : "Couldn't create the task. Try again." });
    }
  });

  // Stay disabled after success: the page is about to change.
  const busy = isSubmitting || (isSubmitSuccessful && !errors.root);

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="New task">
      {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
      {squads.length > 1 ? (
        <Field id="task-squad" label="Squad" error={errors.squadId?.message}>
          <Select {...fieldAria("task-squad", errors.squadId?.message)} {...register("squadId")}>
            {squads.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
      {repositories.length > 0 ? (
        <Field id="task-repository" label="Repository" error={errors.repositoryId?.message} hint="Where the squad writes the code.">
          <Select {...fieldAria("task-repository", errors.repositoryId?.message, true)} {...register("repositoryId")}>
            <option value="">{squadRepository ? `${squadRepository.name} (the squad's)` : "The squad's repository"}</option>
            {repositories
              .filter((r) => r.id !== squadRepository?.id)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
          </Select>
        </Field>
      ) : null}
      <Field
        id="task-title"
        label="Title"
        error={errors.title?.message}
        hint={
          <>
            What should the squad do? Try{" "}
            <button
              type="button"
              className="font-medium text-indigo-700 underline-offset-2 hover:underline"
              onClick={() => {
                setValue("title", EXAMPLE_TASK_TITLE, { shouldValidate: true });
                setFocus("title");
              }}
            >
              the example task
            </button>
            .
          </>
        }
      >
        <Input placeholder={EXAMPLE_TASK_TITLE} maxLength={200} autoComplete="off" {...fieldAria("task-title", errors.title?.message, true)} {...register("title")} />
      </Field>
      <div className="space-y-1.5">
        <div className="flex items-center justify-between">
          <label htmlFor="task-description" className="block text-sm font-medium text-zinc-800">
            Description
          </label>
          <button
            type="button"
            className="text-xs font-medium text-indigo-700 underline-offset-2 hover:underline"
            aria-pressed={preview}
            onClick={() => setPreview((p) => !p)}
          >
            {preview ? "Edit" : "Preview"}
          </button>
        </div>
        {preview ? (
          <div className="min-h-24 rounded-md p-3 ring-1 ring-inset ring-zinc-200" data-testid="description-preview">
            {description.trim() ? <TaskDescription source={description} /> : <p className="text-sm text-zinc-600">Nothing to preview.</p>}
          </div>
        ) : (
          <Textarea
            rows={4}
            placeholder="Return 204 when the todo is deleted and 404 when it does not exist."
            {...fieldAria("task-description", errors.description?.message, true)}
            {...register("description")}
          />
        )}
        {errors.description?.message ? (
          <p id="task-description-error" className="text-xs font-medium text-red-600">
            {errors.description.message}
          </p>
        ) : (
          <p id="task-description-hint" className="text-xs text-zinc-600">
            Optional. Markdown (GitHub-flavoured): acceptance criteria, constraints, links.
          </p>
        )}
      </div>
      <Field
        id="task-budget"
        label="Budget (USD)"
        error={errors.budgetUsd?.message}
        hint={squad?.budgetUsdMicros ? `Optional. The squad's budget per task is ${formatUsdMicros(squad.budgetUsdMicros)}.` : "Optional. The run pauses for approval when it would spend more."}
      >
        <Input inputMode="decimal" placeholder="e.g. 2.50" autoComplete="off" {...fieldAria("task-budget", errors.budgetUsd?.message, true)} {...register("budgetUsd")} />
      </Field>
      {squad ? (
        <p className="text-xs text-zinc-600" data-testid="task-estimate">
          {squad.estimateUsdMicros !== null
            ? `Estimated cost before planning: about ${formatUsdMicros(squad.estimateUsdMicros)} (one subtask per agent of ${squad.name} at its models' prices). The plan's own estimate follows.`
            : `${squad.name} runs on models without a price (offline or local): no cost estimate.`}
        </p>
      ) : null}
      <div className="flex justify-end">
        <Button type="submit" disabled={busy}>
          {busy ? <Spinner /> : null}
          Create task
        </Button>
      </div>
    </form>
  );
}
