import { settingsFromEnv, type LlmSettings } from "./settings";
import type { ModelCandidate, ModelTier } from "./types";
import { OFFLINE_MODEL } from "./providers/offline";
import { isLocalEndpoint } from "./route-constraints";

/**
 * Cheaper models for `economy` steps, per provider (see `prices.ts` for their prices). An
 * OpenAI-compatible server of your own (`OPENAI_BASE_URL` not OpenAI's) keeps its default model:
 * which cheaper models it has is unknown.
 */
export const ECONOMY_MODELS = { anthropic: "claude-haiku-4-5", openai: "gpt-4.1-nano" } as const;

function isOpenAiItself(baseURL: string | undefined): boolean {
  if (!baseURL) return true;
  try {
    return new URL(baseURL).hostname === "api.openai.com";
  } catch {
    return false;
  }
}

/**
 * The candidates that will actually be tried, in order.
 *
 * - An `openai` or `anthropic` candidate is kept only when that provider has an API key (for a keyless
 *   OpenAI-compatible server such as Ollama, set `OPENAI_API_KEY` to any placeholder).
 * - An empty route means the configured default: Anthropic's default model when `ANTHROPIC_API_KEY` is
 *   set, else OpenAI's when `OPENAI_API_KEY` is set. With `tier: "economy"` the default is the
 *   provider's cheaper model ({@link ECONOMY_MODELS}) instead.
 * - An explicit `offline` candidate is kept where it stands.
 * - When nothing is left, the route is `[{ provider: "offline", model: "offline-scripted" }]`. The offline
 *   model is never appended behind a configured provider: a failing real model must not be silently
 *   replaced by a scripted one.
 */
export function resolveRoute(
  route: ModelCandidate[],
  settings: LlmSettings = settingsFromEnv(),
  opts: { tier?: ModelTier } = {},
): ModelCandidate[] {
  const economy = opts.tier === "economy";
  const configured = (provider: ModelCandidate["provider"]) =>
    provider === "offline" ||
    (provider === "openai" && !!settings.openai.apiKey) ||
    (provider === "anthropic" && !!settings.anthropic.apiKey);

  let resolved: ModelCandidate[];
  if (route.length === 0) {
    const openAiModel =
      economy && isOpenAiItself(settings.openai.baseURL) && !isLocalEndpoint(settings.openai.baseURL)
        ? ECONOMY_MODELS.openai
        : settings.openai.defaultModel;
    resolved = settings.anthropic.apiKey
      ? [{ provider: "anthropic", model: economy ? ECONOMY_MODELS.anthropic : settings.anthropic.defaultModel }]
      : settings.openai.apiKey
        ? [{ provider: "openai", model: openAiModel }]
        : [];
  } else {
    resolved = route.filter((candidate) => configured(candidate.provider));
  }
  return resolved.length > 0 ? resolved : [{ provider: "offline", model: OFFLINE_MODEL }];
}
