import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { spendByTask } from "@/db/queries/usage-insights";
import { GettingStarted, type OnboardingState } from "@/components/onboarding/getting-started";
import { taskListSchema } from "@/components/tasks/api";
import { NewTaskForm, type SquadOption } from "@/components/tasks/new-task-form";
import { TaskList } from "@/components/tasks/task-list";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { getPageContext } from "@/app/_lib/page-context";
import { allows } from "@/lib/auth/permissions";
import { estimateSquadTaskCost } from "@/lib/budgets/estimate-squad-cost";
import { listRepositoryJson } from "@/lib/repositories/create-repository";
import { listSquadsWithAgents } from "@/lib/squads/list-squads";
import { listTaskPage } from "@/lib/tasks/list-tasks";
import { loadTaskCosts } from "./actions";

export const metadata: Metadata = { title: "Tasks" };

export default async function TasksPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/tasks");
  const scope = { organizationId: ctx.organizationId };
  // Same rows and JSON as `GET /api/v1/tasks?limit=100`, `/squads` and `/repositories`, read under RLS.
  const { page, squads, repositories, spend } = await withTenant(getDb(), ctx.organizationId, async (tx) => {
    const page = await listTaskPage(tx, { ...scope, query: { limit: 100 } });
    return {
      page,
      squads: await listSquadsWithAgents(tx, scope),
      repositories: await listRepositoryJson(tx, scope),
      spend: await spendByTask(tx, { ...scope, taskIds: page.items.map((t) => t.id) }),
    };
  });
  const initialCosts = Object.fromEntries([...spend].map(([id, s]) => [id, s.costUsdMicros]));
  const repositoryNames = Object.fromEntries(repositories.map((r) => [r.id, r.name]));
  const initial = taskListSchema.safeParse(page);
  const squadOptions: SquadOption[] = squads.map((s) => ({
    id: s.id,
    name: s.name,
    repositoryId: s.repositoryId,
    budgetUsdMicros: s.budgetUsdMicros,
    estimateUsdMicros: estimateSquadTaskCost(s.agents),
  }));
  // A new organization is walked through its first run until one of its tasks has ended.
  const oldest = page.items.at(-1);
  const ended = page.items.find((t) => t.outcome !== null);
  const onboarding: OnboardingState | null = ended
    ? null
    : {
        repositoryName: repositories[0]?.name ?? null,
        firstTask: oldest ? { id: oldest.id, title: oldest.title } : null,
        firstResult: null,
      };
  const canCreate = allows(ctx.permissions, { task: ["create"] });
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
        <div className="order-2 space-y-6 lg:order-1">
          {onboarding ? (
            <Card aria-labelledby="onboarding-heading">
              <CardHeader headingId="onboarding-heading" title="Welcome to Squadron" description="Your squad is ready: a product manager, a developer, a QA engineer and a tech lead." />
              <GettingStarted state={onboarding} />
            </Card>
          ) : null}
          {!onboarding || page.items.length > 0 ? (
            <Card aria-labelledby="task-list-heading">
              <CardHeader headingId="task-list-heading" title="Your organization's tasks" description="Newest first" />
              <TaskList
                initialTasks={initial.success ? initial.data.items : undefined}
                repositoryNames={repositoryNames}
                initialCosts={initialCosts}
                loadCosts={loadTaskCosts}
              />
            </Card>
          ) : null}
        </div>
        {canCreate ? (
          <Card aria-labelledby="new-task-heading" className="order-1 lg:order-2">
            <CardHeader headingId="new-task-heading" title="New task" />
            <CardBody>
              <NewTaskForm squads={squadOptions} repositories={repositories.map((r) => ({ id: r.id, name: r.name }))} />
            </CardBody>
          </Card>
        ) : null}
      </div>
    </div>
  );
}
