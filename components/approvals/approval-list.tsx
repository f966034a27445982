"use client";

import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Spinner } from "@/components/ui/spinner";
import { ApiError, apiFetch, approvalListSchema, type Approval } from "@/components/tasks/api";
import { ApprovalCard } from "./approval-card";

/** How often the list of pending approvals refreshes, in ms. */
const POLL_MS = 5_000;
/** Fired on `window` once an approval is decided here, so the page's other lists (e.g. "Recently decided") reload at once. */
const DECIDED_EVENT = "squadron:approval-decided";

type State = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ready"; approvals: Approval[] };

/**
 * The organization's approvals with one of `statuses` (`GET /api/v1/approvals?status=…`), newest
 * first, refreshed every few seconds; pending ones can be decided in place.
 */
export function ApprovalList({ statuses, initial, empty }: { statuses: string[]; initial?: Approval[]; empty: string }) {
  const [state, setState] = useState<State>(initial ? { kind: "ready", approvals: initial } : { kind: "loading" });
  const query = statuses.join(",");

  const load = useCallback(async () => {
    try {
      const approvals = await apiFetch(`/api/v1/approvals?status=${encodeURIComponent(query)}`, approvalListSchema);
      setState({ kind: "ready", approvals });
    } catch (error) {
      const message =
        error instanceof ApiError && error.status === 401
          ? "Your session has expired. Sign in again."
          : error instanceof Error
            ? error.message
            : "Couldn't load approvals.";
      setState((prev) => (prev.kind === "ready" ? prev : { kind: "error", message }));
    }
  }, [query]);

  useEffect(() => {
    if (!initial) void load();
    const timer = setInterval(() => void load(), POLL_MS);
    const onDecided = () => void load();
    window.addEventListener(DECIDED_EVENT, onDecided);
    return () => {
      clearInterval(timer);
      window.removeEventListener(DECIDED_EVENT, onDecided);
    };
  }, [load, initial]);

  if (state.kind === "loading") {
    return (
      <p className="flex items-center gap-2 px-5 py-6 text-sm text-zinc-500">
        <Spinner /> Loading approvals…
      </p>
    );
  }
  if (state.kind === "error") return <Alert className="m-4">{state.message}</Alert>;
  if (state.approvals.length === 0) return <p className="px-5 py-6 text-sm text-zinc-500">{empty}</p>;
  return (
    <ul className="space-y-3 p-4 sm:p-5" data-testid="approval-list">
      {state.approvals.map((a) => (
        <li key={a.id}>
          <ApprovalCard approval={a} showTask onDecided={() => window.dispatchEvent(new Event(DECIDED_EVENT))} />
        </li>
      ))}
    </ul>
  );
}
