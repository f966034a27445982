import { SpanKind } from "@opentelemetry/api";
import { recordModelFailure } from "@/lib/observability/metrics";
import { withSpan } from "@/lib/observability/tracing";
import { classifyProviderError, fallsBack, ModelRouteError, type AttemptFailure } from "./errors";
import { callAnthropic } from "./providers/anthropic";
import { callOffline } from "./providers/offline";
import { callOpenAi } from "./providers/openai";
import { resolveRoute } from "./resolve-route";
import { applyConstraints, type RouteConstraints } from "./route-constraints";
import { settingsFromEnv, type LlmSettings } from "./settings";
import type { ModelCandidate, ModelRequest, ModelResponse, ModelTier } from "./types";

/**
 * Options of {@link generate}: `tier` picks the default model of an empty route, `constraints` rule
 * candidates out (privacy, cost per call); tests pass settings and a scenario folder instead of the
 * environment's.
 */
export type GenerateOptions = { settings?: LlmSettings; scenarioDir?: string; tier?: ModelTier; constraints?: RouteConstraints };

function callCandidate(
  candidate: ModelCandidate,
  req: ModelRequest,
  settings: LlmSettings,
  scenarioDir: string | undefined,
): Promise<ModelResponse> {
  switch (candidate.provider) {
    case "openai":
      return callOpenAi(settings.openai, candidate.model, req, settings.timeoutMs);
    case "anthropic":
      return callAnthropic(settings.anthropic, candidate.model, req, settings.timeoutMs);
    case "offline":
      return callOffline(req, { latencyMs: settings.offlineLatencyMs, scenarioDir });
  }
}

/**
 * One attempt as a client span `chat <model>` with the OpenTelemetry GenAI semantic conventions
 * (`gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model`, `gen_ai.response.model`,
 * `gen_ai.usage.input_tokens` / `output_tokens`, `gen_ai.response.finish_reasons`) plus the agent role
 * and cost in USD micros; the task and run ids come from the step's context.
 */
function traceModelCall(candidate: ModelCandidate, req: ModelRequest, call: () => Promise<ModelResponse>): Promise<ModelResponse> {
  return withSpan(
    `chat ${candidate.model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": candidate.provider,
        "gen_ai.request.model": candidate.model,
        ...(req.maxOutputTokens ? { "gen_ai.request.max_tokens": req.maxOutputTokens } : {}),
        "squadron.agent_role": req.agentRole,
      },
    },
    async (span) => {
      const response = await call();
      span.setAttributes({
        "gen_ai.response.model": response.model,
        "gen_ai.usage.input_tokens": response.usage.inputTokens,
        "gen_ai.usage.output_tokens": response.usage.outputTokens,
        "gen_ai.response.finish_reasons": [response.finishReason],
        "squadron.cost_usd_micros": response.costUsdMicros,
      });
      return response;
    },
  );
}

/**
 * Runs one model call along a route: the candidates of {@link resolveRoute} that the constraints
 * allow, in order, one attempt each. A 429, 5xx, timeout, network error or unparseable response moves
 * on to the next candidate; any other failure (e.g. 400, 401) stops at once.
 *
 * @returns the first successful {@link ModelResponse} (usage in tokens, cost in USD micros, latency in
 *   ms), with `route` saying which candidates were skipped or failed before it, and why
 * @throws ModelRouteError (an `AppError`) listing every failed attempt with its reason and HTTP status,
 *   and the candidates the constraints ruled out
 */
export async function generate(
  route: ModelCandidate[],
  req: ModelRequest,
  options: GenerateOptions = {},
): Promise<ModelResponse> {
  const settings = options.settings ?? settingsFromEnv();
  const { allowed, skipped } = applyConstraints(resolveRoute(route, settings, { tier: options.tier }), options.constraints, settings, req);
  const attempts: AttemptFailure[] = [];
  for (const candidate of allowed) {
    try {
      const response = await traceModelCall(candidate, req, () => callCandidate(candidate, req, settings, options.scenarioDir));
      return skipped.length > 0 || attempts.length > 0 ? { ...response, route: { skipped, failed: attempts } } : response;
    } catch (error) {
      const failure = classifyProviderError(candidate.provider, candidate.model, error);
      recordModelFailure(candidate.provider, candidate.model, failure.reason);
      attempts.push(failure);
      if (!fallsBack(failure.reason)) break;
    }
  }
  throw new ModelRouteError(attempts, skipped);
}
