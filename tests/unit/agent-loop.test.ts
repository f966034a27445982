import { agentToolNames, unknownToolNames } from "@/lib/agents/agent-tools";
import {
  contextWindowOf,
  conversationTokens,
  countTokens,
  defaultElisionPolicy,
  ELIDED_PREFIX,
  elideOldToolOutputs,
  UNKNOWN_CONTEXT_WINDOW,
} from "@/lib/agents/context-budget";
import { roleDefinitions } from "@/lib/agents/roles";
import { unusableAnswer } from "@/lib/agents/run-agent";
import type { ChatMessage } from "@/lib/llm/types";

describe("agent limits", () => {
  test("developers get at least 40 turns; every role has a turn limit and a token budget", () => {
    for (const role of ["developer", "backend_developer", "frontend_developer", "devops_engineer"] as const) {
      expect(roleDefinitions[role].maxTurns).toBeGreaterThanOrEqual(40);
    }
    for (const def of Object.values(roleDefinitions)) {
      expect(def.maxTurns).toBeGreaterThan(0);
      expect(def.maxRunTokens).toBeGreaterThan(10_000);
    }
  });
});

describe("per-agent tool overrides", () => {
  test("enabled adds, disabled removes (and wins), unknown names are dropped", () => {
    expect(agentToolNames("architect")).not.toContain("run_tests");
    expect(agentToolNames("architect", { enabled: ["run_tests"] })).toContain("run_tests");
    expect(agentToolNames("developer", { disabled: ["write_file"] })).not.toContain("write_file");
    expect(agentToolNames("developer", { enabled: ["write_file"], disabled: ["write_file"] })).not.toContain("write_file");
    expect(agentToolNames("developer", { enabled: ["rm_rf"] })).not.toContain("rm_rf");
    expect(unknownToolNames(["read_file", "rm_rf", "ask_teammate"])).toEqual(["rm_rf"]);
  });
});

describe("unusable model answers", () => {
  test("empty, refused and non-JSON (when JSON is asked for) answers are unusable; tool calls and text are fine", () => {
    expect(unusableAnswer({ content: null, toolCalls: [] }, false)).toMatch(/empty/);
    expect(unusableAnswer({ content: "  ", toolCalls: [] }, false)).toMatch(/empty/);
    expect(unusableAnswer({ content: "I can't help with that.", toolCalls: [], finishReason: "other" }, false)).toMatch(/refused/);
    expect(unusableAnswer({ content: "Here is the plan: …", toolCalls: [] }, true)).toMatch(/not JSON/);
    expect(unusableAnswer({ content: '```json\n{"a":1}\n```', toolCalls: [] }, true)).toBeNull();
    expect(unusableAnswer({ content: "Done: added the endpoint.", toolCalls: [], finishReason: "stop" }, false)).toBeNull();
    expect(unusableAnswer({ content: null, toolCalls: [{ id: "1", name: "read_file", arguments: {} }] }, false)).toBeNull();
    expect(unusableAnswer({ content: null, toolCalls: [], unparseable: "Chat completion has no choices" }, false)).toMatch(/could not be parsed.*no choices/);
  });
});

describe("context budget", () => {
  test("token counts come from the o200k tokenizer; windows from the vendors' tables", () => {
    expect(countTokens("hello world")).toBe(2);
    expect(contextWindowOf("openai", "gpt-4.1-mini-2025-04-14")).toBe(1_047_576);
    expect(contextWindowOf("openai", "gpt-4o-mini")).toBe(128_000);
    expect(contextWindowOf("anthropic", "claude-sonnet-5-5")).toBe(200_000);
    expect(contextWindowOf("openai", "qwen2.5-coder:7b")).toBe(UNKNOWN_CONTEXT_WINDOW);
  });

  function conversation(turns: number, outputLines: number): ChatMessage[] {
    const messages: ChatMessage[] = [
      { role: "system", content: "You are a developer." },
      { role: "user", content: "Fix the bug." },
    ];
    for (let t = 0; t < turns; t++) {
      messages.push({ role: "assistant", content: null, toolCalls: [{ id: `c${t}`, name: "read_file", arguments: { path: `f${t}.js` } }] });
      const body = Array.from({ length: outputLines }, (_, i) => `${i + 1}: const value${t}_${i} = compute(${i}, "${t}");`).join("\n");
      messages.push({ role: "tool", toolCallId: `c${t}`, name: "read_file", content: `file f${t}.js\n${body}` });
    }
    return messages;
  }

  test("under the trigger nothing changes", () => {
    const messages = conversation(3, 20);
    const copy = structuredClone(messages);
    const result = elideOldToolOutputs(messages, defaultElisionPolicy(200_000));
    expect(result.elided).toEqual([]);
    expect(messages).toEqual(copy);
  });

  test("near the window the oldest outputs become one-line summaries; calls, ids and the recent outputs stay", () => {
    const messages = conversation(12, 200);
    const window = Math.ceil(conversationTokens(messages) / 0.8) + 8_192;
    const copy = structuredClone(messages);
    const result = elideOldToolOutputs(messages, defaultElisionPolicy(window));
    expect(result.elided.length).toBeGreaterThan(0);
    expect(result.beforeTokens).toBeGreaterThan(result.afterTokens);
    expect(result.afterTokens).toBeLessThanOrEqual((window - 8_192) * 0.5);
    expect(conversationTokens(messages)).toBe(result.afterTokens);
    // Oldest first, the last four tool outputs untouched, every tool call kept with its result message.
    expect(result.elided[0]?.toolCallId).toBe("c0");
    const tools = messages.filter((m) => m.role === "tool");
    expect(tools).toHaveLength(12);
    for (const m of tools.slice(-4)) expect(m.content.startsWith(ELIDED_PREFIX)).toBe(false);
    const first = tools[0];
    expect(first?.content).toBe(`${ELIDED_PREFIX}: read_file → file f0.js (201 lines); call it again if you need it]`);
    expect(messages.filter((m) => m.role === "assistant")).toEqual(copy.filter((m) => m.role === "assistant"));
    // Deterministic and idempotent: running it again elides nothing more.
    expect(elideOldToolOutputs(messages, defaultElisionPolicy(window)).elided).toEqual([]);
  });
});
