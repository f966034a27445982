import type { ChatMessage, ModelResponse } from "./types";

/**
 * The assistant message to append to the conversation after `response`: its text, its tool calls and
 * the provider content that must be replayed (Anthropic thinking blocks). Append the `tool` results
 * after it, one per tool call, in order.
 */
export function assistantMessage(response: ModelResponse): Extract<ChatMessage, { role: "assistant" }> {
  return {
    role: "assistant",
    content: response.content,
    ...(response.toolCalls.length > 0 ? { toolCalls: response.toolCalls } : {}),
    ...(response.replay ? { replay: response.replay } : {}),
  };
}
