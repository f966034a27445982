import OpenAI from "openai";
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";
import { toStrictJsonSchema } from "openai/lib/transform";
import { z } from "zod";
import { InvalidProviderResponseError } from "../errors";
import { costUsdMicros } from "../prices";
import { withoutDialect } from "../schemas";
import type { ProviderSettings } from "../settings";
import type { ChatMessage, ModelRequest, ModelResponse, ToolCall } from "../types";
import { parseToolArguments } from "./tool-arguments";

/** Output cap when the request gives none, in tokens. */
export const OPENAI_DEFAULT_MAX_OUTPUT_TOKENS = 8192;

// Only the fields we read; OpenAI-compatible servers (Ollama, vLLM, llama.cpp) omit some of the rest.
const completionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string(),
                type: z.string().optional(),
                function: z.object({ name: z.string(), arguments: z.string() }).optional(),
              }),
            )
            .nullish(),
        }),
      }),
    )
    .min(1),
  usage: z
    .object({
      prompt_tokens: z.number().int().nonnegative(),
      completion_tokens: z.number().int().nonnegative(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative().nullish() }).nullish(),
    })
    .nullish(),
});

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case "system":
      return { role: "system", content: message.content };
    case "user":
      return { role: "user", content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls && message.toolCalls.length > 0
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: "function" as const,
                function: { name: call.name, arguments: JSON.stringify(call.arguments) },
              })),
            }
          : {}),
      };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
  }
}

/**
 * Structured output: strict mode when the schema can be made strict without changing its meaning
 * (the SDK's own normaliser decides; it refuses e.g. optional-without-nullable fields), otherwise
 * non-strict `json_schema`, which models follow but the server does not enforce.
 */
function responseFormatOf(format: NonNullable<ModelRequest["responseFormat"]>) {
  const schema = withoutDialect(format.schema);
  try {
    const strictSchema: Record<string, unknown> = { ...toStrictJsonSchema(schema) };
    return { type: "json_schema" as const, json_schema: { name: format.name, schema: strictSchema, strict: true } };
  } catch {
    return { type: "json_schema" as const, json_schema: { name: format.name, schema, strict: false } };
  }
}

/** The Chat Completions request body for a {@link ModelRequest}. Exported for tests. */
export function buildOpenAiRequest(model: string, req: ModelRequest): ChatCompletionCreateParamsNonStreaming {
  const tools: ChatCompletionTool[] | undefined = req.tools?.map((tool) => ({
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: withoutDialect(tool.parameters) },
  }));
  return {
    model,
    messages: req.messages.map(toOpenAiMessage),
    max_completion_tokens: req.maxOutputTokens ?? OPENAI_DEFAULT_MAX_OUTPUT_TOKENS,
    ...(tools && tools.length > 0 ? { tools } : {}),
    ...(req.responseFormat ? { response_format: responseFormatOf(req.responseFormat) } : {}),
  };
}

function finishReasonOf(reason: string | null | undefined): ModelResponse["finishReason"] {
  if (reason === "stop") return "stop";
  if (reason === "tool_calls" || reason === "function_call") return "tool_calls";
  if (reason === "length") return "length";
  return "other";
}

/**
 * Calls an OpenAI(-compatible) Chat Completions endpoint once: no SDK retries (`maxRetries: 0`), the
 * route in `generate` does the fallback. Throws the SDK's errors (classified by `classifyProviderError`)
 * or {@link InvalidProviderResponseError}.
 */
export async function callOpenAi(
  settings: ProviderSettings,
  model: string,
  req: ModelRequest,
  timeoutMs: number,
): Promise<ModelResponse> {
  const client = new OpenAI({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    maxRetries: 0,
    timeout: timeoutMs,
  });
  const started = performance.now();
  const raw: unknown = await client.chat.completions.create(buildOpenAiRequest(model, req));
  const latencyMs = Math.round(performance.now() - started);

  const parsed = completionSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidProviderResponseError(`Unexpected chat completion shape: ${parsed.error.message}`);
  }
  const choice = parsed.data.choices[0];
  if (!choice) throw new InvalidProviderResponseError("Chat completion has no choices");
  const toolCalls: ToolCall[] = [];
  for (const call of choice.message.tool_calls ?? []) {
    if (!call.function) continue; // custom (non-function) tools are never offered, so never expected
    toolCalls.push({ id: call.id, name: call.function.name, arguments: parseToolArguments(call.function.arguments) });
  }
  const usage = parsed.data.usage;
  const tokenUsage = {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    ...(usage?.prompt_tokens_details?.cached_tokens
      ? { cachedInputTokens: usage.prompt_tokens_details.cached_tokens }
      : {}),
  };
  return {
    provider: "openai",
    model,
    offline: false,
    content: choice.message.content ?? null,
    toolCalls,
    usage: tokenUsage,
    costUsdMicros: costUsdMicros("openai", model, tokenUsage),
    latencyMs,
    finishReason: toolCalls.length > 0 ? "tool_calls" : finishReasonOf(choice.finish_reason),
  };
}
