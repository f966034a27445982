"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { createTaskInputSchema, type CreateTaskData, type CreateTaskInput } from "@/lib/tasks/schemas";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Input, Textarea } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";
import { ApiError, apiFetch } from "./api";

/** The bundled example repository's starter task (see `examples/`). */
export const EXAMPLE_TASK_TITLE = "Add a DELETE /todos/:id endpoint";

const createdTaskSchema = z.object({ id: z.string() });

/**
 * Creates a task with `POST /api/v1/tasks` and opens it. Validates with the server's own schema
 * (`createTaskInputSchema`); a 422 from the server puts each issue on its field.
 */
export function NewTaskForm() {
  const router = useRouter();
  const {
    register,
    handleSubmit,
    setError,
    setValue,
    setFocus,
    formState: { errors, isSubmitting, isSubmitSuccessful },
  } = useForm<CreateTaskInput, unknown, CreateTaskData>({
    resolver: zodResolver(createTaskInputSchema),
    defaultValues: { title: "", description: "" },
  });

  const onSubmit = handleSubmit(async (values) => {
    try {
      const task = await apiFetch("/api/v1/tasks", createdTaskSchema, {
        method: "POST",
        body: JSON.stringify(values),
      });
      router.push(`/tasks/${encodeURIComponent(task.id)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.issues.length > 0) {
        let placed = false;
        for (const issue of error.issues) {
          if (issue.path === "title" || issue.path === "description") {
            setError(issue.path, { message: issue.message }, { shouldFocus: !placed });
            placed = true;
          }
        }
        if (placed) return;
      }
      if (error instanceof ApiError && error.status === 401) {
        setError("root", { message: "Your session has expired. Sign in again to create tasks." });
        return;
      }
      setError("root", {
        message: error instanceof Error ? error.message : "Couldn't create the task. Try again.",
      });
    }
  });

  // Stay disabled after success: the page is about to change.
  const busy = isSubmitting || (isSubmitSuccessful && !errors.root);

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4" aria-label="New task">
      {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
      <Field
        id="task-title"
        label="Title"
        error={errors.title?.message}
        hint={
          <>
            What should the squad do? Try{" "}
            <button
              type="button"
              className="font-medium text-indigo-600 underline-offset-2 hover:underline"
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
        <Input
          placeholder={EXAMPLE_TASK_TITLE}
          maxLength={200}
          autoComplete="off"
          {...fieldAria("task-title", errors.title?.message, true)}
          {...register("title")}
        />
      </Field>
      <Field
        id="task-description"
        label="Description"
        error={errors.description?.message}
        hint="Optional. Acceptance criteria, constraints, links."
      >
        <Textarea
          rows={4}
          placeholder="Return 204 when the todo is deleted and 404 when it does not exist."
          {...fieldAria("task-description", errors.description?.message, true)}
          {...register("description")}
        />
      </Field>
      <div className="flex justify-end">
        <Button type="submit" disabled={busy}>
          {busy ? <Spinner /> : null}
          Create task
        </Button>
      </div>
    </form>
  );
}
