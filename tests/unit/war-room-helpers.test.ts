import { columnOf, formatAge } from "@/components/board/columns";
import { eventsOfSubtask, formatElapsed, subtaskTimings } from "@/components/plan-graph/subtask-timing";
import type { Subtask, TaskEvent } from "@/components/tasks/api";
import { EXIT, exitCodeForTask } from "@/lib/cli/exit-codes";

const ev = (id: number, at: string, actor: string, data: Record<string, unknown> = {}, type = "message"): TaskEvent => ({
  id: String(id),
  taskId: "t",
  type,
  actor,
  message: "",
  data,
  createdAt: `2026-01-01T00:${at}Z`,
});

test("board columns follow the status; completed goes to Delivered, cancelled with the failures", () => {
  expect(columnOf("queued")).toBe("queued");
  expect(["running", "testing", "reviewing", "blocked"].map(columnOf)).toEqual(["running", "running", "running", "running"]);
  expect(columnOf("awaiting_approval")).toBe("awaiting_approval");
  expect(columnOf("completed")).toBe("delivered");
  expect(columnOf("cancelled")).toBe("failed");
  const now = Date.parse("2026-01-01T02:00:00Z");
  expect(formatAge("2026-01-01T01:59:30Z", now)).toBe("30 s");
  expect(formatAge("2026-01-01T01:00:00Z", now)).toBe("1 h");
});

test("subtask timings come from its status events; a retry restarts the clock; its events are filtered", () => {
  const events = [
    ev(1, "00:00", "developer", { subtaskId: "a", subtask: "s1", subtaskStatus: "running" }, "status"),
    ev(2, "00:05", "developer", { subtask: "s1", costUsdMicros: 3 }),
    ev(3, "00:06", "qa_engineer", {}),
    ev(4, "00:40", "developer", { subtaskId: "a", subtaskStatus: "completed" }, "status"),
    ev(5, "01:00", "developer", { subtaskId: "b", subtaskStatus: "running" }, "status"),
  ];
  const timings = subtaskTimings(events);
  expect(timings.get("a")).toEqual({ start: Date.parse("2026-01-01T00:00:00Z"), end: Date.parse("2026-01-01T00:00:40Z") });
  expect(timings.get("b")?.end).toBeNull();
  const subtask: Subtask = { id: "a", key: "s1", title: "x", role: "developer", status: "completed", dependsOn: [] };
  expect(eventsOfSubtask(events, subtask, timings.get("a")).map((e) => e.id)).toEqual(["1", "2", "4"]);
  expect(formatElapsed(40_000)).toBe("40 s");
  expect(formatElapsed(185_000)).toBe("3 min 05 s");
});

test("CLI exit codes follow the outcome", () => {
  expect(exitCodeForTask({ status: "completed", outcome: "delivered" })).toBe(EXIT.ok);
  expect(exitCodeForTask({ status: "completed", outcome: "no_changes" })).toBe(EXIT.noChanges);
  expect(exitCodeForTask({ status: "failed", outcome: "failed" })).toBe(EXIT.failed);
  expect(exitCodeForTask({ status: "cancelled", outcome: "rejected" })).toBe(EXIT.cancelled);
  expect(exitCodeForTask({ status: "awaiting_approval", outcome: null })).toBe(EXIT.needsApproval);
  expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length);
});
