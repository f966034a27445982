import { z } from "zod";
import { getDb } from "@/db/client";
import { organizationSpendSince, taskSpendUsdMicros } from "@/db/queries/usage";
import { agentRoles, type AgentRole, type ModelCandidate } from "@/db/schema";
import { monthStart } from "@/lib/budgets/usd";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { AppError } from "@/lib/errors";
import { generate, type RouteConstraints } from "@/lib/llm";
import { ModelRouteError } from "@/lib/llm/errors";
import { recordLlmCall } from "@/lib/llm/ledger";
import { toJsonSchema } from "@/lib/llm/schemas";
import type { ChatMessage, ModelResponse, ModelTier, RouteNotes, ToolCall, ToolDefinition } from "@/lib/llm/types";
import { executeTool, noteSeenInFull } from "@/lib/workspace";
import { callMcpToolStep, discoverMcpTools, mcpToolDefinitions, type McpDiscovery } from "@/lib/mcp-client/agent-tools";
import { agentToolNames, ASK_TEAMMATE, workspaceToolDefinitions, type AgentToolOverrides } from "./agent-tools";
import { contextWindowOf, defaultElisionPolicy, elideOldToolOutputs, UNKNOWN_CONTEXT_WINDOW, type ElidedOutput } from "./context-budget";
import { roleDefinitions, roleLabel, rolePrompt } from "./roles";
import { DEFAULT_STUCK_LIMITS, StuckDetector, type StuckLimits } from "./stuck-detector";
import type { WorkflowSteps } from "./steps";

export type { WorkflowSteps } from "./steps";

export type AgentContext = {
  organizationId: string;
  taskId: string;
  /** Inngest run id: with the step id it keys the usage ledger and the event log, so replays add nothing. */
  runId: string;
  task: { title: string; description: string };
  role: AgentRole;
  /** The agent's ordered model candidates (empty = the deployment's default model at `tier`). */
  modelRoute: ModelCandidate[];
  /** Default model weight when the route is empty (`economy` for simple steps); default `standard`. */
  tier?: ModelTier;
  /** Privacy and cost limits on the route. */
  constraints?: RouteConstraints;
  /** Per-agent text appended to the role's persona. */
  instructions: string | null;
  /** Per-agent replacement of the role's persona (system prompt). */
  systemPrompt?: string | null;
  /** The task's repository (whose code and documents `search_knowledge` searches); null/undefined = organization-wide only. */
  repositoryId?: string | null;
  /** The git worktree the agent's tools act on, and the repository's test command. */
  workspace: { path: string; testCommand: string } | null;
  /** The subtask this agent works on, shown with its timeline entries. */
  subtask?: { id: string; key: string } | null;
  /** Roles of the squad the agent may ask questions (`ask_teammate`); its own role is left out. */
  teammates?: AgentRole[];
  /** Report what the task and the organization have spent after each model call (budgets are set). */
  trackSpend?: boolean;
  /** The squad agent's changes to its role's tools (`agents.tool_overrides`). */
  toolOverrides?: AgentToolOverrides;
  /** Turn limit of this agent (`agents.max_turns`); null/undefined = the role's `maxTurns`. */
  maxTurns?: number | null;
  /** Token budget of one run of this agent (`agents.max_run_tokens`); null/undefined = the role's `maxRunTokens`. */
  maxRunTokens?: number | null;
  /** The task's squad, whose enabled MCP servers allowed for the role offer their tools; null/undefined = none. */
  squadId?: string | null;
};

/** Spend after a model call, in USD micros: the task's (all runs) and the organization's this month (UTC). */
export type Spend = { taskUsdMicros: number; organizationMonthUsdMicros: number };

/** What a model step keeps in the run's memoized state: small JSON, no raw provider payloads. */
export type ModelStepResult = Pick<
  ModelResponse,
  "provider" | "model" | "offline" | "content" | "toolCalls" | "usage" | "costUsdMicros" | "latencyMs" | "replay"
> & {
  spend?: Spend;
  finishReason?: ModelResponse["finishReason"];
  /** Set when no candidate's response could be parsed (nothing was recorded or billed): why. */
  unparseable?: string;
  /** The MCP tools offered from this (first) model step on, and the servers that failed (`lib/mcp-client`). */
  mcp?: McpDiscovery;
};

export type ToolStepResult = { name: string; ok: boolean; output: string; data?: unknown };

export type AgentResult = {
  /** The agent's final answer (text, or JSON for structured output). */
  content: string | null;
  toolResults: ToolStepResult[];
  turns: number;
  model: { provider: string; model: string; offline: boolean };
  /** Tokens (input + output) of every model call of this run, as the provider reported them. */
  tokens: number;
};

/**
 * What the workflow lends an agent's tool loop. Each hook runs its own durable steps under the step
 * id it is given, so it is replay-safe like the loop itself.
 * - `afterModelCall`: after every model step, with the spend so far when `trackSpend` is set (the
 *   budget guard); may pause for a human; throws to stop.
 * - `escalate`: the agent is stuck in a loop; asks a human and resolves with their instructions
 *   (null = go on as you see fit), or throws when the human rejects (the task ends).
 * - `ask`: `ask_teammate` — sends the question to another role and resolves with its answer.
 */
export type AgentHooks = {
  afterModelCall?: (input: { stepId: string; role: AgentRole; spend?: Spend }) => Promise<void>;
  escalate?: (input: { stepId: string; role: AgentRole; reason: string }) => Promise<string | null>;
  ask?: (input: { stepId: string; fromRole: AgentRole; toRole: AgentRole; question: string }) => Promise<string>;
};

/** The durable step tools plus the workflow's hooks. */
export type AgentRuntime = { steps: WorkflowSteps; hooks?: AgentHooks; stuckLimits?: StuckLimits };

/**
 * How many times an empty, refused or unparseable answer is sent back to the model (with a note saying
 * what was wrong) before it counts as a provider failure.
 */
export const MAX_REPROMPTS = 2;
/** Longest tool output shown back to the model, in characters. */
const MAX_TOOL_OUTPUT_CHARS = 16_000;

const askArgumentsSchema = z.object({
  role: z.enum(agentRoles).describe("The teammate's role, e.g. tech_lead"),
  question: z.string().trim().min(1).max(4_000).describe("The question, with the context they need to answer it"),
});

function askTool(teammates: AgentRole[]): ToolDefinition {
  const schema = askArgumentsSchema.extend({ role: z.enum(agentRoles).describe(`One of: ${teammates.join(", ")}`) });
  return {
    name: "ask_teammate",
    description:
      "Ask another role of your squad a question and wait for their answer (e.g. ask the tech_lead to decide " +
      "between two designs). Use it when a decision is not yours to make.",
    parameters: toJsonSchema(schema),
  };
}

function describeToolCall(call: ToolCall): string {
  if (call.name === "ask_teammate" && typeof call.arguments.role === "string") return `ask_teammate → ${call.arguments.role}`;
  const path = typeof call.arguments.path === "string" ? ` ${call.arguments.path}` : "";
  return `${call.name}${path}`;
}

/** " (via openai/gpt-4.1-mini; anthropic/claude-sonnet-5-5 rate_limited 429)" when the route did not use its first choice. */
function describeRoute(route: RouteNotes | undefined): string {
  if (!route) return "";
  const notes = [
    ...route.skipped.map((s) => `${s.provider}/${s.model} skipped: ${s.reason}`),
    ...route.failed.map((f) => `${f.provider}/${f.model} ${f.reason}${f.status ? ` ${f.status}` : ""}`),
  ];
  return notes.length > 0 ? ` (fallback: ${notes.join("; ")})` : "";
}

function systemPromptOf(ctx: AgentContext): string {
  const persona = ctx.systemPrompt?.trim() ? ctx.systemPrompt : rolePrompt(ctx.role);
  return ctx.instructions ? `${persona}\n\n${ctx.instructions}` : persona;
}

/**
 * The tool definitions the agent sees: its tools ({@link agentToolNames}: the role's, changed by the
 * squad agent's overrides) that are workspace tools (with a workspace), and `ask_teammate` when it may ask.
 */
export function toolsFor(ctx: AgentContext, canAsk: boolean): ToolDefinition[] {
  const allowed = agentToolNames(ctx.role, ctx.toolOverrides);
  const tools = ctx.workspace ? workspaceToolDefinitions(allowed) : [];
  const teammates = (ctx.teammates ?? []).filter((r) => r !== ctx.role);
  if (canAsk && allowed.includes(ASK_TEAMMATE) && teammates.length > 0) tools.push(askTool(teammates));
  return tools;
}

async function modelStep(
  ctx: AgentContext,
  stepId: string,
  messages: ChatMessage[],
  tools: ToolDefinition[],
  responseFormat: { name: string; schema: Record<string, unknown> } | undefined,
): Promise<ModelStepResult> {
  let response: ModelResponse;
  try {
    response = await generate(
      ctx.modelRoute,
      { agentRole: ctx.role, messages, tools: tools.length > 0 ? tools : undefined, responseFormat, task: ctx.task },
      { tier: ctx.tier, constraints: ctx.constraints },
    );
  } catch (error) {
    // Every candidate answered, but with a body we could not parse: the loop re-prompts (an unusable answer).
    const unparseable =
      error instanceof ModelRouteError && error.attempts.length > 0 && error.attempts.every((a) => a.reason === "invalid_response");
    if (!unparseable) throw error;
    const last = error.attempts.at(-1);
    return {
      provider: last?.provider ?? "offline",
      model: last?.model ?? "unknown",
      offline: false,
      content: null,
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0 },
      costUsdMicros: 0,
      latencyMs: 0,
      finishReason: "other",
      unparseable: last?.message ?? "unparseable response",
    };
  }
  const db = getDb();
  await recordLlmCall(db, {
    organizationId: ctx.organizationId,
    taskId: ctx.taskId,
    runId: ctx.runId,
    stepId,
    agentRole: ctx.role,
    response,
  });
  const said = response.content?.trim();
  const calls = response.toolCalls.map(describeToolCall).join(", ");
  const routed = describeRoute(response.route);
  await appendTaskEvent(db, {
    organizationId: ctx.organizationId,
    taskId: ctx.taskId,
    type: response.toolCalls.length > 0 ? "tool_call" : "message",
    actor: ctx.role,
    message: `${said && !responseFormat ? said : calls ? `Calls ${calls}` : said && responseFormat ? `Answered with a ${responseFormat.name}` : "(no answer)"}${routed}`,
    data: {
      model: response.model,
      provider: response.provider,
      offline: response.offline,
      toolCalls: response.toolCalls.map((c) => ({ name: c.name, path: c.arguments.path ?? null })),
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
      costUsdMicros: response.costUsdMicros,
      ...(ctx.subtask ? { subtask: ctx.subtask.key } : {}),
      ...(response.route ? { route: response.route } : {}),
    },
    dedupeKey: `${ctx.runId}:${stepId}`,
  });
  const spend = ctx.trackSpend
    ? {
        taskUsdMicros: await taskSpendUsdMicros(db, { organizationId: ctx.organizationId, taskId: ctx.taskId }),
        organizationMonthUsdMicros: await organizationSpendSince(db, { organizationId: ctx.organizationId, since: monthStart() }),
      }
    : undefined;
  return {
    provider: response.provider,
    model: response.model,
    offline: response.offline,
    content: response.content,
    toolCalls: response.toolCalls,
    usage: response.usage,
    costUsdMicros: response.costUsdMicros,
    latencyMs: response.latencyMs,
    finishReason: response.finishReason,
    // Provider content (e.g. Anthropic thinking blocks) that must go back unchanged with this turn.
    ...(response.replay ? { replay: response.replay } : {}),
    ...(spend ? { spend } : {}),
  };
}

async function toolStep(
  ctx: AgentContext,
  stepId: string,
  call: ToolCall,
  seen: ReadonlySet<string>,
): Promise<ToolStepResult> {
  if (!ctx.workspace) return { name: call.name, ok: false, output: "No workspace is available for this agent." };
  if (!agentToolNames(ctx.role, ctx.toolOverrides).includes(call.name)) {
    return { name: call.name, ok: false, output: `The ${ctx.role} agent may not call ${call.name} in this squad.` };
  }
  const result = await executeTool(
    {
      worktree: ctx.workspace.path,
      testCommand: ctx.workspace.testCommand,
      seenInFull: seen,
      knowledge: { organizationId: ctx.organizationId, repositoryId: ctx.repositoryId ?? null },
    },
    call,
  );
  const output =
    result.output.length > MAX_TOOL_OUTPUT_CHARS
      ? `${result.output.slice(0, MAX_TOOL_OUTPUT_CHARS)}\n… (${result.output.length - MAX_TOOL_OUTPUT_CHARS} more characters cut)`
      : result.output;
  await appendTaskEvent(getDb(), {
    organizationId: ctx.organizationId,
    taskId: ctx.taskId,
    type: "tool_call",
    actor: ctx.role,
    message: `${describeToolCall(call)} → ${result.ok ? "ok" : "failed"}`,
    data: {
      tool: call.name,
      ok: result.ok,
      path: call.arguments.path ?? null,
      preview: output.slice(0, 2_000),
      ...(ctx.subtask ? { subtask: ctx.subtask.key } : {}),
    },
    dedupeKey: `${ctx.runId}:${stepId}`,
  });
  return { name: call.name, ok: result.ok, output, data: result.data };
}

async function askStep(
  rt: AgentRuntime,
  ctx: AgentContext,
  stepId: string,
  call: ToolCall,
): Promise<ToolStepResult> {
  const args = askArgumentsSchema.safeParse(call.arguments);
  if (!args.success) {
    return { name: call.name, ok: false, output: `Invalid arguments for ask_teammate: ${z.prettifyError(args.error)}` };
  }
  const teammates = (ctx.teammates ?? []).filter((r) => r !== ctx.role);
  if (!teammates.includes(args.data.role) || !rt.hooks?.ask) {
    return {
      name: call.name,
      ok: false,
      output: `There is no ${args.data.role} to ask in this squad. Teammates: ${teammates.join(", ") || "none"}.`,
    };
  }
  const answer = await rt.hooks.ask({ stepId, fromRole: ctx.role, toRole: args.data.role, question: args.data.question });
  return { name: call.name, ok: true, output: `${roleLabel(args.data.role)} answered: ${answer}`, data: { to: args.data.role } };
}

/**
 * Why a model answer cannot be used, or null when it can: a response no candidate's body could be
 * parsed of (`unparseable`), no tool calls and no text (empty), a refusal
 * (the provider stopped for another reason than finishing, e.g. Anthropic `refusal`, OpenAI
 * `content_filter`), or — when structured output was asked for — text that is not JSON at all.
 * (Whether the JSON matches the schema is {@link runStructuredAgent}'s repair step.)
 */
export function unusableAnswer(
  response: Pick<ModelStepResult, "content" | "toolCalls" | "unparseable"> & { finishReason?: string },
  structured: boolean,
): string | null {
  if (response.unparseable) return `the provider's response could not be parsed (${response.unparseable.slice(0, 300)})`;
  if (response.toolCalls.length > 0) return null;
  const text = response.content?.trim() ?? "";
  if (response.finishReason === "other" && text === "") return "the model refused or stopped without an answer";
  if (text === "") return "the answer was empty";
  if (response.finishReason === "other") return "the model refused or stopped before finishing";
  if (structured) {
    try {
      JSON.parse(text.replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, "$1"));
    } catch {
      return "the answer is not JSON";
    }
  }
  return null;
}

function repromptText(problem: string, structured: boolean): string {
  return structured
    ? `Your last answer could not be used: ${problem}. Answer again with only the JSON the task asks for.`
    : `Your last answer could not be used: ${problem}. Go on with your task: call a tool, or answer with your summary when you are done.`;
}

function elisionMessage(label: string, elided: ElidedOutput[], before: number, after: number, window: number): string {
  const what = elided.slice(0, 5).map((e) => e.tool).join(", ");
  const more = elided.length > 5 ? ` and ${elided.length - 5} more` : "";
  return `${label}'s context neared the model's window (${before.toLocaleString("en-US")} of ${window.toLocaleString("en-US")} tokens): elided ${elided.length} old tool output(s) (${what}${more}), now ~${after.toLocaleString("en-US")} tokens`;
}

/**
 * Runs one agent's turn as a durable tool loop: model call → tool calls → results → model call …,
 * until the model answers without tool calls. Every model call and every tool call is its own step
 * (`<prefix>/model-<n>`, `<prefix>/tool-<n>-<i>`), records usage in `llm_calls` and appends to the
 * task timeline. `ask_teammate` runs the `ask` hook's steps under `<prefix>/ask-<n>-<i>`.
 *
 * MCP tools (`lib/mcp-client`): when the squad has enabled MCP servers the role may use, the first
 * model step (`<prefix>/model-0`) lists their tools before calling the model and keeps them with its
 * result, offered as `mcp__<server>__<tool>` from then on; a server that cannot be reached is left out
 * (the timeline says why). Each MCP call is a `<prefix>/tool-<n>-<i>` step that
 * the squad's policy decides first (action `mcp_tool`; a refusal is a tool error for the model).
 *
 * Limits (per run of the agent): at most `maxTurns` turns and `maxRunTokens` tokens (input + output
 * as the provider reports them) — the squad agent's values, else its role's (`lib/agents/roles`).
 *
 * Context: before each call the conversation is measured (js-tiktoken, see `context-budget.ts`);
 * near the window of the model that answered last, the oldest tool outputs are replaced by one-line
 * summaries (the calls stay) and the timeline says what was elided (step `<prefix>/elide-<n>`).
 *
 * Unusable answers ({@link unusableAnswer}: empty, refused, not JSON when JSON was asked for) are sent
 * back with a note, at most {@link MAX_REPROMPTS} times per turn (`<prefix>/model-<n>-retry-<k>`).
 *
 * Stuck-loop detection ({@link StuckDetector}): when the agent repeats a tool call with nothing
 * changed in between, or makes no progress for several turns, the calls of that turn are not run; the
 * `escalate` hook (steps under `<prefix>/stuck-<n>`) asks a human, whose instructions are given to
 * the agent before it goes on. Without the hook, a loop ends the agent with an error.
 *
 * @throws AppError `conflict` when the agent is stuck and nobody can be asked, is still calling tools
 *   after its last turn, or has used up its token budget; `unavailable` when the model gave no usable
 *   answer after {@link MAX_REPROMPTS} re-prompts
 */
export async function runAgent(
  rt: AgentRuntime,
  ctx: AgentContext,
  input: {
    stepPrefix: string;
    prompt: string;
    responseFormat?: { name: string; schema: Record<string, unknown> };
    history?: ChatMessage[];
  },
): Promise<AgentResult> {
  const { steps } = rt;
  const role = roleDefinitions[ctx.role];
  const label = roleLabel(ctx.role);
  const maxTurns = ctx.maxTurns ?? role.maxTurns;
  const maxRunTokens = ctx.maxRunTokens ?? role.maxRunTokens;
  const structured = input.responseFormat !== undefined;
  const messages: ChatMessage[] = [
    { role: "system", content: systemPromptOf(ctx) },
    ...(input.history ?? []),
    { role: "user", content: input.prompt },
  ];
  const ownTools = toolsFor(ctx, Boolean(rt.hooks?.ask));
  // MCP tools of the squad's servers (`mcp__<server>__<tool>`): listed inside the first model step and
  // memoized with its result, so every later turn (and a replay) offers the same ones.
  let mcp: McpDiscovery | null = null;
  let tools = ownTools;
  let toolsJson = tools.length > 0 ? JSON.stringify(tools) : "";
  const detector = new StuckDetector(rt.stuckLimits ?? DEFAULT_STUCK_LIMITS);
  const toolResults: ToolStepResult[] = [];
  // Paths whose whole content this agent has seen (write_file may replace only those), rebuilt from the
  // memoised tool results on a replay.
  const seenInFull = new Set<string>();
  let usedTokens = 0;
  // The window of the model that answered last (the route may fall back); before any answer, the first candidate's.
  const first = ctx.modelRoute[0];
  let windowTokens = first ? contextWindowOf(first.provider, first.model) : UNKNOWN_CONTEXT_WINDOW;
  for (let turn = 0; turn < maxTurns; turn++) {
    const elision = elideOldToolOutputs(messages, defaultElisionPolicy(windowTokens), toolsJson);
    if (elision.elided.length > 0) {
      const stepId = `${input.stepPrefix}/elide-${turn}`;
      await steps.run(stepId, () =>
        appendTaskEvent(getDb(), {
          organizationId: ctx.organizationId,
          taskId: ctx.taskId,
          type: "message",
          actor: ctx.role,
          message: elisionMessage(label, elision.elided, elision.beforeTokens, elision.afterTokens, windowTokens),
          data: {
            elided: elision.elided.map((e) => ({ tool: e.tool, tokens: e.tokens, summary: e.summary })),
            beforeTokens: elision.beforeTokens,
            afterTokens: elision.afterTokens,
            windowTokens,
            ...(ctx.subtask ? { subtask: ctx.subtask.key } : {}),
          },
          dedupeKey: `${ctx.runId}:${stepId}`,
        }).then(() => null),
      );
    }

    let response: ModelStepResult | null = null;
    let stepId = `${input.stepPrefix}/model-${turn}`;
    for (let attempt = 0; ; attempt++) {
      stepId = attempt === 0 ? `${input.stepPrefix}/model-${turn}` : `${input.stepPrefix}/model-${turn}-retry-${attempt}`;
      const id = stepId;
      const discovers = turn === 0 && attempt === 0 && Boolean(ctx.squadId);
      const answer: ModelStepResult = await steps.run(id, async () => {
        if (!discovers || !ctx.squadId) return modelStep(ctx, id, messages, tools, input.responseFormat);
        const found = await discoverMcpTools({ ...ctx, squadId: ctx.squadId }, `${id}/mcp-tools`);
        const result = await modelStep(ctx, id, messages, [...ownTools, ...mcpToolDefinitions(found)], input.responseFormat);
        return found.tools.length > 0 || found.failures.length > 0 ? { ...result, mcp: found } : result;
      });
      if (discovers && answer.mcp) {
        mcp = answer.mcp;
        tools = [...ownTools, ...mcpToolDefinitions(mcp)];
        toolsJson = tools.length > 0 ? JSON.stringify(tools) : "";
      }
      usedTokens += answer.usage.inputTokens + answer.usage.outputTokens;
      if (!answer.unparseable) windowTokens = contextWindowOf(answer.provider, answer.model);
      await rt.hooks?.afterModelCall?.({ stepId: id, role: ctx.role, spend: answer.spend });
      const problem = unusableAnswer(answer, structured);
      if (!problem) {
        response = answer;
        break;
      }
      if (attempt >= MAX_REPROMPTS) {
        throw new AppError(
          "unavailable",
          `The ${label} agent's model (${answer.provider}/${answer.model}) gave no usable answer ${attempt + 1} times in a row: ${problem}.`,
        );
      }
      if (answer.content?.trim()) messages.push({ role: "assistant", content: answer.content, replay: answer.replay });
      messages.push({ role: "user", content: repromptText(problem, structured) });
    }
    messages.push({ role: "assistant", content: response.content, toolCalls: response.toolCalls, replay: response.replay });
    const model = { provider: response.provider, model: response.model, offline: response.offline };
    if (response.toolCalls.length === 0) {
      return { content: response.content, toolResults, turns: turn + 1, model, tokens: usedTokens };
    }
    if (usedTokens > maxRunTokens) {
      throw new AppError(
        "conflict",
        `The ${label} agent used ${usedTokens.toLocaleString("en-US")} tokens, over its budget of ${maxRunTokens.toLocaleString("en-US")} for one run, and was stopped.`,
      );
    }

    const repeated = detector.beforeTools(response.toolCalls);
    if (repeated.stuck) {
      await escalate(rt, ctx, messages, response.toolCalls, `${input.stepPrefix}/stuck-${turn}`, repeated.reason);
      detector.reset();
      continue;
    }
    const outcomes: { call: ToolCall; ok: boolean }[] = [];
    for (const [i, call] of response.toolCalls.entries()) {
      const toolStepId = `${input.stepPrefix}/tool-${turn}-${i}`;
      const offered = mcp?.tools.find((t) => t.name === call.name);
      const result =
        call.name === ASK_TEAMMATE
          ? await askStep(rt, ctx, `${input.stepPrefix}/ask-${turn}-${i}`, call)
          : offered && ctx.squadId
            ? await steps.run(toolStepId, () =>
                callMcpToolStep({ ...ctx, squadId: ctx.squadId as string }, toolStepId, call, offered, MAX_TOOL_OUTPUT_CHARS),
              )
            : await steps.run(toolStepId, () => toolStep(ctx, toolStepId, call, seenInFull));
      toolResults.push(result);
      noteSeenInFull(seenInFull, call, result);
      outcomes.push({ call, ok: result.ok });
      messages.push({ role: "tool", toolCallId: call.id, name: call.name, content: result.output });
    }
    const idle = detector.afterTools(outcomes);
    if (idle.stuck) {
      await escalate(rt, ctx, messages, [], `${input.stepPrefix}/stuck-${turn}`, idle.reason);
      detector.reset();
    }
  }
  throw new AppError("conflict", `The ${label} agent was still calling tools after ${maxTurns} turns and was stopped.`);
}

/**
 * Hands a loop to a human. The turn's unexecuted calls get a "not run" result (every tool call needs
 * one), then the human's instructions arrive as a user message.
 */
async function escalate(
  rt: AgentRuntime,
  ctx: AgentContext,
  messages: ChatMessage[],
  skipped: ToolCall[],
  stepId: string,
  reason: string,
): Promise<void> {
  const who = roleLabel(ctx.role);
  if (!rt.hooks?.escalate) {
    throw new AppError("conflict", `The ${who} agent is stuck: it ${reason}.`);
  }
  const instructions = await rt.hooks.escalate({ stepId, role: ctx.role, reason: `The ${who} ${reason}.` });
  for (const call of skipped) {
    messages.push({
      role: "tool",
      toolCallId: call.id,
      name: call.name,
      content: "Not run: you already made this call with the same arguments. A person was asked how you should go on.",
    });
  }
  messages.push({
    role: "user",
    content: instructions?.trim()
      ? `You were repeating yourself, so a person looked at your progress. Their instructions: ${instructions.trim()}`
      : "You were repeating yourself, so a person looked at your progress and let you go on. Do not repeat earlier tool calls; finish your subtask or say what is blocking you.",
  });
}

/**
 * Runs an agent whose answer must be JSON matching `schema` (structured output). An invalid answer —
 * one that fails the schema, or the extra `validate` check (which returns a problem or null) — gets
 * one repair attempt that shows the model the validation error.
 * @returns the parsed value and the agent result
 * @throws AppError `invalid_input` when the repaired answer is still invalid
 */
export async function runStructuredAgent<S extends z.ZodType>(
  rt: AgentRuntime,
  ctx: AgentContext,
  input: {
    stepPrefix: string;
    prompt: string;
    name: string;
    schema: S;
    validate?: (value: z.output<S>) => string | null;
  },
): Promise<{ value: z.output<S>; result: AgentResult }> {
  const responseFormat = { name: input.name, schema: z.toJSONSchema(input.schema, { target: "draft-7" }) };
  const first = await runAgent(rt, ctx, { stepPrefix: input.stepPrefix, prompt: input.prompt, responseFormat });
  const parsed = parseJsonAnswer(first.content, input.schema, input.validate);
  if (parsed.success) return { value: parsed.data, result: first };
  const repaired = await runAgent(rt, ctx, {
    stepPrefix: `${input.stepPrefix}/repair`,
    prompt: `Your previous answer was not a valid ${input.name}: ${parsed.error}. Answer again with only valid JSON.`,
    responseFormat,
    history: [
      { role: "user", content: input.prompt },
      { role: "assistant", content: first.content },
    ],
  });
  const again = parseJsonAnswer(repaired.content, input.schema, input.validate);
  if (again.success) return { value: again.data, result: repaired };
  throw new AppError("invalid_input", `The ${ctx.role} agent did not produce a valid ${input.name}: ${again.error}`);
}

function parseJsonAnswer<S extends z.ZodType>(
  content: string | null,
  schema: S,
  validate?: (value: z.output<S>) => string | null,
): { success: true; data: z.output<S> } | { success: false; error: string } {
  if (!content) return { success: false, error: "the answer was empty" };
  const text = content.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, "$1");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { success: false, error: "the answer is not JSON" };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    return { success: false, error: parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ") };
  }
  const problem = validate?.(parsed.data) ?? null;
  return problem ? { success: false, error: problem } : { success: true, data: parsed.data };
}
