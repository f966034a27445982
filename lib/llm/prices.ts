import type { ProviderName, TokenUsage } from "./types";

/**
 * List prices in USD per 1,000,000 tokens (standard tier, no batch discount).
 * `cachedInput` is the prompt-cache read price; `cacheWrite` is Anthropic's 5-minute cache write price.
 */
export type ModelPrice = { input: number; output: number; cachedInput?: number; cacheWrite?: number };

/**
 * Prices per model, USD per 1M tokens.
 *
 * Sources (list prices as of 2026-11-21; checked that day against stored copies of these pages and
 * of third-party summaries quoting them, not against the live pages):
 * - OpenAI: https://developers.openai.com/api/docs/pricing (cached input: 75% off for GPT-4.1 and o-series,
 *   50% off for GPT-4o, 90% off for GPT-5)
 * - Anthropic: https://platform.claude.com/docs/en/about-claude/pricing (5m cache write = 1.25 × input,
 *   cache hit = 0.1 × input)
 *
 * Keys are model ids; a dated snapshot (`gpt-4.1-mini-2025-04-14`, `claude-sonnet-4-5-20250929`) is
 * priced as the longest key it starts with. Update this table when a vendor changes its prices.
 */
export const modelPrices: Record<Exclude<ProviderName, "offline">, Record<string, ModelPrice>> = {
  openai: {
    "gpt-5": { input: 1.25, cachedInput: 0.125, output: 10 },
    "gpt-5-mini": { input: 0.25, cachedInput: 0.025, output: 2 },
    "gpt-5-nano": { input: 0.05, cachedInput: 0.005, output: 0.4 },
    "gpt-4.1": { input: 2, cachedInput: 0.5, output: 8 },
    "gpt-4.1-mini": { input: 0.4, cachedInput: 0.1, output: 1.6 },
    "gpt-4.1-nano": { input: 0.1, cachedInput: 0.025, output: 0.4 },
    "gpt-4o": { input: 2.5, cachedInput: 1.25, output: 10 },
    "gpt-4o-mini": { input: 0.15, cachedInput: 0.075, output: 0.6 },
    o3: { input: 2, cachedInput: 0.5, output: 8 },
    "o4-mini": { input: 1.1, cachedInput: 0.275, output: 4.4 },
  },
  anthropic: {
    "claude-opus-4-5": { input: 5, cacheWrite: 6.25, cachedInput: 0.5, output: 25 },
    "claude-opus-4-6": { input: 5, cacheWrite: 6.25, cachedInput: 0.5, output: 25 },
    "claude-opus-4-7": { input: 5, cacheWrite: 6.25, cachedInput: 0.5, output: 25 },
    "claude-opus-4-8": { input: 5, cacheWrite: 6.25, cachedInput: 0.5, output: 25 },
    "claude-opus-5": { input: 5, cacheWrite: 6.25, cachedInput: 0.5, output: 25 },
    "claude-sonnet-4": { input: 3, cacheWrite: 3.75, cachedInput: 0.3, output: 15 },
    "claude-sonnet-4-5": { input: 3, cacheWrite: 3.75, cachedInput: 0.3, output: 15 },
    "claude-sonnet-4-6": { input: 3, cacheWrite: 3.75, cachedInput: 0.3, output: 15 },
    "claude-sonnet-5": { input: 2, cacheWrite: 2.5, cachedInput: 0.2, output: 10 },
    "claude-sonnet-5-5": { input: 2, cacheWrite: 2.5, cachedInput: 0.2, output: 10 },
    "claude-haiku-4-5": { input: 1, cacheWrite: 1.25, cachedInput: 0.1, output: 5 },
  },
};

/**
 * The price entry for a model: exact id first, else the longest id that `model` starts with followed
 * by `-` (dated snapshots). `null` for the offline provider and for unknown models (e.g. a local Ollama
 * model behind `OPENAI_BASE_URL`), which are then costed at 0.
 */
export function priceOf(provider: ProviderName, model: string): ModelPrice | null {
  if (provider === "offline") return null;
  const table = modelPrices[provider];
  const exact = table[model];
  if (exact) return exact;
  let best: string | null = null;
  for (const key of Object.keys(table)) {
    if (model.startsWith(`${key}-`) && (best === null || key.length > best.length)) best = key;
  }
  return best === null ? null : (table[best] ?? null);
}

/**
 * Cost of one call in USD micros (1 USD = 1,000,000 micros), rounded to the nearest micro.
 *
 * A price in USD per 1M tokens is numerically micros per token, so cost = Σ tokens × price.
 * Cached reads and cache writes (parts of `usage.inputTokens`) are charged at their own rates when the
 * model has them, the rest of the input at the input rate. Offline and unpriced models cost 0.
 */
export function costUsdMicros(provider: ProviderName, model: string, usage: TokenUsage): number {
  const price = priceOf(provider, model);
  if (!price) return 0;
  const cached = Math.max(0, usage.cachedInputTokens ?? 0);
  const written = Math.max(0, usage.cacheWriteInputTokens ?? 0);
  const uncached = Math.max(0, usage.inputTokens - cached - written);
  const micros =
    uncached * price.input +
    cached * (price.cachedInput ?? price.input) +
    written * (price.cacheWrite ?? price.input) +
    Math.max(0, usage.outputTokens) * price.output;
  return Math.round(micros);
}
