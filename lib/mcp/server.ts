import { randomUUID } from "node:crypto";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { listApprovals } from "@/db/queries/approvals";
import { findTask, listTaskEvents } from "@/db/queries/tasks";
import { approvalStatuses } from "@/db/schema/tasks";
import { taskStatuses } from "@/db/schema/task-statuses";
import { parseIdParam } from "@/lib/api/handler";
import { decideApproval } from "@/lib/approvals/decide-approval";
import { getApprovalOrThrow } from "@/lib/approvals/get-approval";
import { approvalDecisionSchema, listApprovalsQuerySchema } from "@/lib/approvals/schemas";
import { serializeApproval } from "@/lib/approvals/serialize";
import { requirePermission, type RequestContext } from "@/lib/auth/session";
import type { Permissions } from "@/lib/auth/permissions";
import { AppError, notFound } from "@/lib/errors";
import { serializeTaskEvent } from "@/lib/events/task-event-stream";
import { currentObservabilityContext } from "@/lib/observability/context";
import { componentLogger } from "@/lib/observability/logger";
import { cancelTaskByPerson } from "@/lib/tasks/cancel-task";
import { createTask } from "@/lib/tasks/create-task";
import { getTaskDetail } from "@/lib/tasks/get-task-detail";
import { listTaskPage } from "@/lib/tasks/list-tasks";
import { cancelTaskInputSchema, createTaskInputSchema, listTasksQuerySchema, MAX_TASKS_PAGE } from "@/lib/tasks/schemas";
import { serializeTask } from "@/lib/tasks/serialize";

/** The URI template of a task's timeline resource. */
export const TASK_TIMELINE_TEMPLATE = "squadron://tasks/{taskId}/timeline";

/** Most events a timeline resource returns (pages of 500 are read until the end or this cap). */
export const MAX_TIMELINE_EVENTS = 10_000;

/** The tools the server offers and the permission each needs (the same as its REST operation). */
export const mcpToolPermissions = {
  create_task: { task: ["create"] },
  get_task: { task: ["read"] },
  list_tasks: { task: ["read"] },
  list_approvals: { approval: ["read"] },
  decide_approval: { approval: ["decide"] },
  cancel_task: { task: ["cancel"] },
} as const satisfies Record<string, Permissions>;

export type McpToolName = keyof typeof mcpToolPermissions;

const log = componentLogger("mcp");

/** `{ error: { code, message, details? } }`, the REST error shape, for a thrown AppError. */
function errorBody(error: AppError) {
  return { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
}

/** An unexpected error: logged with the request id, answered without internals (as REST's 500). */
function internalMessage(error: unknown, what: string): string {
  const requestId = currentObservabilityContext().requestId ?? randomUUID();
  log.error({ err: error, requestId, what }, "mcp call failed");
  return `Internal error (request id ${requestId}).`;
}

/**
 * A tool's result: the REST JSON as text, and as `structuredContent` when it is an object (MCP's
 * structured content is an object; a JSON array is given as `{ items }`).
 */
function jsonResult(value: unknown): CallToolResult {
  const structured = Array.isArray(value) ? { items: value } : (value as Record<string, unknown>);
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: structured };
}

/**
 * Runs a tool body for `ctx`: checks the tool's permission first, and turns every failure into a
 * tool error (`isError: true`) — an AppError with its message and the REST error shape as
 * `structuredContent`, anything else as an internal error with the request id — never a JSON-RPC error.
 */
async function runTool(ctx: RequestContext, name: McpToolName, body: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    requirePermission(ctx, mcpToolPermissions[name]);
    return jsonResult(await body());
  } catch (error) {
    if (error instanceof AppError) {
      return { content: [{ type: "text", text: error.message }], structuredContent: errorBody(error), isError: true };
    }
    return { content: [{ type: "text", text: internalMessage(error, name) }], isError: true };
  }
}

/** Parses tool arguments with a REST schema so the tool and the route validate alike. */
function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const summary = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
  throw new AppError("invalid_input", `Invalid ${what}: ${summary}`, {
    issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  });
}

const idArg = (what: string) => z.string().max(100).describe(`The ${what}'s id (a UUID)`);

/** One status or several (`["running", "awaiting_approval"]`). */
function statusFilter<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z
    .union([z.enum(values), z.array(z.enum(values)).min(1).max(values.length)])
    .optional()
    .describe(`Only ${what} with this status (or any of these statuses): ${values.join(", ")}`);
}

/** `"running"` or `["running", "testing"]` → the comma-separated form the REST query takes. */
const csv = (v: string | readonly string[] | undefined) => (v === undefined ? undefined : typeof v === "string" ? v : v.join(","));

/**
 * Squadron's MCP server for one authenticated caller (`ctx`: an API key's context, resolved by the
 * same code as the REST routes). Each tool calls the lib function its REST operation calls, with
 * the same permission and the same tenant scoping, and answers the same JSON.
 */
export function createSquadronMcpServer(ctx: RequestContext): McpServer {
  const server = new McpServer(
    { name: "squadron", title: "Squadron", version: "1.0.0" },
    {
      instructions:
        "Squadron runs squads of AI agents on software tasks. Create a task with create_task, follow it with get_task " +
        "(or the squadron://tasks/{taskId}/timeline resource), and decide the approvals a supervised squad asks for " +
        "with list_approvals and decide_approval.",
    },
  );
  const db = getDb();
  const organizationId = ctx.organizationId;

  server.registerTool(
    "create_task",
    {
      title: "Create a task",
      description:
        "Queues a task for a squad (the organization's default squad unless squadId is given) — the same as POST /api/v1/tasks. " +
        "Returns the queued task; follow it with get_task.",
      inputSchema: {
        title: z.string().max(200).describe("What to do, in one line (1–200 characters)"),
        description: z.string().max(10_000).optional().describe("Details, acceptance criteria (up to 10,000 characters)"),
        repositoryId: z.string().max(100).optional().describe("The repository to work on (the squad's own when omitted)"),
        squadId: z.string().max(100).optional().describe("The squad that runs it (the default squad when omitted)"),
      },
      annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      runTool(ctx, "create_task", async () => {
        const input = parseWith(createTaskInputSchema, args, "arguments");
        const task = await createTask(db, input, { organizationId, userId: ctx.userId, source: "api" });
        return serializeTask(task);
      }),
  );

  server.registerTool(
    "get_task",
    {
      title: "Get a task",
      description:
        "A task with its subtasks, artifacts (plan, patch, test report, review), usage, budget, approvals and deliveries — " +
        "the same as GET /api/v1/tasks/{id}. status is completed, failed or cancelled once it has ended.",
      inputSchema: { taskId: idArg("task") },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ taskId }) =>
      runTool(ctx, "get_task", async () => {
        const id = parseIdParam(taskId, "Task");
        return withTenant(db, organizationId, (tx) => getTaskDetail(tx, { organizationId, taskId: id }));
      }),
  );

  server.registerTool(
    "list_tasks",
    {
      title: "List tasks",
      description:
        "The organization's tasks, newest first, as { items, nextCursor } — the same as GET /api/v1/tasks. " +
        "Pass nextCursor back as cursor for the next page.",
      inputSchema: {
        status: statusFilter(taskStatuses, "tasks"),
        limit: z.number().int().min(1).max(MAX_TASKS_PAGE).optional().describe(`How many (1–${MAX_TASKS_PAGE}, default 20)`),
        cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(ctx, "list_tasks", async () => {
        const query = parseWith(
          listTasksQuerySchema,
          { status: csv(args.status), limit: args.limit, cursor: args.cursor },
          "arguments",
        );
        return withTenant(db, organizationId, (tx) => listTaskPage(tx, { organizationId, query }));
      }),
  );

  server.registerTool(
    "list_approvals",
    {
      title: "List approvals",
      description:
        "The organization's approvals (a supervised squad waits on them), newest first — the same as GET /api/v1/approvals. " +
        "status \"pending\" gives the ones waiting for a decision.",
      inputSchema: { status: statusFilter(approvalStatuses, "approvals") },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(ctx, "list_approvals", async () => {
        const query = parseWith(listApprovalsQuerySchema, { status: csv(args.status) }, "arguments");
        const rows = await withTenant(db, organizationId, (tx) =>
          listApprovals(tx, { organizationId, statuses: query.status, limit: query.limit }),
        );
        return rows.map(serializeApproval);
      }),
  );

  server.registerTool(
    "decide_approval",
    {
      title: "Approve or reject",
      description:
        "Decides a pending approval — the same as POST /api/v1/approvals/{id}/decision. Approving (optionally with a comment: " +
        "instructions to the squad) lets the task go on; rejecting ends it cancelled with the comment as the reason.",
      inputSchema: {
        approvalId: idArg("approval"),
        decision: z.enum(["approve", "reject"]),
        comment: z.string().max(10_000).optional().describe("Instructions (approve) or the reason (reject)"),
      },
      annotations: { destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      runTool(ctx, "decide_approval", async () => {
        const approvalId = parseIdParam(args.approvalId, "Approval");
        const input = parseWith(approvalDecisionSchema, { decision: args.decision, comment: args.comment }, "arguments");
        await decideApproval(db, { organizationId, approvalId, user: ctx.user, apiKeyId: ctx.apiKeyId }, input);
        return getApprovalOrThrow(db, { organizationId, approvalId });
      }),
  );

  server.registerTool(
    "cancel_task",
    {
      title: "Cancel a task",
      description:
        "Cancels a queued or running task (its run stops between steps) — the same as POST /api/v1/tasks/{id}/cancel. " +
        "A task that already completed or failed cannot be cancelled; cancelling a cancelled task again is harmless.",
      inputSchema: {
        taskId: idArg("task"),
        reason: z.string().max(1000).optional().describe("Shown in the task's timeline"),
      },
      annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(ctx, "cancel_task", async () => {
        const taskId = parseIdParam(args.taskId, "Task");
        const input = parseWith(cancelTaskInputSchema, { reason: args.reason }, "arguments");
        return serializeTask(await cancelTaskByPerson(db, { organizationId, taskId, user: ctx.user }, input));
      }),
  );

  server.registerResource(
    "task-timeline",
    new ResourceTemplate(TASK_TIMELINE_TEMPLATE, {
      // The newest tasks' timelines, so a client can browse them; none without task:read.
      list: async () => {
        try {
          requirePermission(ctx, { task: ["read"] });
        } catch {
          return { resources: [] };
        }
        const query = listTasksQuerySchema.parse({ limit: 20 });
        const page = await withTenant(db, organizationId, (tx) => listTaskPage(tx, { organizationId, query }));
        return {
          resources: page.items.map((t) => ({
            uri: `squadron://tasks/${t.id}/timeline`,
            name: `Timeline of "${t.title}"`,
            mimeType: "application/json",
          })),
        };
      },
    }),
    {
      title: "Task timeline",
      description:
        "A task's timeline (status changes, agent messages, approvals, …) oldest first, as a JSON array of " +
        "{ id, taskId, type, actor, message, data, createdAt }: the events GET /api/v1/tasks/{id}/events streams.",
      mimeType: "application/json",
    },
    async (uri, variables) => {
      try {
        requirePermission(ctx, { task: ["read"] });
        const raw = Array.isArray(variables.taskId) ? variables.taskId[0] : variables.taskId;
        const taskId = parseIdParam(raw ?? "", "Task");
        const events = await withTenant(db, organizationId, async (tx) => {
          if (!(await findTask(tx, { organizationId, taskId }))) throw notFound("Task");
          const out: ReturnType<typeof serializeTaskEvent>[] = [];
          for (let afterId = 0; out.length < MAX_TIMELINE_EVENTS; ) {
            const rows = await listTaskEvents(tx, { organizationId, taskId, afterId, limit: 500 });
            out.push(...rows.map(serializeTaskEvent));
            if (rows.length < 500) break;
            afterId = rows[rows.length - 1].id;
          }
          return out.slice(0, MAX_TIMELINE_EVENTS);
        });
        return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(events) }] };
      } catch (error) {
        // A resource read has no isError result: it answers a JSON-RPC error (-32002 is MCP's "resource not found").
        if (error instanceof AppError) {
          throw new McpError(error.code === "not_found" ? -32002 : ErrorCode.InvalidRequest, error.message, errorBody(error).error);
        }
        throw new McpError(ErrorCode.InternalError, internalMessage(error, "task-timeline"));
      }
    },
  );

  return server;
}
