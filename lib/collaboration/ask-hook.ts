import { agentCollaborate } from "@/inngest/events";
import type { AgentHooks } from "@/lib/agents/run-agent";
import { roleLabel } from "@/lib/agents/roles";
import type { TaskRun } from "@/lib/tasks/task-run";
import { recordQuestion } from "./record-message";

/** How long an agent waits for a teammate's answer. */
export const ANSWER_TIMEOUT = "30m";

/**
 * The `ask_teammate` hook of a run's agents (steps under the tool call's step id): records the
 * question, sends `squad/agent.collaborate` (`kind: "question"`) while starting to wait for the
 * answer with the same collaboration id (both in one step batch, so an answer cannot arrive before
 * the wait exists), and resolves with the answer — produced by the other role in its own run
 * (`agent-collaboration`). Without an answer in {@link ANSWER_TIMEOUT}, the asker is told to decide
 * alone.
 */
export function askHook(run: TaskRun): NonNullable<AgentHooks["ask"]> {
  return async ({ stepId, fromRole, toRole, question }) => {
    const { steps } = run.rt;
    const scope = { organizationId: run.ctx.organizationId, taskId: run.ctx.taskId };
    const { collaborationId } = await steps.run(`${stepId}/question`, () =>
      recordQuestion(scope, run.runId, { stepId, fromRole, toRole, question }),
    );
    const [received] = await Promise.all([
      steps.waitForEvent(`${stepId}/answer`, {
        event: agentCollaborate.name,
        if: `async.data.kind == "answer" && async.data.collaborationId == ${JSON.stringify(collaborationId)}`,
        timeout: ANSWER_TIMEOUT,
      }),
      steps.sendEvent(
        `${stepId}/send`,
        agentCollaborate.create({ ...scope, collaborationId, kind: "question", fromRole, toRole, question }, { id: `collaborate-${collaborationId}` }),
      ),
    ]);
    const parsed = agentCollaborate.schema.safeParse(received);
    if (parsed.success && parsed.data.kind === "answer") return parsed.data.answer;
    return `No answer from the ${roleLabel(toRole)} within ${ANSWER_TIMEOUT}. Decide yourself and say so in your summary.`;
  };
}
