import Anthropic from "@anthropic-ai/sdk";
import type {
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  Tool,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { transformJSONSchema } from "@anthropic-ai/sdk/lib/transform-json-schema";
import { z } from "zod";
import { InvalidProviderResponseError } from "../errors";
import { costUsdMicros } from "../prices";
import { withoutDialect } from "../schemas";
import type { ProviderSettings } from "../settings";
import type { AssistantReplay, ChatMessage, ModelRequest, ModelResponse, ToolCall } from "../types";
import { parseToolArguments } from "./tool-arguments";

/**
 * Output cap when the request gives none, in tokens (`max_tokens` is required by the Messages API).
 * Thinking counts against it (on by default on newer models), hence the headroom; it stays under the
 * ~21k tokens above which the SDK refuses non-streaming requests.
 */
export const ANTHROPIC_DEFAULT_MAX_OUTPUT_TOKENS = 16_000;

// Response blocks kept for replay, reduced to the fields a request accepts.
const replayBlockSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() }),
  z.object({ type: z.literal("redacted_thinking"), data: z.string() }),
  z.object({ type: z.literal("text"), text: z.string() }),
  z.object({ type: z.literal("tool_use"), id: z.string(), name: z.string(), input: z.record(z.string(), z.unknown()) }),
]);

const messageSchema = z.object({
  content: z.array(
    z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      id: z.string().optional(),
      name: z.string().optional(),
      input: z.unknown().optional(),
    }),
  ),
  stop_reason: z.string().nullish(),
  usage: z.object({
    input_tokens: z.number().int().nonnegative(),
    output_tokens: z.number().int().nonnegative(),
    cache_creation_input_tokens: z.number().int().nonnegative().nullish(),
    cache_read_input_tokens: z.number().int().nonnegative().nullish(),
  }),
});

type Turn = { role: "user" | "assistant"; content: ContentBlockParam[] };

function blocksOf(message: ChatMessage, model: string): ContentBlockParam[] {
  if (message.role === "tool") {
    return [{ type: "tool_result", tool_use_id: message.toolCallId, content: message.content }];
  }
  if (message.role === "assistant") {
    // Thinking blocks go back verbatim, but only to the model that wrote them.
    if (message.replay && message.replay.provider === "anthropic" && message.replay.model === model) {
      return message.replay.content.filter((b) => b.type !== "text" || b.text !== "");
    }
    const blocks: ContentBlockParam[] = [];
    if (message.content) blocks.push({ type: "text", text: message.content });
    for (const call of message.toolCalls ?? []) {
      blocks.push({ type: "tool_use", id: call.id, name: call.name, input: call.arguments });
    }
    return blocks;
  }
  // Empty text blocks are rejected by the API.
  return message.content === "" ? [] : [{ type: "text", text: message.content }];
}

/**
 * Maps the neutral conversation onto the Messages API: system messages become the top-level `system`
 * prompt, tool results become `tool_result` blocks of a user turn, and consecutive messages of one role
 * are merged (all results of one assistant turn must arrive in the next user turn, results first).
 */
function toAnthropicMessages(messages: ChatMessage[], model: string): { system: string; turns: MessageParam[] } {
  const systemParts: string[] = [];
  const turns: Turn[] = [];
  for (const message of messages) {
    if (message.role === "system") {
      systemParts.push(message.content);
      continue;
    }
    const role = message.role === "assistant" ? "assistant" : "user";
    const blocks = blocksOf(message, model);
    if (blocks.length === 0) continue;
    const last = turns.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  }
  for (const turn of turns) {
    if (turn.role !== "user") continue;
    const results = turn.content.filter((b) => b.type === "tool_result");
    const rest = turn.content.filter((b) => b.type !== "tool_result");
    turn.content = [...results, ...rest];
  }
  return { system: systemParts.join("\n\n"), turns };
}

/**
 * The Messages API request body for a {@link ModelRequest}. Exported for tests.
 *
 * - The system prompt carries `cache_control: ephemeral`: tools and system prompt are the stable prefix
 *   of every turn of an agent's tool loop, so later turns read them from the prompt cache.
 * - Structured output uses `output_config.format` (JSON Schema; the SDK's `transformJSONSchema` moves
 *   constraints the API does not enforce, such as `minLength`, into descriptions). A forced tool is not
 *   used because newer models reject forced tool use; the JSON arrives as the text `content`.
 */
export function buildAnthropicRequest(model: string, req: ModelRequest): MessageCreateParamsNonStreaming {
  const { system, turns } = toAnthropicMessages(req.messages, model);
  const tools: Tool[] | undefined = req.tools?.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: { ...withoutDialect(tool.parameters), type: "object" },
  }));
  return {
    model,
    max_tokens: req.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_OUTPUT_TOKENS,
    messages: turns,
    ...(system ? { system: [{ type: "text", text: system, cache_control: { type: "ephemeral" } }] } : {}),
    ...(tools && tools.length > 0 ? { tools } : {}),
    ...(req.responseFormat
      ? { output_config: { format: { type: "json_schema", schema: transformJSONSchema(req.responseFormat.schema) } } }
      : {}),
  };
}

function finishReasonOf(reason: string | null | undefined): ModelResponse["finishReason"] {
  if (reason === "end_turn" || reason === "stop_sequence") return "stop";
  if (reason === "tool_use") return "tool_calls";
  if (reason === "max_tokens" || reason === "model_context_window_exceeded") return "length";
  return "other";
}

/**
 * Calls the Anthropic Messages API once (`maxRetries: 0`; fallback is the route's job). Throws the SDK's
 * errors (classified by `classifyProviderError`) or {@link InvalidProviderResponseError}.
 * `usage.inputTokens` is the whole prompt: uncached + cache writes + cache reads.
 */
export async function callAnthropic(
  settings: ProviderSettings,
  model: string,
  req: ModelRequest,
  timeoutMs: number,
): Promise<ModelResponse> {
  const client = new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    maxRetries: 0,
    timeout: timeoutMs,
  });
  const started = performance.now();
  const raw: unknown = await client.messages.create(buildAnthropicRequest(model, req));
  const latencyMs = Math.round(performance.now() - started);

  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidProviderResponseError(`Unexpected message shape: ${parsed.error.message}`);
  }
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  const replayContent: AssistantReplay["content"] = [];
  let thought = false;
  for (const block of parsed.data.content) {
    if (block.type === "text" && block.text !== undefined) texts.push(block.text);
    if (block.type === "tool_use" && block.id && block.name) {
      toolCalls.push({ id: block.id, name: block.name, arguments: parseToolArguments(block.input) });
    }
    const kept = replayBlockSchema.safeParse(block.type === "tool_use" ? { ...block, input: parseToolArguments(block.input) } : block);
    if (kept.success) {
      replayContent.push(kept.data);
      if (kept.data.type === "thinking" || kept.data.type === "redacted_thinking") thought = true;
    }
  }
  const usage = parsed.data.usage;
  const cacheWrites = usage.cache_creation_input_tokens ?? 0;
  const cacheReads = usage.cache_read_input_tokens ?? 0;
  const tokenUsage = {
    inputTokens: usage.input_tokens + cacheWrites + cacheReads,
    outputTokens: usage.output_tokens,
    ...(cacheReads > 0 ? { cachedInputTokens: cacheReads } : {}),
    ...(cacheWrites > 0 ? { cacheWriteInputTokens: cacheWrites } : {}),
  };
  return {
    provider: "anthropic",
    model,
    offline: false,
    content: texts.length > 0 ? texts.join("") : null,
    toolCalls,
    usage: tokenUsage,
    costUsdMicros: costUsdMicros("anthropic", model, tokenUsage),
    latencyMs,
    finishReason: finishReasonOf(parsed.data.stop_reason),
    // Without thinking blocks the neutral message rebuilds the same turn, so there is nothing to replay.
    ...(thought ? { replay: { provider: "anthropic" as const, model, content: replayContent } } : {}),
  };
}
