import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getPageContext } from "@/app/_lib/page-context";
import { taskDetailSchema, type TaskDetail } from "@/components/tasks/api";
import { TaskView } from "@/components/tasks/task-view";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { allows } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { getTaskDetail } from "@/lib/tasks/get-task-detail";

export const metadata: Metadata = { title: "Task" };

/**
 * The task as `GET /api/v1/tasks/{id}` returns it: the detail, null when it is not in the caller's
 * organization (or the id is malformed), or undefined when it could not be read here (the page then
 * loads it in the browser and shows the error there).
 */
async function loadInitialTask(organizationId: string, taskId: string): Promise<TaskDetail | null | undefined> {
  if (!z.uuid().safeParse(taskId).success) return null;
  try {
    const parsed = taskDetailSchema.safeParse(await withTenant(getDb(), organizationId, (tx) => getTaskDetail(tx, { organizationId, taskId })));
    return parsed.success ? parsed.data : undefined;
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") return null;
    console.error(`[tasks/${taskId}] server-side load failed; the browser will retry`, error);
    return undefined;
  }
}

export default async function TaskPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await getPageContext();
  if (!ctx) redirect(`/sign-in?next=/tasks/${encodeURIComponent(id)}`);
  const initialTask = await loadInitialTask(ctx.organizationId, id);
  // The browser then follows the task live (SSE) and refetches it from the REST API on each change.
  return <TaskView key={id} taskId={id} initialTask={initialTask} canCancel={allows(ctx.permissions, { task: ["cancel"] })} />;
}
