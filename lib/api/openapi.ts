import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import { z } from "zod";
import { createApiKeyInputSchema } from "@/lib/api-keys/schemas";
import { listApprovalsQuerySchema } from "@/lib/approvals/schemas";
import { approvalDecisionSchema } from "@/lib/approvals/decision-schema";
import { listAuditEventsQuerySchema } from "@/lib/audit/schemas";
import { createRepositoryInputSchema } from "@/lib/repositories/create-repository";
import { listAgentsQuerySchema, updateSquadSchema } from "@/lib/squads/schemas";
import { cancelTaskInputSchema, createTaskInputSchema, listTasksQuerySchema } from "@/lib/tasks/schemas";
import { usageQuerySchema } from "@/lib/usage/schemas";
import { MAX_JSON_BODY_BYTES } from "./handler";
import {
  agentListItemSchema,
  apiErrorSchema,
  apiKeyIdPathSchema,
  apiKeySchema,
  approvalSchema,
  auditEventPageSchema,
  createdApiKeySchema,
  createdRepositorySchema,
  idPathSchema,
  mailSchema,
  openApiDocumentSchema,
  repositorySchema,
  retriedTaskSchema,
  squadSchema,
  taskDetailSchema,
  taskEventsHeaderSchema,
  taskEventsQuerySchema,
  taskPageSchema,
  taskSchema,
  usageReportSchema,
} from "./response-schemas";

export type HttpMethod = "get" | "post" | "patch" | "put" | "delete";

/**
 * One operation of `/api/v1`, described with the same zod schemas the route validates with. The
 * document is rendered from this list, and the tests walk it (route parity, fuzzing, responses).
 */
export type ApiOperation = {
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/api/v1/tasks/{id}`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** No authentication (the document itself). */
  public?: boolean;
  pathParams?: z.ZodObject;
  query?: z.ZodType<unknown, Record<string, unknown>>;
  headers?: z.ZodObject;
  /** JSON request body: the route's input schema (its input side is documented). */
  body?: z.ZodType;
  /** A valid body (shown in the document; the fuzz tests mutate it). */
  bodyExample?: unknown;
  /** A valid query (the fuzz tests mutate it). */
  queryExample?: Record<string, string>;
  success: {
    status: 200 | 201 | 202 | 204;
    description: string;
    schema?: z.ZodType;
    /** Default `application/json`. */
    contentType?: string;
    headers?: z.ZodObject;
  };
  /** Error statuses besides the ones derived from the operation's shape (e.g. 409, 503). */
  moreErrors?: number[];
};

const idParams = idPathSchema;

export const apiOperations: ApiOperation[] = [
  // Tasks
  {
    method: "get",
    path: "/api/v1/tasks",
    operationId: "listTasks",
    tag: "Tasks",
    summary: "List tasks",
    description:
      "The organization's tasks, newest first, with cursor pagination: pass the page's `nextCursor` as `cursor` for the next one. `status` and `source` take one value or a comma-separated list.",
    query: listTasksQuerySchema,
    queryExample: { limit: "20", status: "queued,running", source: "api" },
    success: { status: 200, description: "A page of tasks.", schema: taskPageSchema },
  },
  {
    method: "post",
    path: "/api/v1/tasks",
    operationId: "createTask",
    tag: "Tasks",
    summary: "Create a task",
    description: "Queues a task for a squad (the organization's default squad unless `squadId` is given) and starts its run.",
    body: createTaskInputSchema,
    bodyExample: { title: "Add a DELETE /todos/:id endpoint", description: "204 on success, 404 if missing" },
    success: {
      status: 201,
      description: "The queued task.",
      schema: taskSchema,
      headers: z.object({ Location: z.string().meta({ description: "`/api/v1/tasks/{id}`" }) }),
    },
    moreErrors: [503],
  },
  {
    method: "get",
    path: "/api/v1/tasks/{id}",
    operationId: "getTask",
    tag: "Tasks",
    summary: "Get a task",
    description: "The task with its subtasks, artifacts (plan, patch, test report, review), model usage, budget, approvals and models.",
    pathParams: idParams,
    success: { status: 200, description: "The task in detail.", schema: taskDetailSchema },
  },
  {
    method: "post",
    path: "/api/v1/tasks/{id}/cancel",
    operationId: "cancelTask",
    tag: "Tasks",
    summary: "Cancel a task",
    description: "Cancels a task that has not finished; `reason` is shown in the timeline. 409 when it already finished.",
    pathParams: idParams,
    body: cancelTaskInputSchema,
    bodyExample: { reason: "Superseded by another task" },
    success: { status: 200, description: "The cancelled task.", schema: taskSchema },
    moreErrors: [409],
  },
  {
    method: "post",
    path: "/api/v1/tasks/{id}/retry",
    operationId: "retryTask",
    tag: "Tasks",
    summary: "Retry a failed or cancelled task",
    description: "Runs only the failed, blocked or unfinished subtasks again, on the same branch. 409 for a task that is not failed or cancelled.",
    pathParams: idParams,
    success: { status: 202, description: "The queued task and the subtasks that run again.", schema: retriedTaskSchema },
    moreErrors: [409, 503],
  },
  {
    method: "get",
    path: "/api/v1/tasks/{id}/events",
    operationId: "streamTaskEvents",
    tag: "Tasks",
    summary: "Stream a task's timeline (Server-Sent Events)",
    description:
      "Every timeline entry as an SSE event (`id:` is the event id, `data:` its JSON). Reconnect with `Last-Event-ID` (or `?after=<id>`) to resume right after that event.",
    pathParams: idParams,
    query: taskEventsQuerySchema,
    queryExample: { after: "0" },
    headers: taskEventsHeaderSchema,
    success: {
      status: 200,
      description: "An endless `text/event-stream` of the task's events.",
      contentType: "text/event-stream",
      schema: z.string().meta({ description: "`id: <event id>\\ndata: <event JSON>\\n\\n` per event." }),
    },
  },
  // Repositories
  {
    method: "get",
    path: "/api/v1/repositories",
    operationId: "listRepositories",
    tag: "Repositories",
    summary: "List repositories",
    success: { status: 200, description: "The organization's repositories.", schema: z.array(repositorySchema) },
  },
  {
    method: "post",
    path: "/api/v1/repositories",
    operationId: "createRepository",
    tag: "Repositories",
    summary: "Add a repository",
    description:
      "A local git repository (`localPath`, inside `LOCAL_REPOSITORY_ROOTS`) or a GitHub repository (`githubFullName`). The response holds the webhook secret, shown only this once.",
    body: createRepositoryInputSchema,
    bodyExample: { name: "todo-api", githubFullName: "octo/todo-api", defaultBranch: "main", testCommand: "npm test" },
    success: { status: 201, description: "The repository with its webhook URL and secret.", schema: createdRepositorySchema },
  },
  // Squads and agents
  {
    method: "get",
    path: "/api/v1/squads",
    operationId: "listSquads",
    tag: "Squads",
    summary: "List squads",
    description: "The organization's squads with their agents, policy and this month's usage; the default squad first.",
    success: { status: 200, description: "The squads.", schema: z.array(squadSchema) },
  },
  {
    method: "get",
    path: "/api/v1/squads/{id}",
    operationId: "getSquad",
    tag: "Squads",
    summary: "Get a squad",
    pathParams: idParams,
    success: { status: 200, description: "The squad.", schema: squadSchema },
  },
  {
    method: "patch",
    path: "/api/v1/squads/{id}",
    operationId: "updateSquad",
    tag: "Squads",
    summary: "Update a squad",
    description:
      "Autonomy, budgets, policy (replaced whole) and agents by role (`enabled: false` removes a role). Money in USD micros.",
    pathParams: idParams,
    body: updateSquadSchema,
    bodyExample: {
      autonomy: "supervised",
      budgetUsdMicros: 2_000_000,
      agents: [{ role: "developer", instructions: "Prefer small functions; no new dependencies." }],
    },
    success: { status: 200, description: "The updated squad.", schema: squadSchema },
  },
  {
    method: "get",
    path: "/api/v1/agents",
    operationId: "listAgents",
    tag: "Squads",
    summary: "List agents",
    description: "The agents of the organization's squads, or of one squad (`squadId`).",
    query: listAgentsQuerySchema,
    queryExample: {},
    success: { status: 200, description: "The agents.", schema: z.array(agentListItemSchema) },
  },
  // Approvals
  {
    method: "get",
    path: "/api/v1/approvals",
    operationId: "listApprovals",
    tag: "Approvals",
    summary: "List approvals",
    description: "Newest first. `status` takes one or more comma-separated statuses; without it, all.",
    query: listApprovalsQuerySchema,
    queryExample: { status: "pending", limit: "50" },
    success: { status: 200, description: "The approvals.", schema: z.array(approvalSchema) },
  },
  {
    method: "get",
    path: "/api/v1/approvals/{id}",
    operationId: "getApproval",
    tag: "Approvals",
    summary: "Get an approval",
    pathParams: idParams,
    success: { status: 200, description: "The approval.", schema: approvalSchema },
  },
  {
    method: "post",
    path: "/api/v1/approvals/{id}/decision",
    operationId: "decideApproval",
    tag: "Approvals",
    summary: "Approve or reject",
    description:
      "Approving with a comment gives the squad instructions; rejecting cancels the task with the comment as the reason. 409 when the approval is no longer pending.",
    pathParams: idParams,
    body: approvalDecisionSchema,
    bodyExample: { decision: "approve", comment: "Name the column due_on" },
    success: { status: 200, description: "The decided approval.", schema: approvalSchema },
    moreErrors: [409, 503],
  },
  // Usage
  {
    method: "get",
    path: "/api/v1/usage",
    operationId: "getUsage",
    tag: "Usage",
    summary: "Model usage and cost",
    description: "Over `[from, to)` (ISO-8601 dates or timestamps; default: this calendar month, UTC, up to now; at most 366 days).",
    query: usageQuerySchema,
    queryExample: { from: "2026-01-01", to: "2026-02-01" },
    success: { status: 200, description: "The usage report.", schema: usageReportSchema },
  },
  // API keys
  {
    method: "get",
    path: "/api/v1/api-keys",
    operationId: "listApiKeys",
    tag: "API keys",
    summary: "List API keys",
    description: "The organization's API keys (never the secret).",
    success: { status: 200, description: "The API keys.", schema: z.array(apiKeySchema) },
  },
  {
    method: "post",
    path: "/api/v1/api-keys",
    operationId: "createApiKey",
    tag: "API keys",
    summary: "Create an API key",
    description:
      "Permissions default to all of the creator's current permissions on Squadron's resources; the key never exceeds its creator's role. The key (`sq_…`) is shown only in this response.",
    body: createApiKeyInputSchema,
    bodyExample: { name: "CI", permissions: { task: ["read", "create"] }, expiresInDays: 90 },
    success: { status: 201, description: "The key, with its secret.", schema: createdApiKeySchema },
  },
  {
    method: "delete",
    path: "/api/v1/api-keys/{id}",
    operationId: "revokeApiKey",
    tag: "API keys",
    summary: "Revoke an API key",
    pathParams: apiKeyIdPathSchema,
    success: { status: 204, description: "Revoked." },
  },
  // Audit
  {
    method: "get",
    path: "/api/v1/audit-events",
    operationId: "listAuditEvents",
    tag: "Audit",
    summary: "List audit events",
    description: "The organization's audit log, newest first; pass `nextCursor` back as `cursor`. Owners and admins only.",
    query: listAuditEventsQuerySchema,
    queryExample: { limit: "50" },
    success: { status: 200, description: "A page of audit events.", schema: auditEventPageSchema },
  },
  // Mail outbox
  {
    method: "get",
    path: "/api/v1/mail-outbox",
    operationId: "listMailOutbox",
    tag: "Organization",
    summary: "List recorded mail",
    description: "The organization's recorded mail (invitations with their links), newest first, at most 100. Owners and admins only.",
    success: { status: 200, description: "The messages.", schema: z.array(mailSchema) },
  },
  // The document
  {
    method: "get",
    path: "/api/v1/openapi.json",
    operationId: "getOpenApiDocument",
    tag: "Meta",
    summary: "This OpenAPI document",
    public: true,
    success: { status: 200, description: "The OpenAPI 3.1 document of `/api/v1`.", schema: openApiDocumentSchema },
  },
];

/** What each error status means here. */
const errorDescriptions: Record<number, { id: string; description: string }> = {
  400: { id: "BadRequest", description: "Malformed request (`bad_request`), e.g. a body that is not JSON." },
  401: { id: "Unauthorized", description: "No valid session cookie or API key (`unauthorized`)." },
  402: { id: "QuotaExceeded", description: "The organization's quota or budget is used up (`quota_exceeded`)." },
  403: { id: "Forbidden", description: "The caller's role or API key lacks the permission (`forbidden`)." },
  404: { id: "NotFound", description: "No such resource in the caller's organization (`not_found`); also for malformed ids." },
  409: { id: "Conflict", description: "The resource is not in a state that allows this (`conflict`)." },
  413: { id: "PayloadTooLarge", description: `Body larger than ${MAX_JSON_BODY_BYTES} bytes (\`payload_too_large\`).` },
  422: { id: "InvalidInput", description: "Invalid input (`invalid_input`); `details.issues[]` lists `{ path, message }`." },
  429: {
    id: "RateLimited",
    description: "Too many requests (`rate_limited`); `Retry-After` gives the seconds to wait.",
  },
  503: { id: "Unavailable", description: "The workflow engine is unreachable (`unavailable`)." },
};

/** One response object per error status, registered once as a component and referenced. */
const errorResponseObjects = new Map<number, ZodOpenApiResponseObject>();
function errorResponseObject(status: number): ZodOpenApiResponseObject {
  let response = errorResponseObjects.get(status);
  if (!response) {
    const { id, description } = errorDescriptions[status] ?? { id: `Error${status}`, description: "Error." };
    response = { id, description, content: { "application/json": { schema: apiErrorSchema } } };
    errorResponseObjects.set(status, response);
  }
  return response;
}

/** The error statuses an operation can answer with, from its shape plus its `moreErrors`. */
export function errorStatusesOf(op: ApiOperation): number[] {
  const statuses = new Set<number>(op.moreErrors ?? []);
  if (!op.public) [401, 403, 429].forEach((s) => statuses.add(s));
  if (op.pathParams) statuses.add(404);
  if (op.body) [400, 413, 422].forEach((s) => statuses.add(s));
  if (op.query) statuses.add(422);
  return [...statuses].sort((a, b) => a - b);
}

function operationObject(op: ApiOperation): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = {
    [String(op.success.status)]: {
      description: op.success.description,
      ...(op.success.schema ? { content: { [op.success.contentType ?? "application/json"]: { schema: op.success.schema } } } : {}),
      ...(op.success.headers ? { headers: op.success.headers } : {}),
    },
  };
  for (const status of errorStatusesOf(op)) responses[String(status) as `4${string}`] = errorResponseObject(status);
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.public ? { security: [] } : {}),
    requestParams: {
      ...(op.pathParams ? { path: op.pathParams } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.headers ? { header: op.headers } : {}),
    },
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: op.body, ...(op.bodyExample !== undefined ? { example: op.bodyExample } : {}) } },
          },
        }
      : {}),
    responses,
  };
}

/** Builds the OpenAPI 3.1 document of `/api/v1` from {@link apiOperations}. */
export function buildOpenApiDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const op of apiOperations) {
    paths[op.path] = { ...paths[op.path], [op.method]: operationObject(op) };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Squadron API",
      version: "1.0.0",
      description:
        'Squads of AI agents that run software tasks. Authenticate with the session cookie of a signed-in user or an API key (`Authorization: Bearer sq_…`). Every error is `{ "error": { "code", "message", "details"? } }`.',
    },
    servers: [{ url: "/", description: "This Squadron deployment" }],
    tags: [...new Set(apiOperations.map((op) => op.tag))].map((name) => ({ name })),
    security: [{ sessionCookie: [] }, { apiKey: [] }],
    components: {
      securitySchemes: {
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "better-auth.session_token",
          description: "The session cookie set by signing in (`/api/auth/sign-in/email`).",
        },
        apiKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "sq_…",
          description: "An API key created with `POST /api/v1/api-keys`, sent as `Authorization: Bearer sq_…`.",
        },
      },
    },
    paths,
  });
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;

let cached: OpenApiDocument | undefined;

/** The document, built once per process. */
export function getOpenApiDocument(): OpenApiDocument {
  cached ??= buildOpenApiDocument();
  return cached;
}
