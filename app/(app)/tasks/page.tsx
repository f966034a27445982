import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { taskListSchema } from "@/components/tasks/api";
import { NewTaskForm } from "@/components/tasks/new-task-form";
import { TaskList } from "@/components/tasks/task-list";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { getPageContext } from "@/app/_lib/page-context";
import { listTaskPage } from "@/lib/tasks/list-tasks";

export const metadata: Metadata = { title: "Tasks" };

export default async function TasksPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/tasks");
  // Same rows and JSON as `GET /api/v1/tasks?limit=100`, so the list renders at once and the client refreshes it.
  const page = await withTenant(getDb(), ctx.organizationId, (tx) =>
    listTaskPage(tx, { organizationId: ctx.organizationId, query: { limit: 100 } }),
  );
  const initial = taskListSchema.safeParse(page);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Tasks</h1>
        <p className="mt-1 text-sm text-zinc-600">
          Give your squad a task. It plans, writes the code in a git worktree, runs the tests, reviews, and
          hands you a patch.
        </p>
      </div>
      <div className="grid grid-cols-1 items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <Card aria-labelledby="task-list-heading" className="order-2 lg:order-1">
          <CardHeader headingId="task-list-heading" title="Your organization's tasks" description="Newest first" />
          <TaskList initialTasks={initial.success ? initial.data.items : undefined} />
        </Card>
        <Card aria-labelledby="new-task-heading" className="order-1 lg:order-2">
          <CardHeader headingId="new-task-heading" title="New task" />
          <CardBody>
            <NewTaskForm />
          </CardBody>
        </Card>
      </div>
    </div>
  );
}
