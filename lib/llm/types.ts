import type { AgentRole, ModelCandidate } from "@/db/schema/squads";

export type { AgentRole, ModelCandidate };

/**
 * How heavy a step's model work is: `standard` uses the deployment's default model, `economy` a
 * cheaper model of the same provider for simple steps (running tests and summarising, classifying).
 */
export type ModelTier = "standard" | "economy";

/** Which family of wire protocol a candidate is called with. */
export type ProviderName = ModelCandidate["provider"];

/** A tool invocation the model asked for. `arguments` is the parsed JSON object the model produced. */
export type ToolCall = { id: string; name: string; arguments: Record<string, unknown> };

/**
 * Content a provider needs back verbatim in the next request, opaque to callers: Anthropic models that
 * think (on by default on Claude Sonnet 5.x) return `thinking` blocks that must be sent back unchanged
 * with the assistant turn, and only to the model that produced them.
 */
export type AssistantReplay = {
  provider: "anthropic";
  model: string;
  content: (
    | { type: "thinking"; thinking: string; signature: string }
    | { type: "redacted_thinking"; data: string }
    | { type: "text"; text: string }
    | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }
  )[];
};

/**
 * One message of a conversation, provider-neutral. A `tool` message answers the `ToolCall` with
 * `toolCallId`. Build the assistant message from a response with `assistantMessage(response)`, which
 * keeps its `replay`.
 */
export type ChatMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string | null; toolCalls?: ToolCall[]; replay?: AssistantReplay }
  | { role: "tool"; toolCallId: string; name: string; content: string };

/** A tool the model may call. `parameters` is a JSON Schema object (`type: "object"`). */
export type ToolDefinition = { name: string; description: string; parameters: Record<string, unknown> };

/**
 * One model call.
 * - `responseFormat`: ask for structured output matching a JSON Schema; the JSON arrives as `content`.
 * - `task`: the task being worked on; the offline provider picks its scenario by `task.title`.
 * - `maxOutputTokens`: cap on generated tokens (defaults per provider, see the provider modules).
 */
export type ModelRequest = {
  agentRole: AgentRole;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  responseFormat?: { name: string; schema: Record<string, unknown> };
  task: { title: string; description: string };
  maxOutputTokens?: number;
};

/**
 * Token counts of one call. `inputTokens` counts every prompt token, cached ones included;
 * `cachedInputTokens` (prompt-cache reads) and `cacheWriteInputTokens` (Anthropic cache writes) are the
 * parts of it billed at other rates, when the provider reports them.
 */
export type TokenUsage = {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  cacheWriteInputTokens?: number;
};

/**
 * The provider-neutral result of one call.
 * - `offline: true` marks output of the scripted offline model (the UI labels it "offline model").
 * - `content`: text, or the JSON text when `responseFormat` was requested; null when only tools were called.
 * - `costUsdMicros`: USD × 1,000,000 from `lib/llm/prices.ts` (0 for offline and unpriced models).
 * - `latencyMs`: wall time of the successful attempt, in milliseconds.
 * - `replay`: provider content to send back with this turn (see {@link AssistantReplay}); plain JSON.
 * - `route`: set when the route did not simply use its first candidate: candidates a constraint
 *   ruled out (`skipped`) and attempts that failed before this one answered (`failed`, with reasons).
 */
export type ModelResponse = {
  provider: ProviderName;
  model: string;
  offline: boolean;
  content: string | null;
  toolCalls: ToolCall[];
  usage: TokenUsage;
  costUsdMicros: number;
  latencyMs: number;
  finishReason: "stop" | "tool_calls" | "length" | "other";
  replay?: AssistantReplay;
  route?: RouteNotes;
};

/** Why a call did not go to its route's first candidate (see `ModelResponse.route`). Plain JSON. */
export type RouteNotes = {
  skipped: { provider: ProviderName; model: string; reason: string; message: string }[];
  failed: { provider: ProviderName; model: string; reason: string; status?: number; message: string }[];
};
