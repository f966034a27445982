import { existsSync } from "node:fs";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { findRepository, findSquad, listAgents } from "@/db/queries/squads";
import { countPendingApprovals } from "@/db/queries/approvals";
import { findOrganizationBudget } from "@/db/queries/usage";
import {
  findTask,
  listArtifacts,
  listDependencies,
  listSubtasks,
  lockTask,
  updateTask,
  updateTaskStatuses,
  upsertArtifact,
} from "@/db/queries/tasks";
import { taskDependencies, tasks, type AgentRole, type AgentRouteConstraints, type AgentToolOverrides, type ModelCandidate, type TaskStatus } from "@/db/schema";
import type { SquadWorkflow } from "@/db/schema/squads";
import { terminalTaskStatuses } from "@/db/schema/task-statuses";
import { assigneeFor, roleLabel } from "@/lib/agents/roles";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { planSchema, type Plan, type Review } from "@/lib/llm/schemas";
import { githubWorkspacePath, syncGithubWorkspace } from "@/lib/integrations/github/workspace";
import { exampleRepositoryPath } from "@/lib/squads/default-squad";
import { collectPatch, commitWorktree, ensureExampleRepository, prepareWorktree } from "@/lib/workspace";
import { planGraphProblem, validatePlanGraph } from "./plan-graph";

export { validatePlanGraph } from "./plan-graph";

type Scope = { organizationId: string; taskId: string };

/** A subtask of a stored plan as the run works on it. `role` is the squad member who carries it out. */
export type PlannedSubtask = {
  id: string;
  key: string;
  title: string;
  description: string;
  role: AgentRole;
  dependsOn: string[];
  status: TaskStatus;
  /** The result of a subtask completed by an earlier run of the task (a retry), else null. */
  output: string | null;
};

/** A stored plan: the product manager's summary and the subtasks with their ids. Plain JSON. */
export type StoredPlan = { summary: string; subtasks: PlannedSubtask[] };

/** The git worktree a run works in. */
export type Worktree = { path: string; branch: string; baseCommit: string };

/** What the workflow needs to know about a task; memoized as a step result, so plain JSON. */
export type TaskRunContext = Scope & {
  title: string;
  description: string;
  squadId: string;
  /** The squad's workflow (`squad` or `single_agent`); absent in contexts memoised before it existed = `squad`. */
  workflow?: SquadWorkflow;
  /** 0 for the first run, n for the n-th retry. */
  attempt: number;
  repository: {
    id: string;
    name: string;
    localPath: string;
    testCommand: string;
    defaultBranch: string;
    /** `owner/name` of a GitHub-only repository: `localPath` is its cached clone, fetched before each run. */
    cloneFrom?: string | null;
  } | null;
  agents: {
    role: AgentRole;
    name: string;
    modelRoute: ModelCandidate[];
    instructions: string | null;
    systemPrompt: string | null;
    routeConstraints: AgentRouteConstraints;
    /** Tools added to or removed from the role's (`agents.tool_overrides`). */
    toolOverrides?: AgentToolOverrides;
    /** Turn limit and token budget of one run of this agent; null = the role's. */
    maxTurns?: number | null;
    maxRunTokens?: number | null;
  }[];
  /** The plan of an earlier run (a retry): it is reused, and only its unfinished subtasks run again. */
  plan: StoredPlan | null;
  /** Budgets in USD micros when the run started: the task's, and the organization's per month (null = none). */
  budget: { taskUsdMicros: number | null; organizationMonthlyUsdMicros: number | null };
};

const TERMINAL: readonly TaskStatus[] = terminalTaskStatuses;

/**
 * Status of a task plus one timeline entry saying why, in one transaction (idempotent per `dedupeKey`).
 * A task that has ended (completed, failed, cancelled) keeps its end: under the task's row lock, a
 * write to an ended task changes nothing — so a step that was in flight when a person cancelled
 * (e.g. `start` marking it `planning`) cannot bring a cancelled task back. Only a retry
 * (`lib/tasks/retry-task.ts`) reopens an ended task.
 */
export async function setTaskStatus(
  scope: Scope,
  status: TaskStatus,
  message: string,
  opts: { actor?: string; dedupeKey?: string; error?: string | null; data?: Record<string, unknown> } = {},
): Promise<void> {
  await getDb().transaction(async (tx) => {
    const current = await lockTask(tx, scope);
    if (!current || TERMINAL.includes(current.status)) return;
    const now = new Date();
    await updateTask(tx, scope, {
      status,
      ...(status === "planning" ? { startedAt: now } : {}),
      ...(TERMINAL.includes(status) ? { completedAt: now } : {}),
      ...(opts.error !== undefined ? { error: opts.error } : {}),
    });
    await appendTaskEvent(tx, {
      ...scope,
      type: "status",
      actor: opts.actor ?? "system",
      message,
      data: { status, ...opts.data },
      dedupeKey: opts.dedupeKey,
    });
  });
}

async function loadStoredPlan(scope: Scope): Promise<StoredPlan | null> {
  const db = getDb();
  const subtasks = await listSubtasks(db, { organizationId: scope.organizationId, parentTaskId: scope.taskId });
  if (subtasks.length === 0) return null;
  const deps = await listDependencies(db, { organizationId: scope.organizationId, taskIds: subtasks.map((s) => s.id) });
  const keyOf = new Map(subtasks.map((s) => [s.id, s.planKey ?? `step-${(s.position ?? 0) + 1}`]));
  const planArtifact = (await listArtifacts(db, scope)).find((a) => a.kind === "plan");
  const storedPlan = planSchema.safeParse(planArtifact?.data?.plan);
  return {
    summary: storedPlan.success ? storedPlan.data.summary : (planArtifact?.content ?? ""),
    subtasks: subtasks.map((s) => ({
      id: s.id,
      key: keyOf.get(s.id) ?? s.id,
      title: s.title,
      description: s.description,
      role: s.role ?? "developer",
      dependsOn: deps.filter((d) => d.taskId === s.id).map((d) => keyOf.get(d.dependsOnTaskId) ?? d.dependsOnTaskId),
      status: s.status,
      output: s.status === "completed" ? s.output : null,
    })),
  };
}

/**
 * Loads the task with its squad, agents, repository and (on a retry) its stored plan, and marks it
 * `planning` (first run) or `running` (a retry, which reuses the plan).
 * @returns the run context, or null when the task no longer exists or already ended (nothing to do)
 */
export async function startTask(scope: Scope, runId: string): Promise<TaskRunContext | null> {
  const db = getDb();
  const task = await findTask(db, scope);
  if (!task || TERMINAL.includes(task.status)) return null;
  const squad = await findSquad(db, { organizationId: scope.organizationId, squadId: task.squadId });
  if (!squad) throw new AppError("not_found", "The task's squad no longer exists");
  const repositoryId = task.repositoryId ?? squad.repositoryId;
  const repository = repositoryId
    ? await findRepository(db, { organizationId: scope.organizationId, repositoryId })
    : undefined;
  const agents = await listAgents(db, { organizationId: scope.organizationId, squadId: squad.id });
  const plan = await loadStoredPlan(scope);
  // The task keeps the budget its squad had when it first ran (raised only by a person's approval).
  const taskBudget = task.budgetUsdMicros ?? squad.budgetUsdMicros;
  if (task.budgetUsdMicros === null && taskBudget !== null) await updateTask(db, scope, { budgetUsdMicros: taskBudget });
  const organizationBudget = await findOrganizationBudget(db, { organizationId: scope.organizationId });
  if (plan) {
    const again = plan.subtasks.filter((s) => s.status !== "completed").length;
    await setTaskStatus(scope, "running", `${squad.name} resumed the task: ${again} subtask(s) run again`, {
      dedupeKey: `${runId}:start`,
    });
  } else {
    const who = squad.workflow === "single_agent" ? "one developer works it alone (single-agent workflow)" : "the product manager is planning";
    await setTaskStatus(scope, "planning", `${squad.name} picked up the task; ${who}`, {
      dedupeKey: `${runId}:start`,
    });
  }
  return {
    ...scope,
    title: task.title,
    description: task.description,
    squadId: squad.id,
    workflow: squad.workflow,
    attempt: task.attempt,
    repository:
      repository && (repository.localPath || repository.githubFullName)
        ? {
            id: repository.id,
            name: repository.name,
            localPath: repository.localPath ?? githubWorkspacePath(repository.id),
            cloneFrom: repository.localPath ? null : repository.githubFullName,
            testCommand: repository.testCommand,
            defaultBranch: repository.defaultBranch,
          }
        : null,
    agents: agents.map((a) => ({
      role: a.role,
      name: a.name,
      modelRoute: a.modelRoute,
      instructions: a.instructions,
      systemPrompt: a.systemPrompt,
      routeConstraints: a.routeConstraints,
      toolOverrides: a.toolOverrides,
      maxTurns: a.maxTurns,
      maxRunTokens: a.maxRunTokens,
    })),
    plan,
    budget: { taskUsdMicros: taskBudget, organizationMonthlyUsdMicros: organizationBudget },
  };
}

/**
 * Creates (or reuses, after a crash or on a retry) the task's git worktree on branch
 * `squad/<task id>`, from the repository's configured default branch when it has one, else from its
 * own `HEAD` branch (`master`, `main`, …). The bundled example repository is materialised under
 * `DATA_DIR/repos` if missing.
 * @throws AppError `not_found` when the repository path does not exist; `invalid_input` when it is
 *   not a git repository or has no commits (deterministic: the workflow does not retry them)
 */
export async function prepareTaskWorkspace(ctx: TaskRunContext, runId: string): Promise<Worktree | null> {
  if (!ctx.repository) return null;
  let repoPath = ctx.repository.localPath;
  if (repoPath === exampleRepositoryPath()) repoPath = await ensureExampleRepository(env.DATA_DIR);
  if (ctx.repository.cloneFrom) {
    const { id, defaultBranch, cloneFrom } = ctx.repository;
    repoPath = await syncGithubWorkspace({ organizationId: ctx.organizationId, id, githubFullName: cloneFrom, defaultBranch });
  }
  if (!existsSync(repoPath)) {
    throw new AppError("not_found", `Repository path ${repoPath} does not exist: fix the repository's local path or restore the folder`);
  }
  const worktree = await prepareWorktree({
    repoPath,
    dataDir: env.DATA_DIR,
    taskId: ctx.taskId,
    baseBranch: ctx.repository.defaultBranch,
  });
  await getDb().transaction(async (tx) => {
    await updateTask(tx, ctx, { branch: worktree.branch });
    await appendTaskEvent(tx, {
      ...ctx,
      type: "message",
      actor: "system",
      message: `Workspace ready: branch ${worktree.branch} of ${ctx.repository?.name ?? "the repository"}, from ${worktree.baseRef}`,
      data: { branch: worktree.branch, baseCommit: worktree.baseCommit, baseRef: worktree.baseRef },
      dedupeKey: `${runId}:workspace`,
    });
  });
  return worktree;
}

/** Markdown rendering of a plan for the `plan` artifact. */
export function planToMarkdown(plan: Plan): string {
  const lines = [plan.summary, ""];
  for (const s of plan.subtasks) {
    const deps = s.dependsOn.length > 0 ? ` (after ${s.dependsOn.join(", ")})` : "";
    lines.push(`- **${s.key}** [${s.role}] ${s.title}${deps}`);
  }
  return lines.join("\n");
}

/**
 * Why a plan cannot run in this squad — a broken graph, or a subtask for a role nobody in the squad
 * can take — or null when it can. Shown to the product manager in its repair attempt.
 */
export function planProblem(plan: Plan, squadRoles: readonly AgentRole[]): string | null {
  const graph = planGraphProblem(plan);
  if (graph) return graph;
  for (const s of plan.subtasks) {
    if (!assigneeFor(s.role, squadRoles)) {
      return `Subtask ${s.key} is for the ${s.role} role, which this squad does not have (roles: ${squadRoles.join(", ")})`;
    }
  }
  return null;
}

/**
 * Stores the product manager's plan: the `plan` artifact, one subtask per planned item (carried out by
 * the planned role, or the squad member standing in for it: {@link assigneeFor}) and the dependency
 * edges between them. Idempotent: a replay after a crash finds the subtasks already there.
 * @returns the stored plan (all subtasks `queued`)
 * @throws AppError `invalid_input` when a dependency names an unknown key, the plan has a cycle, or
 *   nobody in the squad can take a subtask
 */
export async function savePlan(
  ctx: TaskRunContext,
  runId: string,
  plan: Plan,
  model: { provider: string; model: string; offline: boolean },
): Promise<StoredPlan> {
  validatePlanGraph(plan);
  const squadRoles = ctx.agents.map((a) => a.role);
  const problem = planProblem(plan, squadRoles);
  if (problem) throw new AppError("invalid_input", problem);
  const db = getDb();
  await db.transaction(async (tx) => {
    const existing = await listSubtasks(tx, { organizationId: ctx.organizationId, parentTaskId: ctx.taskId });
    if (existing.length > 0) return;
    const [parent] = await tx
      .select({ squadId: tasks.squadId, repositoryId: tasks.repositoryId })
      .from(tasks)
      .where(and(eq(tasks.organizationId, ctx.organizationId), eq(tasks.id, ctx.taskId)));
    const ids: Record<string, string> = {};
    for (const [i, s] of plan.subtasks.entries()) {
      const [row] = await tx
        .insert(tasks)
        .values({
          organizationId: ctx.organizationId,
          squadId: parent.squadId,
          repositoryId: parent.repositoryId,
          parentTaskId: ctx.taskId,
          title: s.title,
          description: s.description,
          role: assigneeFor(s.role, squadRoles) ?? s.role,
          position: i,
          planKey: s.key,
          source: "api",
          status: "queued",
        })
        .returning({ id: tasks.id });
      ids[s.key] = row.id;
    }
    const edges = plan.subtasks.flatMap((s) =>
      s.dependsOn.map((dep) => ({ organizationId: ctx.organizationId, taskId: ids[s.key], dependsOnTaskId: ids[dep] })),
    );
    if (edges.length > 0) await tx.insert(taskDependencies).values(edges);
    await upsertArtifact(tx, {
      organizationId: ctx.organizationId,
      taskId: ctx.taskId,
      kind: "plan",
      title: "Plan",
      content: planToMarkdown(plan),
      data: { plan, model },
      dedupeKey: `${runId}:plan`,
    });
    const parallel = plan.subtasks.filter((s) => s.dependsOn.length === 0).length;
    await appendTaskEvent(tx, {
      ...ctx,
      type: "artifact",
      // A single-agent squad's plan is not a product manager's (no model call made it).
      actor: model.provider === "none" ? "system" : "product_manager",
      message: `Plan ready: ${plan.subtasks.length} subtask(s)${parallel > 1 ? `, ${parallel} can start in parallel` : ""}`,
      data: { kind: "plan", offline: model.offline },
      dedupeKey: `${runId}:plan-event`,
    });
  });
  const stored = await loadStoredPlan(ctx);
  if (!stored) throw new AppError("internal", "The plan was not stored");
  return stored;
}

/**
 * Marks a subtask `running` and the parent task `parentStatus` (unless an approval of the task is
 * pending), with a timeline entry from the role that carries it out (`data.subtask` is its key).
 */
export async function startSubtask(
  ctx: TaskRunContext,
  runId: string,
  subtask: Pick<PlannedSubtask, "id" | "key" | "title" | "role">,
  parentStatus: TaskStatus,
): Promise<void> {
  await getDb().transaction(async (tx) => {
    // The parent first (the lock order of setTaskStatus and retries): an ended task keeps its status.
    const parent = await lockTask(tx, ctx);
    await updateTask(tx, { organizationId: ctx.organizationId, taskId: subtask.id }, { status: "running", startedAt: new Date(), error: null });
    // A parallel branch waiting for a person keeps the task `awaiting_approval` until it is decided.
    if (parent && !TERMINAL.includes(parent.status) && (await countPendingApprovals(tx, ctx)) === 0) await updateTask(tx, ctx, { status: parentStatus });
    await appendTaskEvent(tx, {
      ...ctx,
      type: "status",
      actor: subtask.role,
      message: `${roleLabel(subtask.role)} started “${subtask.title}”`,
      data: { status: parentStatus, subtask: subtask.key, subtaskId: subtask.id, subtaskStatus: "running" },
      dedupeKey: `${runId}:subtask-start:${subtask.key}`,
    });
  });
}

/** Records how a subtask ended (`completed` or `failed`), its result and, for a failure, the reason. */
export async function finishSubtask(
  ctx: TaskRunContext,
  runId: string,
  subtask: Pick<PlannedSubtask, "id" | "key" | "title" | "role">,
  result: { status: "completed" | "failed"; output: string | null; error?: string },
): Promise<void> {
  await getDb().transaction(async (tx) => {
    await updateTask(
      tx,
      { organizationId: ctx.organizationId, taskId: subtask.id },
      { status: result.status, output: result.output, error: result.error ?? null, completedAt: new Date() },
    );
    await appendTaskEvent(tx, {
      ...ctx,
      type: result.status === "failed" ? "error" : "message",
      actor: subtask.role,
      message:
        result.status === "completed"
          ? `Finished “${subtask.title}”`
          : `“${subtask.title}” failed: ${result.error ?? "no reason given"}`,
      data: { subtask: subtask.key, subtaskId: subtask.id, subtaskStatus: result.status },
      dedupeKey: `${runId}:subtask-finish:${subtask.key}`,
    });
  });
}

/** Marks a subtask `blocked`: it never starts because the subtasks in `because` (keys) did not complete. */
export async function blockSubtask(
  ctx: TaskRunContext,
  runId: string,
  subtask: Pick<PlannedSubtask, "id" | "key" | "title">,
  because: string[],
): Promise<void> {
  const reason = `Blocked: depends on ${because.join(", ")}, which did not complete`;
  await getDb().transaction(async (tx) => {
    await updateTask(tx, { organizationId: ctx.organizationId, taskId: subtask.id }, { status: "blocked", error: reason });
    await appendTaskEvent(tx, {
      ...ctx,
      type: "message",
      actor: "system",
      message: `“${subtask.title}” is blocked: it depends on ${because.join(", ")}, which did not complete`,
      data: { subtask: subtask.key, subtaskId: subtask.id, subtaskStatus: "blocked", blockedBy: because },
      dedupeKey: `${runId}:subtask-blocked:${subtask.key}`,
    });
  });
}

/** Appends one timeline entry for the run (idempotent per `key` within the run). */
export async function recordRunEvent(
  ctx: Scope,
  runId: string,
  key: string,
  entry: { type?: "message" | "error"; actor: string; message: string; data?: Record<string, unknown> },
): Promise<void> {
  await appendTaskEvent(getDb(), {
    ...ctx,
    type: entry.type ?? "message",
    actor: entry.actor,
    message: entry.message,
    data: entry.data,
    dedupeKey: `${runId}:${key}`,
  });
}

/**
 * Stores the output of a QA run as a `test_report` artifact. `key` tells reports of one run apart
 * (one per QA attempt); the latest is the task's current report.
 */
export async function saveTestReport(
  ctx: TaskRunContext,
  runId: string,
  report: {
    passed: boolean;
    exitCode: number | null;
    durationMs: number;
    output: string;
    summary: string | null;
    ran: boolean;
    attempt?: number;
    subtask?: string;
  },
  key = "test_report",
): Promise<{ artifactId: string }> {
  const db = getDb();
  return db.transaction(async (tx) => {
    const artifact = await upsertArtifact(tx, {
      organizationId: ctx.organizationId,
      taskId: ctx.taskId,
      kind: "test_report",
      title: report.ran ? (report.passed ? "Tests passed" : "Tests failed") : "Tests not run",
      content: report.output,
      data: {
        passed: report.passed,
        exitCode: report.exitCode,
        durationMs: report.durationMs,
        summary: report.summary,
        ...(report.attempt !== undefined ? { attempt: report.attempt } : {}),
        ...(report.subtask ? { subtask: report.subtask } : {}),
      },
      dedupeKey: `${runId}:${key}`,
    });
    await appendTaskEvent(tx, {
      ...ctx,
      type: "artifact",
      // In a single-agent run the suite runs without a QA agent.
      actor: ctx.workflow === "single_agent" ? "system" : "qa_engineer",
      message: report.ran
        ? `Test report: ${report.passed ? "passed" : "failed"} (exit ${report.exitCode ?? "none"}, ${report.durationMs} ms)`
        : "Test report: the test command was not run",
      data: { kind: "test_report", passed: report.passed, ...(report.attempt !== undefined ? { attempt: report.attempt } : {}) },
      dedupeKey: `${runId}:${key}-event`,
    });
    return { artifactId: artifact.id };
  });
}

/** What {@link savePatch} returns: the artifact id (null when nothing changed), the diff and its size. */
export type PatchResult = {
  artifactId: string | null;
  diff: string;
  filesChanged: string[];
  additions: number;
  deletions: number;
};

/**
 * Commits the worktree on the task's branch and stores the unified diff against the base commit as
 * the `patch` artifact (once per run and `key`).
 * @returns the artifact id, or null when nothing changed, with the diff, files and line counts
 */
export async function savePatch(
  ctx: TaskRunContext,
  runId: string,
  worktree: Worktree,
  key = "patch",
): Promise<PatchResult> {
  const patch = await collectPatch(worktree.path, worktree.baseCommit);
  if (patch.diff.trim().length === 0) {
    await appendTaskEvent(getDb(), {
      ...ctx,
      type: "message",
      actor: "system",
      message: "No code changes were made",
      dedupeKey: `${runId}:${key}-event`,
    });
    return { artifactId: null, diff: "", filesChanged: [], additions: 0, deletions: 0 };
  }
  const commit = await commitWorktree(worktree.path, `squad: ${ctx.title}`);
  const db = getDb();
  return db.transaction(async (tx) => {
    const artifact = await upsertArtifact(tx, {
      organizationId: ctx.organizationId,
      taskId: ctx.taskId,
      kind: "patch",
      title: `Patch: ${patch.filesChanged.length} file(s), +${patch.additions} −${patch.deletions}`,
      content: patch.diff,
      data: {
        branch: worktree.branch,
        baseCommit: worktree.baseCommit,
        commit,
        filesChanged: patch.filesChanged,
        additions: patch.additions,
        deletions: patch.deletions,
      },
      dedupeKey: `${runId}:${key}`,
    });
    await appendTaskEvent(tx, {
      ...ctx,
      type: "artifact",
      actor: "developer",
      message: `Patch ready on ${worktree.branch}: ${patch.filesChanged.join(", ")}`,
      data: { kind: "patch", filesChanged: patch.filesChanged },
      dedupeKey: `${runId}:${key}-event`,
    });
    return {
      artifactId: artifact.id,
      diff: patch.diff,
      filesChanged: patch.filesChanged,
      additions: patch.additions,
      deletions: patch.deletions,
    };
  });
}

/** Markdown rendering of a review for the `review` artifact. */
export function reviewToMarkdown(review: Review): string {
  const lines = [`**Verdict:** ${review.verdict.replace("_", " ")}`, "", review.summary];
  if (review.comments.length > 0) {
    lines.push("");
    for (const c of review.comments) lines.push(`- ${c.path ? `\`${c.path}\`: ` : ""}${c.body}`);
  }
  return lines.join("\n");
}

/** Stores the tech lead's review as the `review` artifact. */
export async function saveReview(
  ctx: TaskRunContext,
  runId: string,
  review: Review,
  model: { provider: string; model: string; offline: boolean },
  actor: AgentRole = "tech_lead",
): Promise<void> {
  await getDb().transaction(async (tx) => {
    await upsertArtifact(tx, {
      organizationId: ctx.organizationId,
      taskId: ctx.taskId,
      kind: "review",
      title: `Review: ${review.verdict.replace("_", " ")}`,
      content: reviewToMarkdown(review),
      data: { verdict: review.verdict, comments: review.comments, model },
      dedupeKey: `${runId}:review`,
    });
    await appendTaskEvent(tx, {
      ...ctx,
      type: "artifact",
      actor,
      message: `Review: ${review.verdict.replace("_", " ")} — ${review.summary}`,
      data: { kind: "review", verdict: review.verdict, offline: model.offline },
      dedupeKey: `${runId}:review-event`,
    });
  });
}

async function closeUnfinishedSubtasks(scope: Scope, status: TaskStatus): Promise<void> {
  const db = getDb();
  const subtasks = await listSubtasks(db, { organizationId: scope.organizationId, parentTaskId: scope.taskId });
  await updateTaskStatuses(
    db,
    { organizationId: scope.organizationId, taskIds: subtasks.filter((s) => !TERMINAL.includes(s.status) && s.status !== "blocked").map((s) => s.id) },
    status,
  );
}

/** Marks the task and any unfinished subtasks `failed` with the reason (the workflow's failure handler). */
export async function failTask(scope: Scope, reason: string, dedupeKey: string): Promise<void> {
  const task = await findTask(getDb(), scope);
  if (!task || TERMINAL.includes(task.status)) return;
  await closeUnfinishedSubtasks(scope, "failed");
  await setTaskStatus(scope, "failed", `Task failed: ${reason}`, { error: reason, dedupeKey });
}

/**
 * Ends a run whose plan did not complete: the task is `failed`, naming the failed and blocked
 * subtasks, which `POST /api/v1/tasks/{id}/retry` runs again.
 */
export async function failRun(
  ctx: TaskRunContext,
  runId: string,
  outcome: { failed: string[]; blocked: string[] },
): Promise<void> {
  const parts = [`subtask(s) ${outcome.failed.join(", ")} failed`];
  if (outcome.blocked.length > 0) parts.push(`${outcome.blocked.join(", ")} blocked`);
  const reason = `${parts.join("; ")}. Retry runs only these again.`;
  await setTaskStatus(ctx, "failed", `Task failed: ${reason}`, {
    error: reason,
    dedupeKey: `${runId}:failed`,
    data: { failed: outcome.failed, blocked: outcome.blocked },
  });
}

/** Ends the task `cancelled` (a human rejected it, or an approval expired) with the reason. */
export async function cancelTask(scope: Scope, reason: string, dedupeKey: string, actor = "system"): Promise<void> {
  const task = await findTask(getDb(), scope);
  if (!task || TERMINAL.includes(task.status)) return;
  await closeUnfinishedSubtasks(scope, "cancelled");
  await setTaskStatus(scope, "cancelled", `Task cancelled: ${reason}`, { error: reason, dedupeKey, actor });
}

/** Marks the task and its remaining subtasks completed. */
export async function completeTask(ctx: TaskRunContext, runId: string, summary: string): Promise<void> {
  await closeUnfinishedSubtasks(ctx, "completed");
  await setTaskStatus(ctx, "completed", summary, { dedupeKey: `${runId}:complete`, error: null });
}
