/**
 * The real `openai` and `@anthropic-ai/sdk` clients against local stand-ins that speak the vendors'
 * wire formats (tests/fixtures/vendors). The environment is set before lib/llm is imported, so the
 * default path (settings from lib/env) is exercised too.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { anthropicApiKeyOf, anthropicError, anthropicMessage, startAnthropicStandIn } from "@/tests/fixtures/vendors/anthropic-stand-in";
import { startOpenAiStandIn, openAiCompletion, openAiError } from "@/tests/fixtures/vendors/openai-stand-in";
import type { StandIn } from "@/tests/fixtures/vendors/stand-in-server";

let openai: StandIn & { baseURL: string };
let anthropic: StandIn & { baseURL: string };
let llm: typeof import("@/lib/llm");

// Test files share one worker process: put the environment back for the files that run after this one.
const envKeys = [
  "OPENAI_API_KEY",
  "OPENAI_BASE_URL",
  "OPENAI_MODEL",
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_BASE_URL",
  "ANTHROPIC_MODEL",
] as const;
const savedEnv = Object.fromEntries(envKeys.map((k) => [k, process.env[k]]));

beforeAll(async () => {
  openai = await startOpenAiStandIn();
  anthropic = await startAnthropicStandIn();
  Object.assign(process.env, {
    OPENAI_API_KEY: "sk-standin-openai",
    OPENAI_BASE_URL: openai.baseURL,
    OPENAI_MODEL: "gpt-4.1-mini",
    ANTHROPIC_API_KEY: "sk-ant-standin",
    ANTHROPIC_BASE_URL: anthropic.baseURL,
    ANTHROPIC_MODEL: "claude-sonnet-5-5",
  });
  llm = await import("@/lib/llm");
});

afterAll(async () => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await openai.close();
  await anthropic.close();
});

beforeEach(() => {
  openai.reset();
  anthropic.reset();
});

const task = { title: "Add a DELETE /todos/:id endpoint", description: "Remove a todo by id." };
const readFileTool = {
  name: "read_file",
  description: "Read a file",
  parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"], additionalProperties: false },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function bodyOf(standIn: StandIn, index = 0): Record<string, unknown> {
  const body = standIn.requests[index]?.body;
  if (!isRecord(body)) throw new Error("request body is not a JSON object");
  return body;
}

describe("OpenAI provider (Chat Completions)", () => {
  test("maps a tool call, usage and cost from the wire format", async () => {
    openai.enqueue(
      openAiCompletion({
        toolCalls: [{ id: "call_1", name: "read_file", arguments: { path: "src/app.js" } }],
        usage: { prompt: 1_000, completion: 50 },
      }),
    );
    const res = await llm.generate([{ provider: "openai", model: "gpt-4.1-mini" }], {
      agentRole: "developer",
      task,
      tools: [readFileTool],
      messages: [
        { role: "system", content: "You are a developer." },
        { role: "user", content: "Add the endpoint." },
      ],
    });
    expect(res).toMatchObject({
      provider: "openai",
      model: "gpt-4.1-mini",
      offline: false,
      content: null,
      toolCalls: [{ id: "call_1", name: "read_file", arguments: { path: "src/app.js" } }],
      usage: { inputTokens: 1_000, outputTokens: 50 },
      finishReason: "tool_calls",
    });
    // gpt-4.1-mini: $0.40 / $1.60 per 1M tokens → 1000 × 0.4 + 50 × 1.6 micros
    expect(res.costUsdMicros).toBe(480);
    expect(res.latencyMs).toBeGreaterThanOrEqual(0);

    const request = openai.requests[0];
    expect(request?.headers.authorization).toBe("Bearer sk-standin-openai");
    const body = bodyOf(openai);
    expect(body.model).toBe("gpt-4.1-mini");
    expect(body.messages).toEqual([
      { role: "system", content: "You are a developer." },
      { role: "user", content: "Add the endpoint." },
    ]);
    expect(body.tools).toEqual([{ type: "function", function: readFileTool }]);
  });

  test("sends tool results back and asks for strict structured output", async () => {
    const plan = {
      summary: "Add the route",
      subtasks: [{ key: "a", title: "Implement", description: "Do it", role: "developer", dependsOn: [] }],
    };
    openai.enqueue(openAiCompletion({ content: JSON.stringify(plan), usage: { prompt: 200, completion: 40, cached: 100 } }));
    const res = await llm.generate([{ provider: "openai", model: "gpt-4.1-mini" }], {
      agentRole: "product_manager",
      task,
      responseFormat: llm.planResponseFormat,
      messages: [
        { role: "user", content: "Plan it." },
        { role: "assistant", content: null, toolCalls: [{ id: "call_9", name: "read_file", arguments: { path: "a" } }] },
        { role: "tool", toolCallId: "call_9", name: "read_file", content: "file text" },
      ],
    });
    expect(llm.planSchema.parse(JSON.parse(res.content ?? ""))).toEqual(plan);
    // 100 uncached × 0.4 + 100 cached × 0.1 + 40 × 1.6
    expect(res.usage).toEqual({ inputTokens: 200, outputTokens: 40, cachedInputTokens: 100 });
    expect(res.costUsdMicros).toBe(114);

    const body = bodyOf(openai);
    expect(body.messages).toEqual([
      { role: "user", content: "Plan it." },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_9", type: "function", function: { name: "read_file", arguments: '{"path":"a"}' } }],
      },
      { role: "tool", tool_call_id: "call_9", content: "file text" },
    ]);
    expect(body.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "plan", strict: true } });
  });

  test("uses non-strict structured output when the schema has optional fields (review comments' path)", async () => {
    openai.enqueue(openAiCompletion({ content: JSON.stringify({ verdict: "approve", summary: "Fine", comments: [] }) }));
    await llm.generate([{ provider: "openai", model: "gpt-4.1-mini" }], {
      agentRole: "tech_lead",
      task,
      responseFormat: llm.reviewResponseFormat,
      messages: [{ role: "user", content: "Review." }],
    });
    expect(bodyOf(openai).response_format).toMatchObject({ json_schema: { name: "review", strict: false } });
  });
});

describe("Anthropic provider (Messages)", () => {
  test("maps tool_use, caches the system prompt and merges tool results into one user turn", async () => {
    anthropic.enqueue(
      anthropicMessage({
        text: "Writing both files.",
        toolUses: [
          { id: "toolu_1", name: "write_file", input: { path: "a.js", content: "x" } },
          { id: "toolu_2", name: "write_file", input: { path: "b.js", content: "y" } },
        ],
        usage: { input: 100, output: 200, cacheWrite: 1_000, cacheRead: 2_000 },
      }),
    );
    const res = await llm.generate([{ provider: "anthropic", model: "claude-sonnet-5-5" }], {
      agentRole: "developer",
      task,
      tools: [readFileTool],
      messages: [
        { role: "system", content: "You are a developer." },
        { role: "user", content: "Go." },
        {
          role: "assistant",
          content: "",
          toolCalls: [
            { id: "toolu_a", name: "read_file", arguments: { path: "a.js" } },
            { id: "toolu_b", name: "read_file", arguments: { path: "b.js" } },
          ],
        },
        { role: "tool", toolCallId: "toolu_a", name: "read_file", content: "A" },
        { role: "tool", toolCallId: "toolu_b", name: "read_file", content: "B" },
      ],
    });
    expect(res).toMatchObject({
      provider: "anthropic",
      offline: false,
      content: "Writing both files.",
      toolCalls: [
        { id: "toolu_1", name: "write_file", arguments: { path: "a.js", content: "x" } },
        { id: "toolu_2", name: "write_file", arguments: { path: "b.js", content: "y" } },
      ],
      finishReason: "tool_calls",
      usage: { inputTokens: 3_100, outputTokens: 200, cachedInputTokens: 2_000, cacheWriteInputTokens: 1_000 },
    });
    // claude-sonnet-5-5: 100 × 2 + 1000 × 2.5 (cache write) + 2000 × 0.2 (cache read) + 200 × 10
    expect(res.costUsdMicros).toBe(5_100);

    expect(anthropicApiKeyOf(anthropic.requests[0])).toBe("sk-ant-standin");
    const body = bodyOf(anthropic);
    expect(body.system).toEqual([{ type: "text", text: "You are a developer.", cache_control: { type: "ephemeral" } }]);
    expect(body.tools).toEqual([
      { name: "read_file", description: "Read a file", input_schema: readFileTool.parameters },
    ]);
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Go." }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "toolu_a", name: "read_file", input: { path: "a.js" } },
          { type: "tool_use", id: "toolu_b", name: "read_file", input: { path: "b.js" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_a", content: "A" },
          { type: "tool_result", tool_use_id: "toolu_b", content: "B" },
        ],
      },
    ]);
  });

  test("sends thinking blocks back verbatim to the model that wrote them, and only to it", async () => {
    const thinking = { thinking: "I should read the file first.", signature: "sig-abc123" };
    anthropic.enqueue(
      anthropicMessage({
        thinking,
        toolUses: [{ id: "toolu_t", name: "read_file", input: { path: "src/app.js" } }],
      }),
      anthropicMessage({ text: "Done." }),
      anthropicMessage({ text: "Done too." }),
    );
    const first = await llm.generate([{ provider: "anthropic", model: "claude-sonnet-5-5" }], {
      agentRole: "developer",
      task,
      tools: [readFileTool],
      messages: [{ role: "user", content: "Go." }],
    });
    expect(first.replay?.content[0]).toEqual({ type: "thinking", ...thinking });
    const conversation: import("@/lib/llm").ChatMessage[] = [
      { role: "user", content: "Go." },
      llm.assistantMessage(first),
      { role: "tool", toolCallId: "toolu_t", name: "read_file", content: "source" },
    ];
    await llm.generate([{ provider: "anthropic", model: "claude-sonnet-5-5" }], {
      agentRole: "developer",
      task,
      tools: [readFileTool],
      messages: conversation,
    });
    const replayed = bodyOf(anthropic, 1).messages;
    expect(Array.isArray(replayed) ? replayed[1] : undefined).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", ...thinking },
        { type: "tool_use", id: "toolu_t", name: "read_file", input: { path: "src/app.js" } },
      ],
    });

    // Another model never sees those thinking blocks.
    await llm.generate([{ provider: "anthropic", model: "claude-haiku-4-5" }], {
      agentRole: "developer",
      task,
      tools: [readFileTool],
      messages: conversation,
    });
    const rebuilt = bodyOf(anthropic, 2).messages;
    expect(Array.isArray(rebuilt) ? rebuilt[1] : undefined).toEqual({
      role: "assistant",
      content: [{ type: "tool_use", id: "toolu_t", name: "read_file", input: { path: "src/app.js" } }],
    });
  });

  test("asks for structured output with output_config.format and returns the JSON text", async () => {
    const review = { verdict: "request_changes", summary: "Missing a test", comments: [{ path: "a.js", body: "Test this" }] };
    anthropic.enqueue(anthropicMessage({ text: JSON.stringify(review) }));
    const res = await llm.generate([{ provider: "anthropic", model: "claude-haiku-4-5" }], {
      agentRole: "tech_lead",
      task,
      responseFormat: llm.reviewResponseFormat,
      messages: [{ role: "user", content: "Review." }],
    });
    expect(llm.reviewSchema.parse(JSON.parse(res.content ?? ""))).toEqual(review);
    expect(bodyOf(anthropic).output_config).toMatchObject({ format: { type: "json_schema", schema: { type: "object" } } });
  });
});

describe("routing and fallback", () => {
  test("an empty route uses the configured default (Anthropic first) from the environment", async () => {
    anthropic.enqueue(anthropicMessage({ text: "hello" }));
    const res = await llm.generate([], { agentRole: "developer", task, messages: [{ role: "user", content: "hi" }] });
    expect(res).toMatchObject({ provider: "anthropic", model: "claude-sonnet-5-5", content: "hello" });
    expect(bodyOf(anthropic).model).toBe("claude-sonnet-5-5");
  });

  test("a 429 falls back to the next candidate", async () => {
    anthropic.enqueue(anthropicError(429, "rate_limit_error", "Number of request tokens has exceeded your rate limit"));
    openai.enqueue(openAiCompletion({ content: "from openai" }));
    const res = await llm.generate(
      [
        { provider: "anthropic", model: "claude-sonnet-5-5" },
        { provider: "openai", model: "gpt-4.1-mini" },
      ],
      { agentRole: "developer", task, messages: [{ role: "user", content: "hi" }] },
    );
    expect(res).toMatchObject({ provider: "openai", content: "from openai" });
    expect(anthropic.requests).toHaveLength(1); // maxRetries: 0 — our fallback, not the SDK's retries
    expect(openai.requests).toHaveLength(1);
  });

  test("a timeout falls back too", async () => {
    openai.enqueue({ ...openAiCompletion({ content: "too late" }), delayMs: 2_000 });
    anthropic.enqueue(anthropicMessage({ text: "in time" }));
    const settings = { ...llm.settingsFromEnv(), timeoutMs: 300 };
    const res = await llm.generate(
      [
        { provider: "openai", model: "gpt-4.1-mini" },
        { provider: "anthropic", model: "claude-sonnet-5-5" },
      ],
      { agentRole: "developer", task, messages: [{ role: "user", content: "hi" }] },
      { settings },
    );
    expect(res.content).toBe("in time");
  });

  test("when every candidate fails, the error lists each attempt's reason", async () => {
    anthropic.enqueue(anthropicError(429, "rate_limit_error", "slow down"));
    openai.enqueue(openAiError(503, "The server is overloaded"));
    const call = llm.generate(
      [
        { provider: "anthropic", model: "claude-sonnet-5-5" },
        { provider: "openai", model: "gpt-4.1-mini" },
      ],
      { agentRole: "developer", task, messages: [{ role: "user", content: "hi" }] },
    );
    await expect(call).rejects.toBeInstanceOf(llm.ModelRouteError);
    const error = await call.catch((e: unknown) => e);
    if (!(error instanceof llm.ModelRouteError)) throw new Error("expected a ModelRouteError");
    expect(error.code).toBe("unavailable");
    expect(error.attempts).toEqual([
      expect.objectContaining({ provider: "anthropic", reason: "rate_limited", status: 429 }),
      expect.objectContaining({ provider: "openai", reason: "server_error", status: 503 }),
    ]);
    expect(error.message).toMatch(/anthropic\/claude-sonnet-5-5: rate_limited 429.*openai\/gpt-4\.1-mini: server_error 503/);
  });

  test("a bad key (401) stops the route instead of falling back", async () => {
    anthropic.enqueue(anthropicError(401, "authentication_error", "invalid x-api-key"));
    openai.enqueue(openAiCompletion({ content: "must not be asked" }));
    const call = llm.generate(
      [
        { provider: "anthropic", model: "claude-sonnet-5-5" },
        { provider: "openai", model: "gpt-4.1-mini" },
      ],
      { agentRole: "developer", task, messages: [{ role: "user", content: "hi" }] },
    );
    const error = await call.catch((e: unknown) => e);
    if (!(error instanceof llm.ModelRouteError)) throw new Error("expected a ModelRouteError");
    expect(error.code).toBe("internal");
    expect(error.attempts).toEqual([expect.objectContaining({ reason: "client_error", status: 401 })]);
    expect(openai.requests).toHaveLength(0);
  });

  test("a fallback after a 429 is recorded on the response with the reason", async () => {
    anthropic.enqueue(anthropicError(429, "rate_limit_error", "slow down"));
    openai.enqueue(openAiCompletion({ content: "from openai" }));
    const res = await llm.generate(
      [
        { provider: "anthropic", model: "claude-sonnet-5-5" },
        { provider: "openai", model: "gpt-4.1-mini" },
      ],
      { agentRole: "developer", task, messages: [{ role: "user", content: "hi" }] },
    );
    expect(res.provider).toBe("openai");
    expect(res.route).toEqual({
      skipped: [],
      failed: [expect.objectContaining({ provider: "anthropic", model: "claude-sonnet-5-5", reason: "rate_limited", status: 429 })],
    });
  });

  test("privacy local_only skips hosted APIs and keeps an OpenAI-compatible server on a local address", async () => {
    openai.enqueue(openAiCompletion({ content: "from the local server" }));
    const res = await llm.generate(
      [
        { provider: "anthropic", model: "claude-sonnet-5-5" },
        { provider: "openai", model: "llama3.1" },
      ],
      { agentRole: "developer", task, messages: [{ role: "user", content: "hi" }] },
      { constraints: { privacy: "local_only" } },
    );
    expect(res).toMatchObject({ provider: "openai", model: "llama3.1", content: "from the local server" });
    expect(anthropic.requests).toHaveLength(0);
    expect(res.route?.skipped).toEqual([expect.objectContaining({ provider: "anthropic", reason: "not_local" })]);

    // OpenAI's own API is not local: with nothing else left the call fails, saying why.
    const hosted = { ...llm.settingsFromEnv(), openai: { ...llm.settingsFromEnv().openai, baseURL: undefined } };
    const error = await llm
      .generate([{ provider: "openai", model: "gpt-4.1-mini" }], { agentRole: "developer", task, messages: [{ role: "user", content: "hi" }] }, {
        settings: hosted,
        constraints: { privacy: "local_only" },
      })
      .catch((e: unknown) => e);
    if (!(error instanceof llm.ModelRouteError)) throw new Error("expected a ModelRouteError");
    expect(error.skipped).toEqual([expect.objectContaining({ reason: "not_local" })]);
    expect(error.message).toMatch(/skipped \(privacy local_only: OPENAI_BASE_URL is not a local endpoint\)/);
  });

  test("a maximum cost per call skips candidates that could cost more than it", async () => {
    openai.enqueue(openAiCompletion({ content: "cheap answer" }));
    const res = await llm.generate(
      [
        { provider: "anthropic", model: "claude-opus-4-8" },
        { provider: "openai", model: "gpt-4.1-nano" },
      ],
      { agentRole: "developer", task, messages: [{ role: "user", content: "hi" }], maxOutputTokens: 1_000 },
      { constraints: { maxCostPerCallUsdMicros: 10_000 } },
    );
    // Opus: 1,000 output tokens × $25/M = 25,000 µUSD > 10,000; nano: 1,000 × $0.40/M = 400 µUSD.
    expect(res).toMatchObject({ provider: "openai", model: "gpt-4.1-nano" });
    expect(res.route?.skipped).toEqual([expect.objectContaining({ provider: "anthropic", model: "claude-opus-4-8", reason: "over_max_cost" })]);
    expect(anthropic.requests).toHaveLength(0);
  });

  test("simple steps (economy tier) use the provider's cheaper model when the route is empty", async () => {
    anthropic.enqueue(anthropicMessage({ text: "cheap" }));
    const res = await llm.generate([], { agentRole: "qa_engineer", task, messages: [{ role: "user", content: "hi" }] }, { tier: "economy" });
    expect(res).toMatchObject({ provider: "anthropic", model: "claude-haiku-4-5" });
    expect(bodyOf(anthropic).model).toBe("claude-haiku-4-5");
  });
});
