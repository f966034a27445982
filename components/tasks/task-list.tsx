"use client";

import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { ApiError, apiFetch, taskListSchema, type TaskSummary } from "./api";
import { Elapsed, LocalTime } from "@/components/local-time";
import { formatUsdMicros, sourceLabel } from "./format";
import { isTerminalStatus } from "./status";
import { TaskOutcomeBadge } from "./task-outcome-badge";
import { TaskStatusBadge } from "./task-status-badge";

/** How often the list refreshes while some task is still moving, in ms. */
const ACTIVE_POLL_MS = 4_000;

type State =
  | { kind: "loading" }
  | { kind: "error"; message: string }
  | { kind: "ready"; tasks: TaskSummary[]; refreshError?: string };

/**
 * The organization's tasks, newest first, each with its repository, model cost so far and duration.
 * Starts from `initialTasks` (rendered on the server) when given, otherwise loads `GET /api/v1/tasks`;
 * refreshes from the API while any task is still active, and the costs with `loadCosts` (a server
 * action: task id → USD micros).
 */
export function TaskList({
  initialTasks,
  repositoryNames = {},
  initialCosts = {},
  loadCosts,
}: {
  initialTasks?: TaskSummary[];
  /** Repository id → name. */
  repositoryNames?: Record<string, string>;
  /** Task id → model spend so far in USD micros (absent: nothing spent). */
  initialCosts?: Record<string, number>;
  loadCosts?: (taskIds: string[]) => Promise<Record<string, number>>;
}) {
  const [state, setState] = useState<State>(initialTasks ? { kind: "ready", tasks: initialTasks } : { kind: "loading" });
  const [costs, setCosts] = useState(initialCosts);
  const hasInitial = initialTasks !== undefined;

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      const page = await apiFetch("/api/v1/tasks?limit=100", taskListSchema, { signal });
      setState({ kind: "ready", tasks: page.items });
      if (loadCosts) setCosts(await loadCosts(page.items.map((t) => t.id)));
    } catch (error) {
      if (signal?.aborted) return;
      const message =
        error instanceof ApiError && error.status === 401
          ? "Your session has expired. Sign in again."
          : error instanceof Error
            ? error.message
            : "Couldn't load tasks.";
      // Keep showing the last good list if a background refresh fails.
      setState((prev) => (prev.kind === "ready" ? { ...prev, refreshError: message } : { kind: "error", message }));
    }
  }, [loadCosts]);

  useEffect(() => {
    if (hasInitial) return;
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load, hasInitial]);

  const hasActive = state.kind === "ready" && state.tasks.some((t) => !isTerminalStatus(t.status));
  useEffect(() => {
    if (!hasActive) return;
    const controller = new AbortController();
    const timer = setInterval(() => void load(controller.signal), ACTIVE_POLL_MS);
    return () => {
      clearInterval(timer);
      controller.abort();
    };
  }, [hasActive, load]);

  if (state.kind === "loading") {
    return (
      <div className="flex items-center gap-2 px-5 py-10 text-sm text-zinc-500">
        <Spinner /> Loading tasks…
      </div>
    );
  }
  if (state.kind === "error") {
    return (
      <div className="space-y-3 p-5">
        <Alert title="Couldn't load tasks">{state.message}</Alert>
        <Button variant="secondary" size="sm" onClick={() => void load()}>
          Try again
        </Button>
      </div>
    );
  }
  if (state.tasks.length === 0) {
    return (
      <div className="px-5 py-12 text-center" data-testid="task-list-empty">
        <p className="text-sm font-medium text-zinc-900">No tasks yet</p>
        <p className="mt-1 text-sm text-zinc-500">Create one and your squad will plan, code, test and review it.</p>
      </div>
    );
  }
  return (
    <>
      {state.refreshError ? (
        <p role="status" className="border-b border-zinc-200 bg-amber-50 px-5 py-2 text-xs text-amber-800">
          Couldn&apos;t refresh: {state.refreshError}
        </p>
      ) : null}
      <ul role="list" aria-label="Tasks" className="divide-y divide-zinc-200" data-testid="task-list">
        {state.tasks.map((task) => (
          <li key={task.id} data-testid="task-row" data-task-id={task.id}>
            <Link
              href={`/tasks/${encodeURIComponent(task.id)}`}
              className="flex flex-col gap-2 px-4 py-3 hover:bg-zinc-50 sm:flex-row sm:items-center sm:gap-4 sm:px-5"
            >
              <div className="min-w-0 flex-1">
                <p className="truncate text-sm font-medium text-zinc-900" data-testid="task-row-title">
                  {task.title}
                </p>
                {task.error ? <p className="mt-0.5 truncate text-xs text-red-600">{task.error}</p> : null}
              </div>
              <div className="flex shrink-0 items-center gap-3 text-xs text-zinc-500">
                {task.outcome ? <TaskOutcomeBadge outcome={task.outcome} testId="task-row-outcome" /> : <TaskStatusBadge status={task.status} />}
                <span>{sourceLabel(task.source)}</span>
                <span data-testid="task-row-repository">
                  <span className="sr-only">Repository: </span>
                  {(task.repositoryId && repositoryNames[task.repositoryId]) ?? "No repository"}
                </span>
                <span data-testid="task-row-cost">
                  <span className="sr-only">Cost: </span>
                  {formatUsdMicros(costs[task.id] ?? 0)}
                </span>
                <span data-testid="task-row-duration" title="Duration">
                  <span className="sr-only">Duration: </span>
                  {task.startedAt ? <Elapsed from={task.startedAt} to={task.completedAt} /> : task.status === "queued" ? "Not started" : "—"}
                </span>
                <LocalTime iso={task.createdAt} />
              </div>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
