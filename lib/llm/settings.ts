import { env } from "@/lib/env";

/** Connection settings of one hosted provider. A provider without `apiKey` is not configured. */
export type ProviderSettings = { apiKey?: string; baseURL?: string; defaultModel: string };

/**
 * Everything the model layer reads from configuration. Built from `lib/env.ts` by default; tests and
 * scripts may pass their own to {@link resolveRoute} and {@link generate}.
 * - `timeoutMs`: per-attempt HTTP timeout in ms; a timed-out attempt falls back to the next candidate.
 * - `offlineLatencyMs`: simulated latency of each offline call in ms (`OFFLINE_MODEL_LATENCY_MS`).
 */
export type LlmSettings = {
  openai: ProviderSettings;
  anthropic: ProviderSettings;
  timeoutMs: number;
  offlineLatencyMs: number;
};

/**
 * Per-attempt timeout of a hosted model call, in ms. Long enough for a large completion
 * (16k output tokens, thinking included, at ~60 tokens/s), short enough that a hung connection falls back.
 */
export const DEFAULT_MODEL_TIMEOUT_MS = 300_000;

/** The settings from the validated environment (`OPENAI_*`, `ANTHROPIC_*`, `OFFLINE_MODEL_LATENCY_MS`). */
export function settingsFromEnv(): LlmSettings {
  return {
    openai: { apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, defaultModel: env.OPENAI_MODEL },
    anthropic: { apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL, defaultModel: env.ANTHROPIC_MODEL },
    timeoutMs: DEFAULT_MODEL_TIMEOUT_MS,
    offlineLatencyMs: env.OFFLINE_MODEL_LATENCY_MS,
  };
}
