"use client";

import { useEffect, useRef } from "react";
import { LessonsApplied } from "@/components/knowledge/lessons-applied";
import { cn } from "@/components/ui/cn";
import { agentRoles } from "@/lib/agents/roles/catalog";
import type { TaskEvent } from "./api";
import { formatCount, formatTime, roleLabel } from "./format";
import { OfflineModelBadge } from "./offline-model-badge";
import { TaskStatusBadge } from "./task-status-badge";

// Literal class names (Tailwind only generates classes it finds in the source). Roles take colours in
// catalog order, so a new role gets one without touching this file.
const rolePalette = [
  "bg-sky-100 text-sky-800",
  "bg-cyan-100 text-cyan-800",
  "bg-violet-100 text-violet-800",
  "bg-emerald-100 text-emerald-800",
  "bg-teal-100 text-teal-800",
  "bg-lime-100 text-lime-800",
  "bg-amber-100 text-amber-800",
  "bg-orange-100 text-orange-800",
  "bg-rose-100 text-rose-800",
  "bg-fuchsia-100 text-fuchsia-800",
];
const otherActorColors: Record<string, string> = { system: "bg-zinc-200 text-zinc-700", user: "bg-indigo-100 text-indigo-800" };

function actorColor(actor: string): string {
  const index = (agentRoles as readonly string[]).indexOf(actor);
  return index >= 0 ? (rolePalette[index % rolePalette.length] ?? "") : (otherActorColors[actor] ?? "bg-zinc-200 text-zinc-700");
}

function initials(actor: string): string {
  const label = roleLabel(actor);
  const words = label.split(/\s+/);
  return (words.length > 1 ? `${words[0]?.[0] ?? ""}${words[1]?.[0] ?? ""}` : label.slice(0, 2)).toUpperCase();
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function Avatar({ actor }: { actor: string }) {
  return (
    <span
      aria-hidden="true"
      className={cn(
        "flex size-7 shrink-0 items-center justify-center rounded-full text-[0.65rem] font-semibold",
        actorColor(actor),
      )}
    >
      {initials(actor)}
    </span>
  );
}

function EventMeta({ event }: { event: TaskEvent }) {
  const data = event.data ?? {};
  const to = str(data.to);
  const tokens = (num(data.inputTokens) ?? 0) + (num(data.outputTokens) ?? 0);
  return (
    <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
      <span className="text-sm font-medium text-zinc-900" data-testid="timeline-actor">
        {roleLabel(event.actor)}
        {to ? (
          <span className="font-normal text-zinc-500">
            {" "}
            <span aria-label="to">→</span> {roleLabel(to)}
          </span>
        ) : null}
      </span>
      <time dateTime={event.createdAt} className="text-xs text-zinc-500">
        {formatTime(event.createdAt)}
      </time>
      {str(data.subtask) ? (
        <span className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[0.65rem] text-zinc-600" title="Subtask">
          {str(data.subtask)}
        </span>
      ) : null}
      {data.offline === true ? <OfflineModelBadge model={str(data.model)} /> : null}
      {tokens > 0 ? <span className="text-xs text-zinc-500">{formatCount(tokens)} tokens</span> : null}
    </div>
  );
}

function ToolCallDetails({ event }: { event: TaskEvent }) {
  const data = event.data ?? {};
  const preview = str(data.preview);
  if (!preview) return null;
  return (
    <details className="mt-1 text-xs">
      <summary className="cursor-pointer select-none text-zinc-500 hover:text-zinc-700">Output</summary>
      <pre className="mt-1 max-h-60 overflow-auto rounded-md bg-zinc-900 p-2 font-mono text-[0.7rem] leading-4 text-zinc-100">
        {preview}
      </pre>
    </details>
  );
}

const decisionTones: Record<string, string> = {
  allow: "text-emerald-700",
  require_approval: "text-amber-700",
  deny: "text-red-700",
};

function TimelineItem({ event }: { event: TaskEvent }) {
  const data = event.data ?? {};
  if (event.type === "policy" || event.type === "approval") {
    const decision = str(data.decision);
    const pending = str(data.approvalStatus) === "pending";
    return (
      <li
        className={cn("flex gap-3 py-2", pending && "rounded-md bg-amber-50 px-1")}
        data-testid="timeline-event"
        data-type={event.type}
      >
        <span
          aria-hidden="true"
          className={cn(
            "flex size-7 shrink-0 items-center justify-center rounded-full text-sm",
            event.type === "policy" ? "bg-zinc-100 text-zinc-600" : "bg-amber-100 text-amber-800",
          )}
        >
          {event.type === "policy" ? "⚖" : "✋"}
        </span>
        <div className="min-w-0 flex-1">
          <EventMeta event={event} />
          <p
            className={cn("mt-0.5 whitespace-pre-wrap break-words text-sm text-zinc-800", decision && decisionTones[decision])}
            data-testid="timeline-message"
          >
            {event.message}
          </p>
        </div>
      </li>
    );
  }
  if (event.type === "status") {
    const status = str(data.status);
    return (
      <li className="flex items-center gap-3 py-1.5 pl-1" data-testid="timeline-event" data-type="status">
        <span aria-hidden="true" className="ml-2.5 size-2 rounded-full bg-zinc-300" />
        <span className="min-w-0 flex-1 text-xs text-zinc-600">
          {status ? <TaskStatusBadge status={status} className="mr-2" /> : null}
          <span className="break-words">{event.message}</span>
        </span>
        <time dateTime={event.createdAt} className="shrink-0 text-xs text-zinc-500">
          {formatTime(event.createdAt)}
        </time>
      </li>
    );
  }
  const isTool = event.type === "tool_call";
  const isError = event.type === "error";
  const ok = data.ok;
  return (
    <li className="flex gap-3 py-2" data-testid="timeline-event" data-type={event.type}>
      <Avatar actor={event.actor} />
      <div className="min-w-0 flex-1">
        <EventMeta event={event} />
        <p
          className={cn(
            "mt-0.5 whitespace-pre-wrap break-words text-sm",
            isTool ? "font-mono text-xs text-zinc-600" : "text-zinc-800",
            isError && "text-red-700",
            event.type === "artifact" && "text-zinc-600",
          )}
          data-testid="timeline-message"
        >
          {isTool ? (
            <span
              aria-label={ok === false ? "failed tool call" : "tool call"}
              className={cn("mr-1.5", ok === false ? "text-red-600" : "text-zinc-500")}
            >
              ⚙
            </span>
          ) : null}
          {event.message}
        </p>
        {isTool ? <ToolCallDetails event={event} /> : null}
        {data.lessonsApplied ? <LessonsApplied data={data} /> : null}
      </div>
    </li>
  );
}

/**
 * The task's event log as a conversation: who said what and when, tool calls with their output,
 * status changes. Sticks to the bottom as events arrive unless the reader has scrolled up.
 */
export function TaskTimeline({ events }: { events: TaskEvent[] }) {
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);

  useEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [events.length]);

  if (events.length === 0) {
    return <p className="px-5 py-8 text-center text-sm text-zinc-500">Waiting for the squad…</p>;
  }
  return (
    <div
      ref={scroller}
      className="max-h-[32rem] overflow-y-auto px-4 py-2 sm:px-5 lg:max-h-[calc(100dvh-14rem)]"
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      <div role="log" aria-label="Squad activity" data-testid="timeline">
        <ol className="divide-y divide-zinc-100">
          {events.map((event) => (
            <TimelineItem key={event.id} event={event} />
          ))}
        </ol>
      </div>
    </div>
  );
}
