import { randomUUID } from "node:crypto";
import { getDb } from "@/db/client";
import type { AgentRole } from "@/db/schema";
import { roleLabel } from "@/lib/agents/roles";
import { appendTaskEvent } from "@/lib/events/append-task-event";

/**
 * Records an agent's question to another role as a timeline entry (actor = the asker, `data.to` = the
 * role asked) and gives the exchange its id.
 * @returns the new collaboration id (memoize it: call inside a step)
 */
export async function recordQuestion(
  scope: { organizationId: string; taskId: string },
  runId: string,
  input: { stepId: string; fromRole: AgentRole; toRole: AgentRole; question: string; subtask?: string | null },
): Promise<{ collaborationId: string }> {
  const collaborationId = randomUUID();
  await appendTaskEvent(getDb(), {
    ...scope,
    type: "message",
    actor: input.fromRole,
    message: `Asks the ${roleLabel(input.toRole)}: ${input.question}`,
    data: { kind: "question", from: input.fromRole, to: input.toRole, collaborationId, ...(input.subtask ? { subtask: input.subtask } : {}) },
    dedupeKey: `${runId}:${input.stepId}:question`,
  });
  return { collaborationId };
}

/**
 * Records the answer to a question as a timeline entry (actor = the role that answers, `data.to` =
 * the asker), once per collaboration.
 */
export async function recordAnswer(
  scope: { organizationId: string; taskId: string },
  input: { collaborationId: string; fromRole: AgentRole; toRole: AgentRole; answer: string; answered: boolean },
): Promise<void> {
  await appendTaskEvent(getDb(), {
    ...scope,
    type: input.answered ? "message" : "error",
    actor: input.fromRole,
    message: `Answers the ${roleLabel(input.toRole)}: ${input.answer}`,
    data: { kind: "answer", from: input.fromRole, to: input.toRole, collaborationId: input.collaborationId, answered: input.answered },
    dedupeKey: `collaboration:${input.collaborationId}:answer`,
  });
}
