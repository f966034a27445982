"use client";

import Link from "next/link";
import { z } from "zod";
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Spinner } from "@/components/ui/spinner";
import { ApprovalCard } from "@/components/approvals/approval-card";
import { CancelTaskButton } from "./cancel-task-button";
import { ApiError, apiFetch, taskDetailSchema, type Artifact, type TaskDetail, type TaskEvent } from "./api";
import { Elapsed, LocalTime } from "@/components/local-time";
import { sourceLabel } from "./format";
import { OfflineModelBadge } from "./offline-model-badge";
import { PatchView } from "./patch-view";
import { ReviewView } from "./review-view";
import { isTerminalStatus } from "./status";
import { TaskPlan } from "./task-plan";
import { PlanGraph } from "@/components/plan-graph/plan-graph";
import { CumulativeCostChart } from "@/components/charts/cumulative-cost-chart";
import { eventsOfSubtask, subtaskTimings } from "@/components/plan-graph/subtask-timing";
import { SourceRef, TaskDescription } from "./task-description";
import { TaskOutcomeBadge } from "./task-outcome-badge";
import { TaskStatusBadge } from "./task-status-badge";
import { TaskTimeline } from "./task-timeline";
import { TestReportView } from "./test-report-view";
import { UsageSummary } from "./usage-summary";
import { useTaskEvents, type StreamState } from "./use-task-events";

const taskRetrySchema = z.object({ id: z.string(), retried: z.array(z.string()) });

/** Coalesces bursts of events into one refetch of the task (ms). */
const REFETCH_DEBOUNCE_MS = 150;
/** Polling interval while the live stream is down and the task is still moving (ms). */
const FALLBACK_POLL_MS = 5_000;

type DetailState =
  | { kind: "loading" }
  | { kind: "not_found" }
  | { kind: "unauthorized" }
  | { kind: "error"; message: string }
  | { kind: "ready"; task: TaskDetail; refreshError?: string };

function latestArtifacts(artifacts: Artifact[]): Partial<Record<string, Artifact>> {
  const byKind: Partial<Record<string, Artifact>> = {};
  const ordered = [...artifacts].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const a of ordered) byKind[a.kind] = a;
  return byKind;
}

/**
 * The live task page: starts from `initialTask` (server-rendered; null = not found) or loads
 * `GET /api/v1/tasks/{id}`, follows `…/events` over SSE, and refetches
 * the task whenever the squad changes status, writes an artifact or reports an error.
 */
export function TaskView({
  taskId,
  initialTask,
  canCancel = true,
}: {
  taskId: string;
  initialTask?: TaskDetail | null;
  /** The caller's role may cancel tasks (viewers may not; the API checks again). */
  canCancel?: boolean;
}) {
  const [detail, setDetail] = useState<DetailState>(
    initialTask === undefined ? { kind: "loading" } : initialTask === null ? { kind: "not_found" } : { kind: "ready", task: initialTask },
  );
  const [loaded, setLoaded] = useState(Boolean(initialTask));
  const hasInitial = initialTask !== undefined;
  const fetchSeq = useRef(0);
  const appliedSeq = useRef(0);
  const debounce = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    const seq = ++fetchSeq.current;
    try {
      const task = await apiFetch(`/api/v1/tasks/${encodeURIComponent(taskId)}`, taskDetailSchema);
      // Responses can overtake each other; never let an older snapshot replace a newer one.
      if (seq < appliedSeq.current) return;
      appliedSeq.current = seq;
      setDetail({ kind: "ready", task });
      setLoaded(true);
    } catch (error) {
      if (seq < appliedSeq.current) return;
      if (error instanceof ApiError && (error.status === 404 || error.code === "not_found")) {
        setDetail({ kind: "not_found" });
      } else if (error instanceof ApiError && error.status === 401) {
        setDetail({ kind: "unauthorized" });
      } else {
        const message = error instanceof Error ? error.message : "Couldn't load the task.";
        setDetail((prev) => (prev.kind === "ready" ? { ...prev, refreshError: message } : { kind: "error", message }));
      }
    }
  }, [taskId]);

  const scheduleLoad = useCallback(() => {
    clearTimeout(debounce.current);
    debounce.current = setTimeout(() => void load(), REFETCH_DEBOUNCE_MS);
  }, [load]);

  useEffect(() => {
    if (!hasInitial) void load();
    return () => clearTimeout(debounce.current);
  }, [load, hasInitial]);

  // The task row is the source of truth for status and artifacts; events say when to re-read it.
  // (Patching the status from events directly would replay old statuses when the stream starts.)
  const onEvent = useCallback(
    (event: TaskEvent) => {
      if (["status", "artifact", "error", "approval", "policy"].includes(event.type)) scheduleLoad();
    },
    [scheduleLoad],
  );

  const { events, state: stream, reconnect } = useTaskEvents(taskId, { enabled: loaded, onEvent });
  // A plan-graph node clicked: the timeline shows that subtask's events only.
  const [selectedSubtaskId, setSelectedSubtaskId] = useState<string | null>(null);

  const status = detail.kind === "ready" ? detail.task.status : undefined;
  const moving = status !== undefined && !isTerminalStatus(status);
  // Paused for a person's decision: the sections still to come wait too, no spinner says otherwise.
  const onHold = status === "awaiting_approval";
  useEffect(() => {
    if (!moving || stream === "open" || stream === "connecting") return;
    const timer = setInterval(() => void load(), FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [moving, stream, load]);
  useEffect(() => {
    // The stream hangs up after the final status: make sure the page shows the final state.
    if (stream === "done") void load();
  }, [stream, load]);

  if (detail.kind === "loading") {
    return (
      <div className="flex items-center gap-2 py-16 text-sm text-zinc-500">
        <Spinner /> Loading task…
      </div>
    );
  }
  if (detail.kind === "not_found") {
    return (
      <div className="py-16 text-center" data-testid="task-not-found">
        <h1 className="text-xl font-semibold tracking-tight">Task not found</h1>
        <p className="mt-2 text-sm text-zinc-600">It does not exist, or it belongs to another organization.</p>
        <Link href="/tasks" className="mt-4 inline-block text-sm font-medium text-indigo-600 hover:text-indigo-500">
          ← Back to tasks
        </Link>
      </div>
    );
  }
  if (detail.kind === "unauthorized") {
    return (
      <Alert title="Your session has expired" className="mt-8">
        <Link href={`/sign-in?next=/tasks/${encodeURIComponent(taskId)}`} className="font-medium underline">
          Sign in again
        </Link>{" "}
        to see this task.
      </Alert>
    );
  }
  if (detail.kind === "error") {
    return (
      <div className="space-y-3 py-8">
        <Alert title="Couldn't load the task">{detail.message}</Alert>
        <Button variant="secondary" size="sm" onClick={() => void load()}>
          Try again
        </Button>
      </div>
    );
  }

  const { task } = detail;
  const selectedSubtask = task.subtasks.find((s) => s.id === selectedSubtaskId) ?? null;
  const artifacts = latestArtifacts(task.artifacts);
  const pendingApprovals = task.approvals.filter((a) => a.status === "pending");
  const decidedApprovals = task.approvals.filter((a) => a.status !== "pending");
  const offlineModel =
    task.models.find((m) => m.offline) ??
    (events.some((e) => e.data?.offline === true) ? { model: undefined } : undefined);
  const offlineLabel = (artifact?: Artifact) =>
    offlineModel || artifact?.data?.offline === true ? <OfflineModelBadge model={offlineModel?.model} /> : null;

  return (
    <div className="space-y-6">
      <TaskHeader
        task={task}
        actions={
          canCancel && !isTerminalStatus(task.status) ? (
            <CancelTaskButton
              taskId={task.id}
              onCancelled={() => void load()}
            />
          ) : null
        }
      />
      {detail.refreshError ? (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-800">
          Couldn&apos;t refresh: {detail.refreshError}
        </p>
      ) : null}
      {(task.status === "failed" || task.status === "cancelled") && task.error ? (
        <Alert title={task.status === "failed" ? "The squad stopped" : "The task was cancelled"} data-testid="task-error">
          <span className="whitespace-pre-wrap break-words">{task.error}</span>
          <RetryButton
            taskId={task.id}
            onRetried={() => {
              reconnect();
              void load();
            }}
          />
        </Alert>
      ) : null}
      {pendingApprovals.length > 0 ? (
        <Card aria-labelledby="approval-heading" data-testid="pending-approvals" className="ring-amber-300">
          <CardHeader
            headingId="approval-heading"
            title="Waiting for your approval"
            description="The squad stopped here until a person decides."
          />
          <CardBody className="space-y-3">
            {pendingApprovals.map((a) => (
              <ApprovalCard key={a.id} approval={a} onDecided={() => void load()} />
            ))}
          </CardBody>
        </Card>
      ) : task.status === "awaiting_approval" ? (
        <Alert tone="info" title="Waiting for approval">
          The squad asked a person to approve before it continues.
        </Alert>
      ) : null}

      <div className="grid grid-cols-1 items-start gap-6 lg:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="order-2 min-w-0 space-y-6 lg:order-1">
          <Card aria-labelledby="plan-heading" data-testid="plan-section">
            <CardHeader
              headingId="plan-heading"
              title="Plan"
              description={task.subtasks.length > 0 ? `${task.subtasks.length} subtasks` : undefined}
              actions={artifacts.plan ? offlineLabel(artifacts.plan) : null}
            />
            <CardBody>
              {task.subtasks.length > 0 ? (
                <div className="mb-4">
                  <PlanGraph subtasks={task.subtasks} events={events} selectedId={selectedSubtaskId} onSelect={setSelectedSubtaskId} />
                </div>
              ) : null}
              {task.subtasks.length > 0 || artifacts.plan ? (
                <TaskPlan subtasks={task.subtasks} plan={artifacts.plan} />
              ) : (
                <Pending active={moving} held={onHold ? "No plan yet: the squad waits for a person's decision." : null} text="The product manager is writing the plan…" idle="No plan was made." />
              )}
            </CardBody>
          </Card>

          <Card aria-labelledby="patch-heading" data-testid="patch-section">
            <CardHeader
              headingId="patch-heading"
              title="Patch"
              description={task.branch ? <span className="font-mono">{task.branch}</span> : undefined}
              actions={artifacts.patch ? offlineLabel(artifacts.patch) : null}
            />
            <CardBody>
              {artifacts.patch ? (
                <PatchView patch={artifacts.patch.content} fileName={`squadron-${task.id.slice(0, 8)}.patch`} />
              ) : (
                <Pending active={moving} held={onHold ? "No code yet: the squad waits for a person's decision." : null} text="The developer is writing code…" idle="No patch was produced." />
              )}
            </CardBody>
          </Card>

          <Card aria-labelledby="tests-heading" data-testid="test-report-section">
            <CardHeader headingId="tests-heading" title="Test report" />
            <CardBody>
              {artifacts.test_report ? (
                <TestReportView report={artifacts.test_report} />
              ) : (
                <Pending active={moving} held={onHold ? "Tests run after the code is written." : null} text="Tests run after the code is written…" idle="No tests were run." />
              )}
            </CardBody>
          </Card>

          <Card aria-labelledby="review-heading" data-testid="review-section">
            <CardHeader
              headingId="review-heading"
              title="Review"
              actions={artifacts.review ? offlineLabel(artifacts.review) : null}
            />
            <CardBody>
              {artifacts.review ? (
                <ReviewView review={artifacts.review} />
              ) : (
                <Pending active={moving} held={onHold ? "The tech lead reviews once tests pass." : null} text="The tech lead reviews once tests pass…" idle="No review was written." />
              )}
            </CardBody>
          </Card>
        </div>

        <div className="order-1 min-w-0 space-y-6 lg:sticky lg:top-20 lg:order-2">
          <Card aria-labelledby="activity-heading">
            <CardHeader
              headingId="activity-heading"
              title="Activity"
              description={`${events.length} event${events.length === 1 ? "" : "s"}`}
              actions={<StreamIndicator state={stream} onReconnect={reconnect} />}
            />
            {selectedSubtask ? (
              <p className="flex items-center justify-between gap-2 border-b border-zinc-200 bg-zinc-50 px-4 py-2 text-xs text-zinc-700" data-testid="timeline-filter">
                <span>Showing “{selectedSubtask.title}” only</span>
                <button type="button" className="font-medium underline" onClick={() => setSelectedSubtaskId(null)}>
                  Show all
                </button>
              </p>
            ) : null}
            <TaskTimeline events={selectedSubtask ? eventsOfSubtask(events, selectedSubtask, subtaskTimings(events).get(selectedSubtask.id)) : events} />
          </Card>
          {decidedApprovals.length > 0 ? (
            <Card aria-labelledby="approvals-heading" data-testid="approval-history">
              <CardHeader headingId="approvals-heading" title="Approvals" />
              <CardBody className="space-y-3">
                {decidedApprovals.map((a) => (
                  <ApprovalCard key={a.id} approval={a} onDecided={() => void load()} />
                ))}
              </CardBody>
            </Card>
          ) : null}
          <Card aria-labelledby="cost-heading">
            <CardHeader headingId="cost-heading" title="Cost" />
            <CardBody>
              <UsageSummary usage={task.usage} models={task.models} budget={task.budget} />
              <CumulativeCostChart events={events} />
            </CardBody>
          </Card>
        </div>
      </div>
    </div>
  );
}

function TaskHeader({ task, actions }: { task: TaskDetail; actions?: ReactNode }) {
  return (
    <div className="space-y-3">
      <Link href="/tasks" className="text-sm font-medium text-zinc-500 hover:text-zinc-800">
        ← Tasks
      </Link>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <h1 className="min-w-0 break-words text-2xl font-semibold tracking-tight" data-testid="task-title">
          {task.title}
        </h1>
        <div className="flex items-center gap-3" aria-live="polite">
          <span className="sr-only">Status:</span>
          <TaskStatusBadge status={task.status} testId="task-status" className="px-2.5 py-1 text-sm" />
          <TaskOutcomeBadge outcome={task.outcome} testId="task-outcome" className="px-2.5 py-1 text-sm" />
        </div>
      </div>
      {actions ? <div className="flex justify-end">{actions}</div> : null}
      <dl className="flex flex-wrap gap-x-5 gap-y-1 text-xs text-zinc-500">
        <div className="flex gap-1">
          <dt>Source</dt>
          <dd className="font-medium text-zinc-700">
            {sourceLabel(task.source)}
            {task.externalRef ? " · " : ""}
            {task.externalRef ? <SourceRef externalRef={task.externalRef} /> : null}
          </dd>
        </div>
        <div className="flex gap-1">
          <dt>Created</dt>
          <dd className="font-medium text-zinc-700">
            <LocalTime iso={task.createdAt} />
          </dd>
        </div>
        {task.deliveries.map((d) => (
          <div key={d.channel} className="flex gap-1" data-testid={`delivery-${d.channel}`}>
            <dt>{d.channel === "github" ? "Pull request" : d.channel === "jira" ? "Jira issue" : d.channel}</dt>
            <dd className="font-medium text-zinc-700">
              {d.url ? (
                <a href={d.url} target="_blank" rel="noreferrer" className="underline hover:text-zinc-900">
                  {d.channel === "github" && d.externalId ? `#${d.externalId}` : (d.externalId ?? d.url)}
                </a>
              ) : null}
              {d.status === "failed" ? <span className="text-red-700"> · delivery failed{d.error ? `: ${d.error}` : ""}</span> : null}
            </dd>
          </div>
        ))}
        {task.startedAt ? (
          <div className="flex gap-1">
            <dt>{task.completedAt ? "Took" : "Running for"}</dt>
            <dd className="font-medium text-zinc-700">
              <Elapsed from={task.startedAt} to={task.completedAt} />
            </dd>
          </div>
        ) : null}
      </dl>
      {task.description?.trim() ? <TaskDescription source={task.description} /> : null}
    </div>
  );
}

/**
 * Runs the failed, blocked and unfinished subtasks of a failed or cancelled task again
 * (`POST /api/v1/tasks/{id}/retry`); completed subtasks are kept.
 */
function RetryButton({ taskId, onRetried }: { taskId: string; onRetried: () => void }) {
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  return (
    <div className="mt-2 flex flex-wrap items-center gap-3">
      <Button
        size="sm"
        variant="secondary"
        disabled={state.busy}
        data-testid="task-retry"
        onClick={async () => {
          setState({ busy: true });
          try {
            await apiFetch(`/api/v1/tasks/${encodeURIComponent(taskId)}/retry`, taskRetrySchema, { method: "POST" });
            setState({ busy: false });
            onRetried();
          } catch (error) {
            setState({ busy: false, error: error instanceof Error ? error.message : "Couldn't retry the task." });
          }
        }}
      >
        {state.busy ? <Spinner /> : null}
        Retry failed and blocked subtasks
      </Button>
      {state.error ? <span className="text-xs">{state.error}</span> : null}
    </div>
  );
}

function StreamIndicator({ state, onReconnect }: { state: StreamState; onReconnect: () => void }) {
  if (state === "done") return null;
  if (state === "closed") {
    return (
      <span className="inline-flex items-center gap-2 text-xs text-zinc-500" data-testid="stream-state" data-state={state}>
        Live updates stopped
        <Button size="sm" variant="ghost" onClick={onReconnect} className="h-6 px-2 text-xs">
          Reconnect
        </Button>
      </span>
    );
  }
  const label = state === "open" ? "Live" : state === "connecting" ? "Connecting…" : "Reconnecting…";
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-zinc-500" data-testid="stream-state" data-state={state}>
      <span
        aria-hidden="true"
        className={cn("size-2 rounded-full", state === "open" ? "animate-pulse bg-emerald-500" : "bg-amber-400")}
      />
      {label}
    </span>
  );
}

/** `held`: what to say instead of the spinner and `text` while the run is paused (e.g. for an approval). */
function Pending({ active, held = null, text, idle }: { active: boolean; held?: string | null; text: string; idle: string }) {
  if (active && held) return <p className="text-sm text-zinc-500" data-testid="section-on-hold">{held}</p>;
  return active ? (
    <p className="flex items-center gap-2 text-sm text-zinc-500">
      <Spinner className="size-3.5" /> {text}
    </p>
  ) : (
    <p className="text-sm text-zinc-500">{idle}</p>
  );
}
