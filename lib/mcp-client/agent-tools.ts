import { getDb } from "@/db/client";
import type { AgentRole } from "@/db/schema/agent-roles";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import type { ToolCall, ToolDefinition } from "@/lib/llm/types";
import { decidePolicy } from "@/lib/policy/decide-policy";
import { listMcpTools, MCP_TIMEOUT_MS, mcpErrorText, withMcpClient } from "./connect";
import { connectionOf, mcpServersForRole, serverAllowsRole, listMcpServerRows } from "./store";

/** Prefix of every MCP tool name the model sees: `mcp__<server>__<tool>`. */
export const MCP_TOOL_PREFIX = "mcp__";
/** Longest tool name the providers take (OpenAI and Anthropic: 64, `[a-zA-Z0-9_-]`). */
const MAX_TOOL_NAME = 64;
/** Largest JSON Schema (characters of JSON) an MCP tool may have to be offered. */
const MAX_SCHEMA_CHARS = 20_000;

/** One MCP tool offered to the model: the name it sees, and which server tool that is. */
export type OfferedMcpTool = { name: string; server: string; tool: string; description: string; parameters: Record<string, unknown> };

/** What the discovery step keeps (memoized JSON): the tools offered and the servers that failed. */
export type McpDiscovery = { tools: OfferedMcpTool[]; failures: { server: string; error: string }[] };

/** The name the model sees for `tool` of `server`: `mcp__<server>__<tool>`, other characters as `_`, at most 64. */
export function mcpToolName(server: string, tool: string): string {
  return `${MCP_TOOL_PREFIX}${server}__${tool.replace(/[^A-Za-z0-9_-]/g, "_")}`.slice(0, MAX_TOOL_NAME);
}

export function isMcpToolName(name: string): boolean {
  return name.startsWith(MCP_TOOL_PREFIX);
}

/** The model's tool definitions of the discovered tools. */
export function mcpToolDefinitions(discovery: McpDiscovery | null): ToolDefinition[] {
  return (discovery?.tools ?? []).map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
}

type Scope = { organizationId: string; taskId: string; runId: string; squadId: string; role: AgentRole; subtask?: { id: string; key: string } | null };

function objectSchema(schema: Record<string, unknown>): Record<string, unknown> {
  // Providers want an object schema at the top; MCP requires `type: "object"` but servers may omit `properties`.
  return { ...schema, type: "object", properties: (schema.properties as Record<string, unknown> | undefined) ?? {} };
}

/**
 * Connects to each enabled server of the squad the role may use, lists its tools and returns them as
 * `mcp__<server>__<tool>` with their JSON Schema input; the agent loop runs it inside its first model
 * step and memoizes the result with it, so a replay offers the same tools. A server that cannot be reached is left out: the agent runs without its tools and
 * the timeline says why (one `message` entry per step, listing what was offered and what failed).
 * Never throws for a server's failure.
 */
export async function discoverMcpTools(scope: Scope, stepId: string): Promise<McpDiscovery> {
  const db = getDb();
  const servers = await mcpServersForRole(db, scope);
  const tools: OfferedMcpTool[] = [];
  const failures: McpDiscovery["failures"] = [];
  const notes: string[] = [];
  for (const server of servers) {
    try {
      const listed = await withMcpClient(await connectionOf(server), (client) => listMcpTools(client));
      let skipped = 0;
      for (const t of listed.tools) {
        const name = mcpToolName(server.name, t.name);
        const parameters = objectSchema(t.inputSchema);
        if (tools.some((o) => o.name === name) || JSON.stringify(parameters).length > MAX_SCHEMA_CHARS) {
          skipped++;
          continue;
        }
        tools.push({ name, server: server.name, tool: t.name, description: (t.description || `${t.name} (MCP server ${server.name})`).slice(0, 1_000), parameters });
      }
      if (skipped > 0 || listed.truncated) notes.push(`${server.name}: some tools left out (${skipped > 0 ? `${skipped} with a clashing name or an oversized schema` : "too many tools"})`);
    } catch (error) {
      failures.push({ server: server.name, error: mcpErrorText(error) });
    }
  }
  if (servers.length > 0) {
    const offered = [...new Set(tools.map((t) => t.server))].map((s) => `${s} (${tools.filter((t) => t.server === s).length})`);
    const parts = [
      ...(offered.length > 0 ? [`MCP tools offered from ${offered.join(", ")}`] : []),
      ...failures.map((f) => `MCP server ${f.server} unavailable, running without its tools: ${f.error}`),
      ...notes,
    ];
    await appendTaskEvent(db, {
      organizationId: scope.organizationId,
      taskId: scope.taskId,
      type: failures.length > 0 ? "error" : "message",
      actor: scope.role,
      message: parts.join("; "),
      data: {
        mcp: { tools: tools.map((t) => t.name), failures },
        ...(scope.subtask ? { subtask: scope.subtask.key } : {}),
      },
      dedupeKey: `${scope.runId}:${stepId}`,
    });
  }
  return { tools, failures };
}

/** Text of an MCP `CallToolResult`'s content (text blocks as they are, other blocks summarized). */
function resultText(result: Record<string, unknown>): string {
  const content = Array.isArray(result.content) ? (result.content as Record<string, unknown>[]) : [];
  const parts = content.map((c) => {
    if (c.type === "text" && typeof c.text === "string") return c.text;
    if (c.type === "resource" && typeof c.resource === "object" && c.resource !== null) {
      const r = c.resource as Record<string, unknown>;
      return typeof r.text === "string" ? r.text : `[resource ${String(r.uri ?? "")}]`;
    }
    if (c.type === "resource_link") return `[resource link ${String(c.uri ?? "")}]`;
    return `[${String(c.type ?? "content")} content left out]`;
  });
  if (parts.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  if (parts.length === 0 && "toolResult" in result) return JSON.stringify(result.toolResult);
  return parts.join("\n");
}

/** What an MCP tool step returns (the agent loop's tool result shape). */
export type McpToolStepResult = { name: string; ok: boolean; output: string; data?: unknown };

/**
 * One MCP tool call, run by the agent loop as its own durable step (so a replay does not call the
 * tool twice): the squad's policy decides the `mcp_tool` action for this tool name (a `policy`
 * timeline entry); a refusal — or a required approval, which the agent loop cannot ask for yet —
 * comes back as a tool error. Otherwise the server (read now: it must still be enabled and allowed)
 * is called, the output cut at `maxChars`, and a `tool_call` entry appended (server, tool, ok, preview).
 * Never throws for the server's or the model's mistakes.
 */
export async function callMcpToolStep(
  scope: Scope,
  stepId: string,
  call: ToolCall,
  offered: OfferedMcpTool,
  maxChars: number,
): Promise<McpToolStepResult> {
  const db = getDb();
  const decision = await decidePolicy({ organizationId: scope.organizationId, taskId: scope.taskId }, scope.runId, stepId, [{ action: "mcp_tool", tool: offered.name }]);
  let ok = false;
  let output: string;
  let policy: string | undefined;
  if (decision.decision !== "allow") {
    policy = decision.decision;
    output =
      decision.decision === "deny"
        ? `The squad's policy refused ${offered.name}: ${decision.reason}. Do not call it again; go on without it.`
        : `The squad's policy wants a person to approve ${offered.name} (${decision.reason}), and MCP tool calls cannot wait for approval yet, so it was not made. Go on without it, or say in your answer what you needed it for.`;
  } else {
    const server = (await listMcpServerRows(db, scope)).find((r) => r.name === offered.server);
    if (!server || !server.enabled || !serverAllowsRole(server, scope.role)) {
      output = `The MCP server ${offered.server} is no longer available to the ${scope.role} in this squad.`;
    } else {
      try {
        const result = (await withMcpClient(await connectionOf(server), (client) =>
          client.callTool({ name: offered.tool, arguments: call.arguments ?? {} }, undefined, { timeout: MCP_TIMEOUT_MS }),
        )) as Record<string, unknown>;
        ok = result.isError !== true;
        output = resultText(result) || (ok ? "(the tool returned no content)" : "(the tool failed without a message)");
      } catch (error) {
        output = `The MCP tool ${offered.tool} of ${offered.server} could not be called: ${mcpErrorText(error)}`;
      }
    }
  }
  if (output.length > maxChars) output = `${output.slice(0, maxChars)}\n… (${output.length - maxChars} more characters cut)`;
  await appendTaskEvent(db, {
    organizationId: scope.organizationId,
    taskId: scope.taskId,
    type: "tool_call",
    actor: scope.role,
    message: `${offered.name} → ${ok ? "ok" : policy === "deny" ? "refused by policy" : policy ? "needs approval (not run)" : "failed"}`,
    data: {
      tool: offered.name,
      mcp: { server: offered.server, tool: offered.tool },
      ok,
      ...(policy ? { policy, ruleId: decision.ruleId } : {}),
      preview: output.slice(0, 2_000),
      ...(scope.subtask ? { subtask: scope.subtask.key } : {}),
    },
    dedupeKey: `${scope.runId}:${stepId}`,
  });
  return { name: call.name, ok, output, data: { mcp: { server: offered.server, tool: offered.tool }, ...(policy ? { policy } : {}) } };
}
