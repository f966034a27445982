"use client";

import { useId, useState } from "react";
import { z } from "zod";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";
import { ApiError, apiFetch } from "./api";

const cancelledTaskSchema = z.object({ id: z.string(), status: z.string() });

const REASON_MAX = 1000;

/**
 * "Cancel task" with an optional reason and a confirm step (`POST /api/v1/tasks/{id}/cancel`).
 * The run stops between steps; the page then shows `cancelled` and "Cancelled by <name>: <reason>".
 * A 403 (viewers) or 409 (already completed or failed) is shown as the server's message.
 */
export function CancelTaskButton({ taskId, onCancelled }: { taskId: string; onCancelled: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reasonId = useId();

  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      const trimmed = reason.trim();
      await apiFetch(`/api/v1/tasks/${encodeURIComponent(taskId)}/cancel`, cancelledTaskSchema, {
        method: "POST",
        body: JSON.stringify(trimmed ? { reason: trimmed } : {}),
      });
      setOpen(false);
      setReason("");
      onCancelled();
    } catch (e) {
      if (e instanceof ApiError && e.status === 403) {
        setError(`You can't cancel this task: ${e.message}`);
      } else if (e instanceof ApiError && e.status === 409) {
        // Already completed or failed: say so here; the live stream brings the final status.
        setError(e.message);
      } else {
        setError(e instanceof Error ? e.message : "Couldn't cancel the task.");
      }
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <div className="flex flex-col items-end gap-2">
        <Button variant="secondary" size="sm" onClick={() => setOpen(true)} data-testid="task-cancel">
          Cancel task
        </Button>
        {error ? (
          <Alert className="max-w-sm" data-testid="task-cancel-error">
            {error}
          </Alert>
        ) : null}
      </div>
    );
  }

  return (
    <form
      aria-label="Cancel task"
      className="w-full max-w-md space-y-2 rounded-md bg-zinc-50 p-3 ring-1 ring-inset ring-zinc-200 sm:w-96"
      onSubmit={(e) => {
        e.preventDefault();
        void cancel();
      }}
    >
      <p className="text-sm font-medium text-zinc-900">Cancel this task?</p>
      <p className="text-xs text-zinc-600">The squad stops after its current step and pending approvals expire. Work done so far is kept.</p>
      <label htmlFor={reasonId} className="block text-xs font-medium text-zinc-700">
        Reason (optional)
      </label>
      <Textarea
        id={reasonId}
        className="min-h-16"
        maxLength={REASON_MAX}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        disabled={busy}
      />
      {error ? <Alert data-testid="task-cancel-error">{error}</Alert> : null}
      <div className="flex flex-wrap justify-end gap-2">
        <Button variant="ghost" size="sm" disabled={busy} onClick={() => setOpen(false)}>
          Keep running
        </Button>
        <Button type="submit" size="sm" className="bg-red-600 hover:bg-red-500" disabled={busy} data-testid="task-cancel-confirm">
          {busy ? <Spinner /> : null}
          Cancel the task
        </Button>
      </div>
    </form>
  );
}
