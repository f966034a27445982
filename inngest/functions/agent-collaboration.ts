import { inngest } from "@/inngest/client";
import { agentCollaborate } from "@/inngest/events";
import { answerQuestion, loadCollaboration } from "@/lib/collaboration/answer-question";
import { recordAnswer } from "@/lib/collaboration/record-message";
import { roleLabel } from "@/lib/agents/roles";
import { workflowSteps } from "./steps";

/**
 * Collaboration: when an agent asks another role a question (`squad/agent.collaborate`, kind
 * `question`), the role asked answers in this run of its own — its own model calls, usage and
 * timeline entry — and the answer goes back as `squad/agent.collaborate` (kind `answer`) to the
 * asking run, which waits for it. An agent that cannot answer says so instead of leaving the asker
 * waiting.
 */
export const agentCollaboration = inngest.createFunction(
  {
    id: "agent-collaboration",
    name: "Agent collaboration",
    triggers: [{ event: agentCollaborate, if: 'event.data.kind == "question"' }],
    retries: 2,
  },
  async ({ event, step, runId }) => {
    const question = agentCollaborate.schema.safeParse(event.data);
    if (!question.success || question.data.kind !== "question") return { skipped: true };
    const q = question.data;
    const scope = { organizationId: q.organizationId, taskId: q.taskId };

    const context = await step.run("load", () => loadCollaboration(scope, q.toRole));
    if (!context) return { skipped: true };
    let answer: string;
    let answered = true;
    try {
      answer = await answerQuestion(workflowSteps(step), {
        ...scope,
        runId,
        context,
        fromRole: q.fromRole,
        toRole: q.toRole,
        question: q.question,
      });
    } catch (error) {
      answered = false;
      answer = `The ${roleLabel(q.toRole)} could not answer: ${error instanceof Error ? error.message : String(error)}`;
    }
    await step.run("record-answer", () =>
      recordAnswer(scope, { collaborationId: q.collaborationId, fromRole: q.toRole, toRole: q.fromRole, answer, answered }),
    );
    await step.sendEvent(
      "send-answer",
      agentCollaborate.create(
        { ...scope, collaborationId: q.collaborationId, kind: "answer", fromRole: q.toRole, toRole: q.fromRole, answer },
        { id: `collaborate-answer-${q.collaborationId}` },
      ),
    );
    return { collaborationId: q.collaborationId, answered };
  },
);
