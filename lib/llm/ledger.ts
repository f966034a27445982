import type { DbOrTx } from "@/db/client";
import { llmCalls } from "@/db/schema/usage";
import { recordModelCall } from "@/lib/observability/metrics";
import type { ModelResponse } from "./types";

/**
 * Writes one row of the usage ledger (`llm_calls`) for a model call: provider, model, tokens, cost in
 * USD micros, latency in ms and, when the route fell back or skipped candidates, why (`route`). Unique by (run id, step id): recording a replayed step again is a no-op,
 * so a call is never counted twice (in the table or in `squadron_model_*` metrics).
 */
export async function recordLlmCall(
  db: DbOrTx,
  input: {
    organizationId: string;
    taskId: string | null;
    runId: string;
    stepId: string;
    agentRole: string;
    response: ModelResponse;
  },
): Promise<void> {
  const { response } = input;
  const inserted = await db
    .insert(llmCalls)
    .values({
      organizationId: input.organizationId,
      taskId: input.taskId,
      runId: input.runId,
      stepId: input.stepId,
      agentRole: input.agentRole,
      provider: response.provider,
      model: response.model,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
      costUsdMicros: response.costUsdMicros,
      latencyMs: response.latencyMs,
      route: response.route ? { skipped: response.route.skipped, failed: response.route.failed } : null,
    })
    .onConflictDoNothing({ target: [llmCalls.runId, llmCalls.stepId] })
    .returning({ id: llmCalls.id });
  // Counted only when recorded, so a replayed step's call is not counted twice either.
  if (inserted.length > 0) {
    recordModelCall({
      provider: response.provider,
      model: response.model,
      role: input.agentRole,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
      costUsdMicros: response.costUsdMicros,
      latencyMs: response.latencyMs,
    });
  }
}
