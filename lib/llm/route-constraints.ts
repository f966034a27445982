import { priceOf } from "./prices";
import { ANTHROPIC_DEFAULT_MAX_OUTPUT_TOKENS } from "./providers/anthropic";
import { OPENAI_DEFAULT_MAX_OUTPUT_TOKENS } from "./providers/openai";
import type { LlmSettings } from "./settings";
import type { ChatMessage, ModelCandidate, ModelRequest } from "./types";

/**
 * Limits on which candidates of a route may be called:
 * - `privacy: "local_only"`: only models that keep the data on your own machines — an OpenAI-compatible
 *   server at a local or private address (`OPENAI_BASE_URL`: loopback, RFC 1918 / unique-local
 *   addresses, `*.local`, `*.internal`, `*.localhost`) or the offline model. Anthropic and OpenAI's
 *   own API are skipped.
 * - `maxCostPerCallUsdMicros`: skip a candidate whose worst-case cost for this call (prompt tokens,
 *   estimated at 4 characters per token, plus the output cap, at its list price) is higher.
 *   Unpriced models (local servers) cost 0.
 */
export type RouteConstraints = { privacy?: "any" | "local_only"; maxCostPerCallUsdMicros?: number | null };

/** A candidate left out of a call by a constraint, and why. */
export type SkippedCandidate = { provider: ModelCandidate["provider"]; model: string; reason: "not_local" | "over_max_cost"; message: string };

function isPrivateIpv4(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}

/** Whether an OpenAI-compatible base URL points at a local or private-network server. Unset = OpenAI's API. */
export function isLocalEndpoint(baseURL: string | undefined): boolean {
  if (!baseURL) return false;
  let host: string;
  try {
    host = new URL(baseURL).hostname.toLowerCase();
  } catch {
    return false;
  }
  const bare = host.replace(/^\[|\]$/g, "");
  return (
    bare === "localhost" ||
    bare.endsWith(".localhost") ||
    bare.endsWith(".local") ||
    bare.endsWith(".internal") ||
    bare === "::1" ||
    /^f[cd][0-9a-f]{2}:/.test(bare) ||
    isPrivateIpv4(bare)
  );
}

function messageChars(m: ChatMessage): number {
  if (m.role === "assistant") return (m.content?.length ?? 0) + (m.toolCalls ? JSON.stringify(m.toolCalls).length : 0);
  return m.content.length;
}

/** Prompt tokens of a request, estimated as ceil(characters / 4) of messages, tools and response schema. */
export function estimatePromptTokens(req: Pick<ModelRequest, "messages" | "tools" | "responseFormat">): number {
  const chars =
    req.messages.reduce((sum, m) => sum + messageChars(m), 0) +
    (req.tools ? JSON.stringify(req.tools).length : 0) +
    (req.responseFormat ? JSON.stringify(req.responseFormat.schema).length : 0);
  return Math.ceil(chars / 4);
}

/** The most a call to `candidate` can cost, in USD micros: estimated prompt plus the whole output cap. */
export function worstCaseCostUsdMicros(candidate: ModelCandidate, req: ModelRequest): number {
  if (candidate.provider === "offline") return 0;
  const price = priceOf(candidate.provider, candidate.model);
  if (!price) return 0;
  const cap = req.maxOutputTokens ?? (candidate.provider === "anthropic" ? ANTHROPIC_DEFAULT_MAX_OUTPUT_TOKENS : OPENAI_DEFAULT_MAX_OUTPUT_TOKENS);
  return Math.round(estimatePromptTokens(req) * price.input + cap * price.output);
}

/**
 * Splits resolved candidates into those this call may use and those a constraint rules out (with
 * the reason, for the record).
 */
export function applyConstraints(
  candidates: ModelCandidate[],
  constraints: RouteConstraints | undefined,
  settings: LlmSettings,
  req: ModelRequest,
): { allowed: ModelCandidate[]; skipped: SkippedCandidate[] } {
  const allowed: ModelCandidate[] = [];
  const skipped: SkippedCandidate[] = [];
  for (const c of candidates) {
    if (constraints?.privacy === "local_only") {
      const local = c.provider === "offline" || (c.provider === "openai" && isLocalEndpoint(settings.openai.baseURL));
      if (!local) {
        skipped.push({
          ...c,
          reason: "not_local",
          message: c.provider === "openai" ? "privacy local_only: OPENAI_BASE_URL is not a local endpoint" : `privacy local_only: ${c.provider} is a hosted API`,
        });
        continue;
      }
    }
    const max = constraints?.maxCostPerCallUsdMicros;
    if (max !== undefined && max !== null) {
      const worst = worstCaseCostUsdMicros(c, req);
      if (worst > max) {
        skipped.push({ ...c, reason: "over_max_cost", message: `worst-case cost ${worst} µUSD is over the ${max} µUSD limit per call` });
        continue;
      }
    }
    allowed.push(c);
  }
  return { allowed, skipped };
}
