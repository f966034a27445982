import { Tiktoken } from "js-tiktoken/lite";
import o200kBase from "js-tiktoken/ranks/o200k_base";
import type { ChatMessage, ProviderName } from "@/lib/llm/types";

/**
 * Context windows in tokens (prompt + output), by model id prefix, longest prefix wins.
 * Sources: OpenAI's model pages (GPT-4.1 family 1,047,576; GPT-5 family 400,000; GPT-4o 128,000;
 * o3 / o4-mini 200,000) and Anthropic's models overview (200,000 for every Claude model listed; the
 * 1M beta is opt-in and not assumed), as the vendors document them; not re-checked against the live
 * pages. Update with `lib/llm/prices.ts` when a model is added.
 */
const contextWindows: Record<Exclude<ProviderName, "offline">, Record<string, number>> = {
  openai: {
    "gpt-5": 400_000,
    "gpt-4.1": 1_047_576,
    "gpt-4o": 128_000,
    o3: 200_000,
    "o4-mini": 200_000,
  },
  anthropic: { claude: 200_000 },
};

/**
 * The window assumed for a model we do not know (a local Ollama / vLLM / llama.cpp model behind
 * `OPENAI_BASE_URL`): 32,768 tokens, a common configured context of local servers. Eliding early is
 * cheaper than a 400 for a prompt that does not fit.
 */
export const UNKNOWN_CONTEXT_WINDOW = 32_768;
/** The scripted offline model has no window; this keeps its runs free of elisions. */
const OFFLINE_CONTEXT_WINDOW = 1_000_000;

/** The context window of `provider`/`model`, in tokens (see the table's sources). */
export function contextWindowOf(provider: ProviderName, model: string): number {
  if (provider === "offline") return OFFLINE_CONTEXT_WINDOW;
  let best: { prefix: string; tokens: number } | null = null;
  for (const [prefix, tokens] of Object.entries(contextWindows[provider])) {
    if (model.startsWith(prefix) && (!best || prefix.length > best.prefix.length)) best = { prefix, tokens };
  }
  return best?.tokens ?? UNKNOWN_CONTEXT_WINDOW;
}

let encoder: Tiktoken | null = null;
// Messages are immutable once sent, so their counts are cached by content (runs re-count every turn).
const cache = new Map<string, number>();
const MAX_CACHE_ENTRIES = 5_000;

/**
 * Tokens of a text with OpenAI's `o200k_base` encoding (js-tiktoken). For other vendors' models it is
 * an estimate (Claude's tokenizer is not public; counts are within ~10–20% for code and English).
 */
export function countTokens(text: string): number {
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  encoder ??= new Tiktoken(o200kBase);
  const tokens = encoder.encode(text, [], []).length;
  if (cache.size >= MAX_CACHE_ENTRIES) cache.clear();
  cache.set(text, tokens);
  return tokens;
}

// Per-message framing (role, separators) as OpenAI documents for chat models: ~4 tokens a message.
const PER_MESSAGE_TOKENS = 4;

/** Estimated prompt tokens of one message: its text, its tool calls' names and JSON arguments, framing. */
export function messageTokens(message: ChatMessage): number {
  let tokens = PER_MESSAGE_TOKENS;
  if (message.content) tokens += countTokens(message.content);
  if (message.role === "assistant") {
    for (const call of message.toolCalls ?? []) tokens += countTokens(`${call.name} ${JSON.stringify(call.arguments)}`);
  }
  return tokens;
}

/** Estimated prompt tokens of a conversation plus the tool definitions' JSON (sent with every call). */
export function conversationTokens(messages: readonly ChatMessage[], toolsJson = ""): number {
  return messages.reduce((sum, m) => sum + messageTokens(m), toolsJson ? countTokens(toolsJson) : 0);
}

function byteBound(messages: readonly ChatMessage[], toolsJson: string): number {
  let bytes = Buffer.byteLength(toolsJson);
  for (const m of messages) {
    bytes += PER_MESSAGE_TOKENS + (m.content ? Buffer.byteLength(m.content) : 0);
    if (m.role === "assistant") for (const c of m.toolCalls ?? []) bytes += Buffer.byteLength(`${c.name} ${JSON.stringify(c.arguments)}`);
  }
  return bytes;
}

/** The first characters of an elided tool output; the model sees this instead of the output. */
export const ELIDED_PREFIX = "[output elided to save context";

/** What one elision replaced. */
export type ElidedOutput = { tool: string; toolCallId: string; tokens: number; summary: string };

/**
 * When to elide and how far: above `triggerRatio` of the window (after reserving `reserveTokens` for
 * the answer), the oldest tool outputs are replaced until the estimate is below `targetRatio`. The
 * last `keepRecent` tool outputs are never touched (the model is working with them).
 */
export type ElisionPolicy = { windowTokens: number; reserveTokens: number; triggerRatio: number; targetRatio: number; keepRecent: number };

/** Defaults: elide above 75% of (window − 8,192 reserved output tokens) down to 50%; keep the last 4 outputs. */
export function defaultElisionPolicy(windowTokens: number): ElisionPolicy {
  return { windowTokens, reserveTokens: 8_192, triggerRatio: 0.75, targetRatio: 0.5, keepRecent: 4 };
}

function summaryOf(output: string): string {
  const lines = output.split("\n");
  const first = (lines.find((l) => l.trim() !== "") ?? "").trim();
  return `${first.length > 120 ? `${first.slice(0, 117)}…` : first} (${lines.length} line${lines.length === 1 ? "" : "s"})`;
}

/**
 * Makes room in a conversation that nears the model's window: replaces the content of the oldest tool
 * results by a one-line summary (`[output elided to save context: <tool> → <first line> (N lines);
 * call it again if you need it]`), keeping every call and its result message so the conversation
 * stays well-formed for both providers. Deterministic (same messages → same elisions), so a durable
 * replay rebuilds the same conversation. Mutates `messages` in place.
 *
 * @returns the estimate before and after, in tokens (an upper bound when under the trigger), and what
 *   was elided (empty when under the trigger)
 */
export function elideOldToolOutputs(
  messages: ChatMessage[],
  policy: ElisionPolicy,
  toolsJson = "",
): { beforeTokens: number; afterTokens: number; elided: ElidedOutput[] } {
  const usable = Math.max(1, policy.windowTokens - policy.reserveTokens);
  // A byte-level BPE token is at least one UTF-8 byte: a conversation with fewer bytes than the trigger
  // cannot be over it, so most turns skip the tokenizer (and loading its ranks) altogether.
  const bound = byteBound(messages, toolsJson);
  if (bound <= usable * policy.triggerRatio) return { beforeTokens: bound, afterTokens: bound, elided: [] };
  const beforeTokens = conversationTokens(messages, toolsJson);
  if (beforeTokens <= usable * policy.triggerRatio) return { beforeTokens, afterTokens: beforeTokens, elided: [] };
  const target = usable * policy.targetRatio;
  const toolIndexes = messages.flatMap((m, i) => (m.role === "tool" ? [i] : []));
  const candidates = toolIndexes.slice(0, Math.max(0, toolIndexes.length - policy.keepRecent));
  let tokens = beforeTokens;
  const elided: ElidedOutput[] = [];
  for (const i of candidates) {
    if (tokens <= target) break;
    const message = messages[i];
    if (!message || message.role !== "tool" || message.content.startsWith(ELIDED_PREFIX)) continue;
    const before = messageTokens(message);
    const summary = summaryOf(message.content);
    const replaced: ChatMessage = {
      ...message,
      content: `${ELIDED_PREFIX}: ${message.name} → ${summary}; call it again if you need it]`,
    };
    messages[i] = replaced;
    tokens -= before - messageTokens(replaced);
    elided.push({ tool: message.name, toolCallId: message.toolCallId, tokens: before, summary });
  }
  return { beforeTokens, afterTokens: tokens, elided };
}
