import { applyConstraints, ECONOMY_MODELS, isLocalEndpoint, resolveRoute, settingsFromEnv, worstCaseCostUsdMicros, type LlmSettings } from "@/lib/llm";

const settings = (openaiBaseURL?: string): LlmSettings => ({
  ...settingsFromEnv(),
  openai: { apiKey: "sk-test", baseURL: openaiBaseURL, defaultModel: "gpt-4.1-mini" },
  anthropic: { apiKey: "sk-ant-test", defaultModel: "claude-sonnet-5-5" },
});
const req = { agentRole: "developer" as const, task: { title: "t", description: "" }, messages: [{ role: "user" as const, content: "x".repeat(4_000) }] };

describe("model routing", () => {
  test("local endpoints: loopback, private networks and local names; not OpenAI's API or public hosts", () => {
    for (const url of ["http://localhost:11434/v1", "http://127.0.0.1:8000/v1", "http://[::1]:8080/v1", "http://10.0.0.5/v1", "http://192.168.1.20:1234/v1", "http://172.20.0.3/v1", "http://ollama.local/v1", "http://vllm.internal/v1"]) {
      expect(isLocalEndpoint(url)).toBe(true);
    }
    for (const url of [undefined, "https://api.openai.com/v1", "https://llm.example.com/v1", "http://172.32.0.1/v1", "not a url"]) {
      expect(isLocalEndpoint(url)).toBe(false);
    }
  });

  test("economy steps get the provider's cheaper model; a server of your own keeps its model", () => {
    expect(resolveRoute([], settings(), { tier: "economy" })).toEqual([{ provider: "anthropic", model: ECONOMY_MODELS.anthropic }]);
    expect(resolveRoute([], { ...settings(), anthropic: { defaultModel: "claude-sonnet-5-5" } }, { tier: "economy" })).toEqual([
      { provider: "openai", model: ECONOMY_MODELS.openai },
    ]);
    expect(resolveRoute([], { ...settings("http://localhost:11434/v1"), anthropic: { defaultModel: "x" } }, { tier: "economy" })).toEqual([
      { provider: "openai", model: "gpt-4.1-mini" },
    ]);
    // An explicit route is the agent's choice: the tier does not change it.
    expect(resolveRoute([{ provider: "openai", model: "gpt-5" }], settings(), { tier: "economy" })).toEqual([{ provider: "openai", model: "gpt-5" }]);
  });

  test("worst-case cost counts the estimated prompt and the whole output cap at list price", () => {
    // 1,000 prompt tokens × $2/M + 500 output tokens × $8/M (gpt-4.1)
    expect(worstCaseCostUsdMicros({ provider: "openai", model: "gpt-4.1" }, { ...req, maxOutputTokens: 500 })).toBe(2_000 + 4_000);
    expect(worstCaseCostUsdMicros({ provider: "openai", model: "llama3.1" }, req)).toBe(0);
    expect(worstCaseCostUsdMicros({ provider: "offline", model: "offline-scripted" }, req)).toBe(0);
  });

  test("constraints keep the allowed candidates in order and say why the others were skipped", () => {
    const route = [
      { provider: "anthropic" as const, model: "claude-opus-4-8" },
      { provider: "openai" as const, model: "gpt-4.1-nano" },
      { provider: "offline" as const, model: "offline-scripted" },
    ];
    const local = applyConstraints(route, { privacy: "local_only" }, settings("https://api.openai.com/v1"), req);
    expect(local.allowed).toEqual([route[2]]);
    expect(local.skipped.map((s) => [s.provider, s.reason])).toEqual([
      ["anthropic", "not_local"],
      ["openai", "not_local"],
    ]);
    const cheap = applyConstraints(route, { maxCostPerCallUsdMicros: 50_000 }, settings(), { ...req, maxOutputTokens: 4_000 });
    expect(cheap.allowed.map((c) => c.model)).toEqual(["gpt-4.1-nano", "offline-scripted"]);
    expect(cheap.skipped[0]).toMatchObject({ model: "claude-opus-4-8", reason: "over_max_cost" });
    expect(applyConstraints(route, undefined, settings(), req).allowed).toEqual(route);
  });
});
