import { Badge } from "@/components/ui/badge";
import { Markdown } from "@/components/markdown";
import type { Artifact, Subtask } from "./api";
import { roleLabel } from "./format";
import { TaskStatusBadge } from "./task-status-badge";

/**
 * The plan: subtasks in order with their role, status and the steps they wait for, and the product
 * manager's plan notes (markdown) when there are any.
 */
export function TaskPlan({ subtasks, plan }: { subtasks: Subtask[]; plan?: Artifact }) {
  const numberOf = new Map(subtasks.map((s, i) => [s.id, i + 1]));
  return (
    <div className="space-y-4">
      {subtasks.length > 0 ? (
        <ol className="space-y-3" data-testid="subtasks">
          {subtasks.map((subtask, i) => {
            const deps = subtask.dependsOn
              .map((id) => numberOf.get(id))
              .filter((n): n is number => n !== undefined);
            return (
              <li
                key={subtask.id}
                className="flex gap-3 rounded-md border border-zinc-200 p-3"
                data-testid="subtask"
                data-role={subtask.role ?? undefined}
              >
                <span
                  aria-hidden="true"
                  className="flex size-6 shrink-0 items-center justify-center rounded-full bg-zinc-100 text-xs font-semibold text-zinc-600"
                >
                  {i + 1}
                </span>
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <p className="text-sm font-medium text-zinc-900">
                      <span className="sr-only">Step {i + 1}: </span>
                      {subtask.title}
                    </p>
                    <Badge tone="indigo">{roleLabel(subtask.role)}</Badge>
                    <TaskStatusBadge status={subtask.status} />
                  </div>
                  {subtask.description ? (
                    <p className="mt-1 whitespace-pre-wrap break-words text-sm text-zinc-600">{subtask.description}</p>
                  ) : null}
                  {subtask.error && (subtask.status === "failed" || subtask.status === "blocked") ? (
                    <p className="mt-1.5 whitespace-pre-wrap break-words text-xs text-red-700" data-testid="subtask-error">
                      {subtask.error}
                    </p>
                  ) : null}
                  {deps.length > 0 ? (
                    <p className="mt-1.5 text-xs text-zinc-500" data-testid="subtask-depends-on">
                      Depends on {deps.map((n) => `step ${n}`).join(", ")}
                    </p>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ol>
      ) : null}
      {plan?.content.trim() ? (
        <details className="group rounded-md border border-zinc-200" open={subtasks.length === 0}>
          <summary className="cursor-pointer select-none px-3 py-2 text-sm font-medium text-zinc-700 hover:bg-zinc-50">
            Plan notes
          </summary>
          <div className="border-t border-zinc-200 px-3 py-3">
            <Markdown source={plan.content} />
          </div>
        </details>
      ) : null}
    </div>
  );
}
