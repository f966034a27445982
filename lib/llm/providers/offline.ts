import { setTimeout as sleep } from "node:timers/promises";
import { parseToolArguments } from "./tool-arguments";
import {
  interpolate,
  loadScenarios,
  resolveTurn,
  scriptFor,
  selectScenario,
  type Reply,
  type ScenarioSet,
} from "../offline/scenario";
import type { ChatMessage, ModelRequest, ModelResponse, ToolCall } from "../types";

/** The model name every offline response carries. */
export const OFFLINE_MODEL = "offline-scripted";

const END_OF_SCRIPT =
  "(offline model) This scripted conversation has no further turns, so there is nothing more to add.";

let cached: { dir: string | undefined; set: ScenarioSet } | undefined;

function scenarios(dir: string | undefined): ScenarioSet {
  if (!cached || cached.dir !== dir) cached = { dir, set: loadScenarios(dir) };
  return cached.set;
}

/**
 * The simulated price (USD per 1M tokens) of the offline scenario for a task title, or null when the
 * scenario is free (the usual case). Lets cost estimates match what offline calls will be charged.
 */
export function offlinePriceFor(title: string, scenarioDir?: string): { input: number; output: number } | null {
  const set = scenarios(scenarioDir);
  return selectScenario(set, title).simulated_price ?? null;
}

/** Rough token estimate used for offline usage: ceil(characters / 4). */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

function messageChars(message: ChatMessage): number {
  if (message.role === "assistant") {
    return (message.content?.length ?? 0) + (message.toolCalls ? JSON.stringify(message.toolCalls).length : 0);
  }
  return message.content.length;
}

function lastToolOutput(messages: ChatMessage[]): string | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === "tool") return message.content;
  }
  return null;
}

/**
 * Answers from the scripted scenarios in `lib/llm/offline/scenarios/` (format: `lib/llm/offline/scenario.ts`):
 * deterministic, free (`costUsdMicros: 0`, unless the scenario sets a `simulated_price` to exercise
 * budgets) and labelled `offline: true`, model `offline-scripted`.
 *
 * The scenario is chosen by `req.task.title`, the script by the agent's role and the conversation's
 * first user message; the turn is the number of assistant messages already in `req.messages`. Usage is estimated as ceil(chars / 4) of the prompt (messages, tools, response schema)
 * and of the reply. Waits `latencyMs` (ms) before answering to simulate a real model.
 *
 * @param opts.scenarioDir folder of scenario JSON files (tests); defaults to the bundled one
 */
export async function callOffline(
  req: ModelRequest,
  opts: { latencyMs?: number; scenarioDir?: string } = {},
): Promise<ModelResponse> {
  const started = performance.now();
  const set = scenarios(opts.scenarioDir);
  const scenario = selectScenario(set, req.task.title);
  const firstPrompt = req.messages.find((m) => m.role === "user")?.content ?? "";
  const script = scriptFor(set, scenario, req.agentRole, firstPrompt) ?? [];
  const turnIndex = req.messages.filter((m) => m.role === "assistant").length;
  const turn = script[turnIndex];
  const reply: Reply = (turn && resolveTurn(turn, lastToolOutput(req.messages))) ?? { content: END_OF_SCRIPT };

  const vars = { "task.title": req.task.title, "task.description": req.task.description, "agent.role": req.agentRole };
  const toolCalls: ToolCall[] = (reply.tool_calls ?? []).map((call, i) => ({
    id: `offline-${req.agentRole}-${turnIndex}-${i}`,
    name: call.name,
    arguments: parseToolArguments(interpolate(call.arguments, vars)),
  }));
  const text = reply.content == null ? null : String(interpolate(reply.content, vars));
  const content = reply.json !== undefined ? JSON.stringify(interpolate(reply.json, vars)) : text;

  const promptChars =
    req.messages.reduce((sum, m) => sum + messageChars(m), 0) +
    (req.tools ? JSON.stringify(req.tools).length : 0) +
    (req.responseFormat ? JSON.stringify(req.responseFormat.schema).length : 0);
  const outputChars = (content?.length ?? 0) + (toolCalls.length > 0 ? JSON.stringify(toolCalls).length : 0);

  if (opts.latencyMs && opts.latencyMs > 0) await sleep(opts.latencyMs);
  const usage = { inputTokens: estimateTokens(promptChars), outputTokens: estimateTokens(outputChars) };
  // A price in USD per 1M tokens is micros per token (see lib/llm/prices.ts).
  const price = scenario.simulated_price;
  return {
    provider: "offline",
    model: OFFLINE_MODEL,
    offline: true,
    content,
    toolCalls,
    usage,
    costUsdMicros: price ? Math.round(usage.inputTokens * price.input + usage.outputTokens * price.output) : 0,
    latencyMs: Math.round(performance.now() - started),
    finishReason: toolCalls.length > 0 ? "tool_calls" : "stop",
  };
}
