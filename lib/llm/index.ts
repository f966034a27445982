/**
 * Model providers behind one call: `generate(route, request)` tries the route's candidates (OpenAI or
 * any OpenAI-compatible server, Anthropic, or the scripted offline model) and returns a provider-neutral
 * response with usage and cost. See `types.ts` for the shapes.
 */
export type {
  AgentRole,
  AssistantReplay,
  ChatMessage,
  ModelCandidate,
  ModelRequest,
  ModelResponse,
  ModelTier,
  ProviderName,
  RouteNotes,
  TokenUsage,
  ToolCall,
  ToolDefinition,
} from "./types";
export { generate, type GenerateOptions } from "./generate";
export { assistantMessage } from "./assistant-message";
export { resolveRoute, ECONOMY_MODELS } from "./resolve-route";
export {
  applyConstraints,
  estimatePromptTokens,
  isLocalEndpoint,
  worstCaseCostUsdMicros,
  type RouteConstraints,
  type SkippedCandidate,
} from "./route-constraints";
export { costUsdMicros, modelPrices, priceOf, type ModelPrice } from "./prices";
export { ModelRouteError, type AttemptFailure, type FailureReason } from "./errors";
export { settingsFromEnv, DEFAULT_MODEL_TIMEOUT_MS, type LlmSettings, type ProviderSettings } from "./settings";
export { OFFLINE_MODEL } from "./providers/offline";
export {
  planSchema,
  reviewSchema,
  planResponseFormat,
  reviewResponseFormat,
  toJsonSchema,
  type Plan,
  type Review,
} from "./schemas";
export { recordLlmCall } from "./ledger";
