"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { ApiError, apiFetch } from "@/components/tasks/api";
import { roleLabel } from "@/components/tasks/format";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Field, fieldAria, Textarea } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";
import { updateLessonInputSchema, type LessonJson } from "@/lib/lessons/schemas";

const lessonResponseSchema = z.object({ id: z.string(), statement: z.string() });
type EditInput = z.input<typeof updateLessonInputSchema>;
type EditOutput = z.output<typeof updateLessonInputSchema>;

function errorText(error: unknown, fallback: string): string {
  if (error instanceof ApiError && error.status === 403) return "Your role cannot do this: ask an owner or admin of the organization.";
  return error instanceof Error && error.message ? error.message : fallback;
}

/** A link to where a lesson came from: the task in the app, or the pull request on GitHub. */
export function LessonSourceLink({ url, label }: { url: string | null; label: string }) {
  if (!url) return <span>{label}</span>;
  return /^https?:\/\//.test(url) ? (
    <a href={url} className="text-indigo-700 underline-offset-2 hover:underline" target="_blank" rel="noreferrer noopener">
      {label}
    </a>
  ) : (
    <Link href={url} className="text-indigo-700 underline-offset-2 hover:underline">
      {label}
    </Link>
  );
}

/** Settings → Knowledge, lessons: what the squads learnt, each with its source; edit a statement, delete after a confirmation. */
export function LessonsPanel({ lessons, repositoryNames, canManage }: { lessons: LessonJson[]; repositoryNames: Record<string, string>; canManage: boolean }) {
  return (
    <Card aria-labelledby="lessons-heading">
      <CardHeader
        headingId="lessons-heading"
        title="Lessons"
        description="Learnt from what people said on earlier tasks (a rejection's reason, approval instructions, review findings and failing tests that were fixed, pull request reviews). Later briefs on the same repository carry them."
      />
      {lessons.length === 0 ? (
        <p className="px-5 py-6 text-center text-sm text-zinc-600" data-testid="lessons-empty">
          No lessons yet. They appear when a task ends after a person rejected or commented on its work.
        </p>
      ) : (
        <ul role="list" className="divide-y divide-zinc-200">
          {lessons.map((l) => (
            <LessonRow key={l.id} lesson={l} repositoryName={l.repositoryId ? (repositoryNames[l.repositoryId] ?? null) : null} canManage={canManage} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function LessonRow({ lesson: l, repositoryName, canManage }: { lesson: LessonJson; repositoryName: string | null; canManage: boolean }) {
  const router = useRouter();
  const [mode, setMode] = useState<"view" | "edit" | "confirm-delete">("view");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await apiFetch(`/api/v1/lessons/${encodeURIComponent(l.id)}`, z.unknown(), { method: "DELETE" });
      router.refresh();
    } catch (e) {
      setError(errorText(e, "Couldn't delete the lesson."));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="space-y-2 px-4 py-3 sm:px-5" data-testid="lesson-row" data-lesson-id={l.id}>
      {mode === "edit" ? (
        <EditLessonForm lesson={l} onDone={() => setMode("view")} />
      ) : (
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0 flex-1">
            <p className="text-sm text-zinc-900" data-testid="lesson-statement">
              {l.statement}
            </p>
            <p className="mt-0.5 text-xs text-zinc-600">
              {l.role ? roleLabel(l.role) : "Every role"}
              {repositoryName ? ` · ${repositoryName}` : ""} · <LessonSourceLink url={l.source.url} label={l.source.label} />
            </p>
            {l.source.excerpt && l.source.excerpt !== l.statement ? (
              <p className="mt-0.5 text-xs italic text-zinc-600">“{l.source.excerpt.slice(0, 300)}”</p>
            ) : null}
          </div>
          {canManage ? (
            <div className="flex gap-2">
              <Button size="sm" variant="secondary" onClick={() => setMode("edit")} disabled={busy}>
                Edit
              </Button>
              <Button size="sm" variant="secondary" className="text-red-700" onClick={() => setMode("confirm-delete")} disabled={busy}>
                Delete
              </Button>
            </div>
          ) : null}
        </div>
      )}
      {mode === "confirm-delete" ? (
        <div role="alertdialog" aria-labelledby={`confirm-lesson-${l.id}`} className="space-y-2 rounded-md bg-amber-50 p-3 ring-1 ring-amber-600/20">
          <p id={`confirm-lesson-${l.id}`} className="text-sm text-amber-900">
            Delete this lesson? Later briefs stop carrying it, and it is not learnt again from the same source.
          </p>
          <div className="flex gap-2">
            <Button size="sm" onClick={() => void remove()} disabled={busy} className="bg-red-700 hover:bg-red-600">
              {busy ? <Spinner /> : null}
              Delete lesson
            </Button>
            <Button size="sm" variant="secondary" onClick={() => setMode("view")} disabled={busy}>
              Keep it
            </Button>
          </div>
        </div>
      ) : null}
      {error ? <Alert>{error}</Alert> : null}
    </li>
  );
}

function EditLessonForm({ lesson: l, onDone }: { lesson: LessonJson; onDone: () => void }) {
  const router = useRouter();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors, isSubmitting },
  } = useForm<EditInput, unknown, EditOutput>({ resolver: zodResolver(updateLessonInputSchema), defaultValues: { statement: l.statement } });
  const id = `lesson-statement-${l.id}`;
  const onSubmit = handleSubmit(async (values) => {
    try {
      await apiFetch(`/api/v1/lessons/${encodeURIComponent(l.id)}`, lessonResponseSchema, { method: "PATCH", body: JSON.stringify(values) });
      onDone();
      router.refresh();
    } catch (e) {
      const issue = e instanceof ApiError && e.status === 422 ? e.issues.find((i) => i.path === "statement") : undefined;
      if (issue) setError("statement", { message: issue.message }, { shouldFocus: true });
      else setError("root", { message: errorText(e, "Couldn't save the lesson.") });
    }
  });
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Edit lesson" className="space-y-2">
      <Field id={id} label="Lesson" error={errors.statement?.message}>
        <Textarea rows={2} {...fieldAria(id, errors.statement?.message)} {...register("statement")} />
      </Field>
      {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
      <div className="flex gap-2">
        <Button size="sm" type="submit" disabled={isSubmitting}>
          {isSubmitting ? <Spinner /> : null}
          Save lesson
        </Button>
        <Button size="sm" variant="secondary" onClick={onDone} disabled={isSubmitting}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
