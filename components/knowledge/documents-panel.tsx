"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { ApiError, apiFetch } from "@/components/tasks/api";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Field, fieldAria, Input, Textarea } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { Spinner } from "@/components/ui/spinner";
import { createDocumentInputSchema, MAX_DOCUMENT_BYTES, type KnowledgeDocumentJson } from "@/lib/knowledge-documents/schemas";

const createdSchema = z.object({ id: z.string(), status: z.string(), indexError: z.string().nullable() });
const formSchema = createDocumentInputSchema.pick({ title: true, content: true, format: true });
type FormInput = z.input<typeof formSchema>;
type FormOutput = z.output<typeof formSchema>;

function errorText(error: unknown, fallback: string): string {
  if (error instanceof ApiError && error.status === 403) return "Your role cannot do this: ask an owner or admin of the organization.";
  return error instanceof Error && error.message ? error.message : fallback;
}

function kb(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** Settings → Knowledge, documents: the list (status, sections indexed), upload (a file or pasted text), delete after a confirmation. */
export function DocumentsPanel({ documents, canManage }: { documents: KnowledgeDocumentJson[]; canManage: boolean }) {
  return (
    <Card aria-labelledby="documents-heading">
      <CardHeader
        headingId="documents-heading"
        title="Documents"
        description="Style guides, ADRs and API docs your squads consult. Markdown is split along its headings; the relevant sections go into the agents' briefs."
      />
      {documents.length === 0 ? (
        <p className="px-5 py-6 text-center text-sm text-zinc-600" data-testid="documents-empty">
          No documents yet.
        </p>
      ) : (
        <ul role="list" className="divide-y divide-zinc-200">
          {documents.map((d) => (
            <DocumentRow key={d.id} document={d} canManage={canManage} />
          ))}
        </ul>
      )}
      {canManage ? <UploadForm /> : null}
    </Card>
  );
}

function DocumentRow({ document: d, canManage }: { document: KnowledgeDocumentJson; canManage: boolean }) {
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await apiFetch(`/api/v1/knowledge/documents/${encodeURIComponent(d.id)}`, z.unknown(), { method: "DELETE" });
      setConfirming(false);
      router.refresh();
    } catch (e) {
      setError(errorText(e, "Couldn't delete the document."));
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="space-y-2 px-4 py-3 sm:px-5" data-testid="document-row" data-document-id={d.id}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="text-sm font-semibold text-zinc-900" data-testid="document-title">
            {d.title}
          </p>
          <p className="mt-0.5 text-xs text-zinc-600">
            {d.filename ? `${d.filename} · ` : ""}
            {d.format} · {kb(d.sizeBytes)} ·{" "}
            <span data-testid="document-status">
              {d.status === "indexed" ? `${d.chunkCount} section${d.chunkCount === 1 ? "" : "s"} indexed` : d.status === "failed" ? "not indexed" : "indexing…"}
            </span>
          </p>
          {d.status === "failed" && d.indexError ? <p className="mt-0.5 text-xs text-red-700">{d.indexError}</p> : null}
        </div>
        {canManage ? (
          <Button size="sm" variant="secondary" className="text-red-700" onClick={() => setConfirming(true)} disabled={busy}>
            Delete
          </Button>
        ) : null}
      </div>
      {confirming ? (
        <div role="alertdialog" aria-labelledby={`confirm-doc-${d.id}`} className="space-y-2 rounded-md bg-amber-50 p-3 ring-1 ring-amber-600/20">
          <p id={`confirm-doc-${d.id}`} className="text-sm text-amber-900">
            Delete {d.title}? Squads stop seeing it in their briefs and searches.
          </p>
          <div className="flex gap-2">
            <Button size="sm" onClick={() => void remove()} disabled={busy} className="bg-red-700 hover:bg-red-600">
              {busy ? <Spinner /> : null}
              Delete {d.title}
            </Button>
            <Button size="sm" variant="secondary" onClick={() => setConfirming(false)} disabled={busy}>
              Keep it
            </Button>
          </div>
        </div>
      ) : null}
      {error ? <Alert>{error}</Alert> : null}
    </li>
  );
}

function UploadForm() {
  const router = useRouter();
  const [notice, setNotice] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    setValue,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<FormInput, unknown, FormOutput>({ resolver: zodResolver(formSchema), defaultValues: { title: "", content: "", format: "markdown" } });

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_DOCUMENT_BYTES) {
      setError("content", { message: `${file.name} is larger than ${kb(MAX_DOCUMENT_BYTES)}.` });
      return;
    }
    setValue("content", await file.text(), { shouldValidate: true });
    setValue("format", /\.txt$/i.test(file.name) ? "text" : "markdown");
    setValue("title", file.name.replace(/\.(md|markdown|txt)$/i, ""), { shouldValidate: true });
  };

  const onSubmit = handleSubmit(async (values) => {
    setNotice(null);
    try {
      const created = await apiFetch("/api/v1/knowledge/documents", createdSchema, { method: "POST", body: JSON.stringify(values) });
      reset();
      setNotice(created.status === "indexed" ? `${values.title} is uploaded and indexed.` : `${values.title} is stored but not indexed: ${created.indexError ?? "unknown error"}`);
      router.refresh();
    } catch (e) {
      if (e instanceof ApiError && e.status === 422) {
        let placed = false;
        for (const issue of e.issues) {
          if (issue.path === "title" || issue.path === "content" || issue.path === "format") {
            setError(issue.path, { message: issue.message }, { shouldFocus: !placed });
            placed = true;
          }
        }
        if (placed) return;
      }
      setError("root", { message: errorText(e, "Couldn't upload the document.") });
    }
  });

  return (
    <CardBody className="border-t border-zinc-200">
      <form onSubmit={onSubmit} noValidate aria-label="Upload a document" className="space-y-4">
        <h3 className="text-sm font-semibold text-zinc-900">Upload a document</h3>
        <Field id="document-file" label="File (optional)" hint="A .md or .txt file fills in the fields below; or paste the text.">
          <Input id="document-file" type="file" accept=".md,.markdown,.txt,text/markdown,text/plain" aria-describedby="document-file-hint" onChange={(e) => void onFile(e.target.files?.[0])} />
        </Field>
        <Field id="document-title" label="Title" error={errors.title?.message}>
          <Input autoComplete="off" {...fieldAria("document-title", errors.title?.message)} {...register("title")} />
        </Field>
        <Field id="document-format" label="Format">
          <Select id="document-format" {...register("format")}>
            <option value="markdown">Markdown</option>
            <option value="text">Plain text</option>
          </Select>
        </Field>
        <Field id="document-content" label="Content" error={errors.content?.message} hint={`Up to ${kb(MAX_DOCUMENT_BYTES)}.`}>
          <Textarea rows={8} className="font-mono" {...fieldAria("document-content", errors.content?.message, true)} {...register("content")} />
        </Field>
        {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
        {notice ? (
          <p role="status" className="text-sm text-emerald-800" data-testid="document-notice">
            {notice}
          </p>
        ) : null}
        <Button type="submit" disabled={isSubmitting}>
          {isSubmitting ? <Spinner /> : null}
          Upload
        </Button>
      </form>
    </CardBody>
  );
}
