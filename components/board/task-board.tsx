"use client";

import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { formatUsdMicros } from "@/components/tasks/money";
import { isTerminalStatus } from "@/components/tasks/status";
import { TaskOutcomeBadge } from "@/components/tasks/task-outcome-badge";
import { TaskStatusBadge } from "@/components/tasks/task-status-badge";
import { useTaskEvents } from "@/components/tasks/use-task-events";
import type { TaskEvent } from "@/components/tasks/api";
import { boardColumns, columnOf, formatAge, type BoardCard } from "./columns";

/**
 * Browsers open at most 6 HTTP/1.1 connections per origin: the newest active tasks stream their
 * events over SSE (`GET /api/v1/tasks/{id}/events`), the rest refresh with the board.
 */
const MAX_LIVE_STREAMS = 4;
/** The board reloads its cards (new tasks, cost so far) this often, in ms, and soon after a status event. */
const REFRESH_MS = 5_000;

/**
 * The organization's tasks as columns by status. Cards move as status events arrive on the task
 * streams; `reload` (a server action, under RLS) brings new tasks and the cost so far.
 */
export function TaskBoard({
  initialCards,
  renderedAt,
  reload,
}: {
  initialCards: BoardCard[];
  /**
   * The server's clock when it rendered the page (ms since epoch). Ages are computed against it
   * until the first tick, so the server's HTML and the hydrating client print the same text (a
   * client-side `Date.now()` here differs by a second now and then: React error #418).
   */
  renderedAt: number;
  reload: () => Promise<BoardCard[]>;
}) {
  const [cards, setCards] = useState(initialCards);
  const [now, setNow] = useState(renderedAt);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const refresh = useCallback(async () => {
    try {
      setCards(await reload());
      setRefreshError(null);
    } catch {
      setRefreshError("Couldn't refresh the board; retrying.");
    }
  }, [reload]);

  useEffect(() => {
    // Ages tick every second after hydration; cards reload less often.
    const tick = setInterval(() => setNow(Date.now()), 1_000);
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      clearInterval(tick);
      clearInterval(timer);
    };
  }, [refresh]);

  const onStatus = useCallback(
    (taskId: string, event: TaskEvent) => {
      const status = event.data?.status;
      if (event.type !== "status" || typeof status !== "string") return;
      const outcome = typeof event.data?.outcome === "string" ? event.data.outcome : null;
      setCards((prev) => prev.map((c) => (c.id === taskId ? { ...c, status, outcome: isTerminalStatus(status) ? outcome ?? c.outcome : null } : c)));
      clearTimeout(pending.current);
      pending.current = setTimeout(() => void refresh(), 500);
    },
    [refresh],
  );
  useEffect(() => () => clearTimeout(pending.current), []);

  const live = cards.filter((c) => !isTerminalStatus(c.status)).slice(0, MAX_LIVE_STREAMS);
  return (
    <div>
      {live.map((c) => (
        <LiveTask key={c.id} taskId={c.id} onStatus={onStatus} />
      ))}
      {refreshError ? (
        <p role="status" className="mb-3 rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-900">
          {refreshError}
        </p>
      ) : null}
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-6" data-testid="board">
        {boardColumns.map((column) => {
          const inColumn = cards.filter((c) => columnOf(c.status) === column.id);
          const headingId = `board-column-${column.id}`;
          return (
            <section key={column.id} aria-labelledby={headingId} className="flex min-w-0 flex-col rounded-lg bg-zinc-100 p-2" data-testid={`board-column-${column.id}`}>
              <h2 id={headingId} className="flex items-center justify-between px-1 pb-2 text-xs font-semibold uppercase tracking-wide text-zinc-700">
                {column.title}
                <span className="rounded-full bg-white px-2 py-0.5 text-[11px] font-medium text-zinc-700">
                  {inColumn.length}
                  <span className="sr-only"> tasks</span>
                </span>
              </h2>
              <ul role="list" className="space-y-2">
                {inColumn.map((card) => (
                  <li key={card.id}>
                    <BoardCardView card={card} now={now} />
                  </li>
                ))}
              </ul>
              {inColumn.length === 0 ? <p className="px-1 py-3 text-xs text-zinc-600">Nothing here</p> : null}
            </section>
          );
        })}
      </div>
    </div>
  );
}

function LiveTask({ taskId, onStatus }: { taskId: string; onStatus: (taskId: string, event: TaskEvent) => void }) {
  useTaskEvents(taskId, { enabled: true, onEvent: (event) => onStatus(taskId, event) });
  return null;
}

function BoardCardView({ card, now }: { card: BoardCard; now: number }) {
  return (
    <Link
      href={`/tasks/${encodeURIComponent(card.id)}`}
      className="block rounded-md bg-white p-3 shadow-sm ring-1 ring-zinc-200 hover:ring-zinc-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
      data-testid="board-card"
      data-task-id={card.id}
      data-status={card.status}
    >
      <p className="line-clamp-2 text-sm font-medium text-zinc-900">{card.title}</p>
      <div className="mt-2 flex flex-wrap items-center gap-1.5">
        {card.outcome ? <TaskOutcomeBadge outcome={card.outcome} testId="board-card-outcome" /> : <TaskStatusBadge status={card.status} testId="board-card-status" />}
      </div>
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5 text-xs text-zinc-600">
        <dt>Repository</dt>
        <dd className="truncate font-medium text-zinc-800">{card.repositoryName ?? "—"}</dd>
        <dt>Squad</dt>
        <dd className="truncate font-medium text-zinc-800">{card.squadName ?? "—"}</dd>
        <dt>Cost</dt>
        <dd className="font-medium text-zinc-800" data-testid="board-card-cost">
          {formatUsdMicros(card.costUsdMicros)}
        </dd>
        <dt>Age</dt>
        <dd className="font-medium text-zinc-800">{formatAge(card.createdAt, now)}</dd>
      </dl>
    </Link>
  );
}
