import { describe, expect, test } from "@jest/globals";
import {
  costUsdMicros,
  ModelRouteError,
  priceOf,
  reviewResponseFormat,
  resolveRoute,
  settingsFromEnv,
  type LlmSettings,
} from "@/lib/llm";
import { buildAnthropicRequest } from "@/lib/llm/providers/anthropic";
import { buildOpenAiRequest } from "@/lib/llm/providers/openai";

describe("costUsdMicros", () => {
  test("1M input + 1M output tokens of gpt-4.1-mini cost $0.40 + $1.60", () => {
    expect(costUsdMicros("openai", "gpt-4.1-mini", { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toBe(
      2_000_000,
    );
  });

  test("a dated snapshot is priced as its model, the longest matching id winning", () => {
    expect(priceOf("openai", "gpt-4.1-mini-2025-04-14")).toEqual(priceOf("openai", "gpt-4.1-mini"));
    expect(priceOf("openai", "gpt-4o-mini-2024-07-18")).toEqual(priceOf("openai", "gpt-4o-mini"));
    expect(priceOf("anthropic", "claude-sonnet-4-5-20250929")).toEqual(priceOf("anthropic", "claude-sonnet-4-5"));
    expect(priceOf("openai", "gpt-4.10")).toBeNull(); // a prefix must be followed by a dash
    expect(priceOf("anthropic", "claude-opus-4-1")).toBeNull(); // not in the table: costed at 0
  });

  test("Anthropic cache reads and writes are charged at their own rates", () => {
    // claude-haiku-4-5: input $1, 5m cache write $1.25, cache read $0.10, output $5 per 1M tokens
    const usage = { inputTokens: 10_000, outputTokens: 1_000, cachedInputTokens: 6_000, cacheWriteInputTokens: 2_000 };
    expect(costUsdMicros("anthropic", "claude-haiku-4-5", usage)).toBe(2_000 * 1 + 2_000 * 1.25 + 6_000 * 0.1 + 1_000 * 5);
  });

  test("OpenAI cached input is discounted", () => {
    // gpt-4.1: input $2, cached $0.50, output $8
    expect(costUsdMicros("openai", "gpt-4.1", { inputTokens: 1_000, outputTokens: 0, cachedInputTokens: 400 })).toBe(
      600 * 2 + 400 * 0.5,
    );
  });

  test("rounds to whole micros", () => {
    expect(costUsdMicros("openai", "gpt-4.1-nano", { inputTokens: 3, outputTokens: 0 })).toBe(0); // 0.3 µ$
    expect(costUsdMicros("openai", "gpt-4.1-nano", { inputTokens: 7, outputTokens: 0 })).toBe(1); // 0.7 µ$
  });

  test("offline and unknown models (a local Ollama model) cost nothing", () => {
    expect(costUsdMicros("offline", "offline-scripted", { inputTokens: 5_000, outputTokens: 5_000 })).toBe(0);
    expect(costUsdMicros("openai", "llama3.1:8b", { inputTokens: 5_000, outputTokens: 5_000 })).toBe(0);
  });
});

describe("resolveRoute", () => {
  const base = settingsFromEnv();
  const withKeys = (openai: boolean, anthropic: boolean): LlmSettings => ({
    ...base,
    openai: { defaultModel: "gpt-4.1-mini", ...(openai ? { apiKey: "sk-o" } : {}) },
    anthropic: { defaultModel: "claude-sonnet-5-5", ...(anthropic ? { apiKey: "sk-a" } : {}) },
  });

  test("an empty route prefers Anthropic, then OpenAI, then the offline model", () => {
    expect(resolveRoute([], withKeys(true, true))).toEqual([{ provider: "anthropic", model: "claude-sonnet-5-5" }]);
    expect(resolveRoute([], withKeys(true, false))).toEqual([{ provider: "openai", model: "gpt-4.1-mini" }]);
    expect(resolveRoute([], withKeys(false, false))).toEqual([{ provider: "offline", model: "offline-scripted" }]);
  });

  test("candidates without a key are dropped; offline is never appended behind a configured provider", () => {
    const route = [
      { provider: "anthropic" as const, model: "claude-opus-5" },
      { provider: "openai" as const, model: "gpt-5" },
    ];
    expect(resolveRoute(route, withKeys(true, false))).toEqual([{ provider: "openai", model: "gpt-5" }]);
    expect(resolveRoute(route, withKeys(false, false))).toEqual([{ provider: "offline", model: "offline-scripted" }]);
  });
});

describe("ModelRouteError", () => {
  test("says rate_limited only when every attempt was rate limited", () => {
    const limited = { provider: "openai" as const, model: "m", reason: "rate_limited" as const, status: 429, message: "x" };
    expect(new ModelRouteError([limited, limited]).code).toBe("rate_limited");
    expect(new ModelRouteError([limited, { ...limited, reason: "timeout" }]).code).toBe("unavailable");
  });
});

describe("request mapping", () => {
  const req = {
    agentRole: "tech_lead" as const,
    task: { title: "t", description: "" },
    messages: [
      { role: "system" as const, content: "Be brief." },
      { role: "system" as const, content: "Review the diff." },
      { role: "user" as const, content: "" },
      { role: "user" as const, content: "Here it is." },
    ],
    responseFormat: reviewResponseFormat,
    maxOutputTokens: 500,
  };

  test("Anthropic: system messages join into one cached prompt; empty text is dropped; schema constraints are moved into descriptions", () => {
    const body = buildAnthropicRequest("claude-sonnet-5-5", req);
    expect(body.system).toEqual([{ type: "text", text: "Be brief.\n\nReview the diff.", cache_control: { type: "ephemeral" } }]);
    expect(body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Here it is." }] }]);
    expect(body.max_tokens).toBe(500);
    expect(body.output_config?.format?.schema).toMatchObject({
      type: "object",
      additionalProperties: false,
      properties: { summary: { type: "string", description: "{minLength: 1}" } },
    });
    expect(body.output_config?.format?.schema.properties).not.toHaveProperty("summary.minLength");
  });

  test("OpenAI: maps max tokens and keeps system messages in place", () => {
    const body = buildOpenAiRequest("gpt-4.1-mini", req);
    expect(body.max_completion_tokens).toBe(500);
    expect(body.messages.slice(0, 2)).toEqual([
      { role: "system", content: "Be brief." },
      { role: "system", content: "Review the diff." },
    ]);
  });
});

describe("schemas from other JSON Schema targets", () => {
  test("a draft-7 `$schema` marker is not sent to either vendor", async () => {
    const { z } = await import("zod");
    const { planSchema } = await import("@/lib/llm");
    const schema = z.toJSONSchema(planSchema, { target: "draft-7" });
    expect(schema).toHaveProperty("$schema");
    const req = {
      agentRole: "product_manager" as const,
      task: { title: "t", description: "" },
      messages: [{ role: "user" as const, content: "Plan." }],
      tools: [{ name: "t", description: "d", parameters: schema }],
      responseFormat: { name: "plan", schema },
    };
    expect(JSON.stringify(buildOpenAiRequest("gpt-4.1-mini", req))).not.toContain("$schema");
    expect(JSON.stringify(buildAnthropicRequest("claude-sonnet-5-5", req))).not.toContain("$schema");
    expect(buildOpenAiRequest("gpt-4.1-mini", req).response_format).toMatchObject({ json_schema: { strict: true } });
  });
});
