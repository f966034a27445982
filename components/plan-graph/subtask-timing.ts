import type { Subtask, TaskEvent } from "@/components/tasks/api";

/** When a subtask started and ended (ms since epoch), from its status events; `end` null while it runs. */
export type SubtaskTiming = { start: number; end: number | null };

/**
 * Per-subtask start and end from the task's status events (`data.subtaskId` with `subtaskStatus`
 * `running`, then `completed` / `failed` / `blocked`). A retry starts the clock again.
 */
export function subtaskTimings(events: readonly TaskEvent[]): Map<string, SubtaskTiming> {
  const timings = new Map<string, SubtaskTiming>();
  for (const e of events) {
    const id = e.data?.subtaskId;
    const status = e.data?.subtaskStatus;
    if (typeof id !== "string" || typeof status !== "string") continue;
    const at = new Date(e.createdAt).getTime();
    if (status === "running") timings.set(id, { start: at, end: null });
    else {
      const t = timings.get(id);
      if (t) timings.set(id, { ...t, end: at });
    }
  }
  return timings;
}

/** `45 s`, `3 min 05 s`, `1 h 02 min` for a duration in ms. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/**
 * The events of one subtask: its own status events, and the events its role's agent wrote while it
 * ran (agent messages and tool calls do not carry the subtask id).
 */
export function eventsOfSubtask(events: readonly TaskEvent[], subtask: Subtask, timing: SubtaskTiming | undefined): TaskEvent[] {
  return events.filter((e) => {
    if (e.data?.subtaskId === subtask.id) return true;
    // model calls name their subtask by key
    if (subtask.key && e.data?.subtask === subtask.key) return true;
    if (!timing || e.actor !== subtask.role) return false;
    const at = new Date(e.createdAt).getTime();
    return at >= timing.start && (timing.end === null || at <= timing.end);
  });
}
