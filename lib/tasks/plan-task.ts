import { planPrompt } from "@/lib/agents/prompts";
import { runStructuredAgent } from "@/lib/agents/run-agent";
import { formatBriefKnowledge, knowledgeForBrief } from "@/lib/knowledge/brief";
import { lessonsForBrief } from "@/lib/lessons/retrieve-lessons";
import { planSchema } from "@/lib/llm/schemas";
import { agentContextFor, type TaskRun } from "./task-run";
import { planProblem, savePlan, type StoredPlan } from "./workflow";

/**
 * The product manager plans the task (structured output, steps `plan/…`), briefed with the lessons
 * (step `lessons/plan`) and the retrieved knowledge (step `knowledge/plan`), and the plan is stored
 * (step `save-plan`). A plan whose graph is broken, or that gives a subtask to a role nobody in the
 * squad can take, goes back to the product manager once with the problem named.
 * @returns the stored plan, every subtask `queued`
 * @throws AppError `invalid_input` when the repaired plan is still invalid
 */
export async function planTask(run: TaskRun): Promise<StoredPlan> {
  const squadRoles = run.ctx.agents.map((a) => a.role);
  // Lessons learnt on earlier tasks of the repository (every role's), memoized so a replay briefs the same.
  const lessons = await run.rt.steps.run("lessons/plan", () =>
    lessonsForBrief({
      organizationId: run.ctx.organizationId,
      taskId: run.ctx.taskId,
      repositoryId: run.ctx.repository?.id ?? null,
      role: "product_manager",
      query: `${run.ctx.title}\n${run.ctx.description}`,
      dedupeKey: `${run.runId}:lessons:plan`,
    }),
  );
  // The repository's code and the organization's documents relevant to the task, memoized likewise.
  const knowledge = await run.rt.steps.run("knowledge/plan", () =>
    knowledgeForBrief({
      organizationId: run.ctx.organizationId,
      taskId: run.ctx.taskId,
      repositoryId: run.ctx.repository?.id ?? null,
      role: "product_manager",
      query: `${run.ctx.title}\n${run.ctx.description}`,
      dedupeKey: `${run.runId}:knowledge:plan`,
    }),
  );
  const { value, result } = await runStructuredAgent(run.rt, agentContextFor(run, "product_manager"), {
    stepPrefix: "plan",
    prompt: planPrompt(run.ctx, { lessons, knowledge: formatBriefKnowledge(knowledge) }),
    name: "plan",
    schema: planSchema,
    validate: (plan) => planProblem(plan, squadRoles),
  });
  return run.rt.steps.run("save-plan", () => savePlan(run.ctx, run.runId, value, result.model));
}
