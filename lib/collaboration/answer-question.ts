import { existsSync } from "node:fs";
import { getDb } from "@/db/client";
import { findRepository, findSquad, listAgents } from "@/db/queries/squads";
import { findTask } from "@/db/queries/tasks";
import type { AgentRole } from "@/db/schema";
import { answerPrompt } from "@/lib/agents/prompts";
import { roleDefinitions } from "@/lib/agents/roles";
import { runAgent, type AgentContext, type WorkflowSteps } from "@/lib/agents/run-agent";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { exampleRepositoryPath } from "@/lib/squads/default-squad";
import { ensureExampleRepository, prepareWorktree } from "@/lib/workspace";

/** What the answering agent needs: the task, its own settings and the task's worktree. Plain JSON. */
export type CollaborationContext = {
  title: string;
  description: string;
  agent: {
    modelRoute: AgentContext["modelRoute"];
    instructions: string | null;
    systemPrompt: string | null;
    constraints: NonNullable<AgentContext["constraints"]>;
    /** The squad agent's tool overrides and limits (optional: contexts memoized before they existed). */
    toolOverrides?: AgentContext["toolOverrides"];
    maxTurns?: number | null;
    maxRunTokens?: number | null;
  };
  workspace: { path: string; testCommand: string } | null;
};

/**
 * Loads what `toRole` needs to answer a question on a task: the task, the agent's own prompt and route
 * (the role's defaults when the squad has no such agent) and the task's worktree (read-only use).
 * @returns null when the task no longer exists
 */
export async function loadCollaboration(
  scope: { organizationId: string; taskId: string },
  toRole: AgentRole,
): Promise<CollaborationContext | null> {
  const db = getDb();
  const task = await findTask(db, scope);
  if (!task) return null;
  const squad = await findSquad(db, { organizationId: scope.organizationId, squadId: task.squadId });
  if (!squad) throw new AppError("not_found", "The task's squad no longer exists");
  const agent = (await listAgents(db, { organizationId: scope.organizationId, squadId: squad.id })).find((a) => a.role === toRole);
  const repositoryId = task.repositoryId ?? squad.repositoryId;
  const repository = repositoryId ? await findRepository(db, { organizationId: scope.organizationId, repositoryId }) : undefined;
  let workspace: CollaborationContext["workspace"] = null;
  if (repository?.localPath && task.branch) {
    let repoPath = repository.localPath;
    if (repoPath === exampleRepositoryPath()) repoPath = await ensureExampleRepository(env.DATA_DIR);
    if (existsSync(repoPath)) {
      // The asking run created the worktree; this finds it (and never resets it).
      const worktree = await prepareWorktree({ repoPath, dataDir: env.DATA_DIR, taskId: task.id, baseBranch: repository.defaultBranch });
      workspace = { path: worktree.path, testCommand: repository.testCommand };
    }
  }
  return {
    title: task.title,
    description: task.description,
    agent: {
      modelRoute: agent && agent.modelRoute.length > 0 ? agent.modelRoute : [...roleDefinitions[toRole].defaultRoute],
      instructions: agent?.instructions ?? null,
      systemPrompt: agent?.systemPrompt ?? null,
      constraints: agent?.routeConstraints ?? {},
      toolOverrides: agent?.toolOverrides ?? {},
      maxTurns: agent?.maxTurns ?? null,
      maxRunTokens: agent?.maxRunTokens ?? null,
    },
    workspace,
  };
}

/**
 * `toRole` answers a teammate's question in its own run (steps `answer/…`): a tool loop with its
 * role's tools (it cannot ask back). Usage is recorded on the task under this run's id.
 * @returns the answer text
 * @throws what the agent loop throws (the caller turns it into a "could not answer" reply)
 */
export async function answerQuestion(
  steps: WorkflowSteps,
  input: {
    organizationId: string;
    taskId: string;
    runId: string;
    context: CollaborationContext;
    fromRole: AgentRole;
    toRole: AgentRole;
    question: string;
  },
): Promise<string> {
  const { context } = input;
  const result = await runAgent(
    { steps },
    {
      organizationId: input.organizationId,
      taskId: input.taskId,
      runId: input.runId,
      task: { title: context.title, description: context.description },
      role: input.toRole,
      modelRoute: context.agent.modelRoute,
      tier: roleDefinitions[input.toRole].tier,
      constraints: context.agent.constraints,
      instructions: context.agent.instructions,
      systemPrompt: context.agent.systemPrompt,
      workspace: context.workspace,
      toolOverrides: context.agent.toolOverrides,
      maxTurns: context.agent.maxTurns,
      maxRunTokens: context.agent.maxRunTokens,
    },
    { stepPrefix: "answer", prompt: answerPrompt(context, { fromRole: input.fromRole, question: input.question }) },
  );
  return result.content?.trim() || "(no answer)";
}
