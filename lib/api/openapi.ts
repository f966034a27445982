import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject, type ZodOpenApiResponsesObject } from "zod-openapi";
import { z } from "zod";
import { createApiKeyInputSchema } from "@/lib/api-keys/schemas";
import { listApprovalsQuerySchema } from "@/lib/approvals/schemas";
import { approvalDecisionSchema } from "@/lib/approvals/decision-schema";
import { listAuditEventsQuerySchema } from "@/lib/audit/schemas";
import { createRepositoryInputSchema, updateRepositoryInputSchema } from "@/lib/repositories/schemas";
import { createSquadInputSchema, listAgentsQuerySchema, updateSquadSchema } from "@/lib/squads/schemas";
import { cancelTaskInputSchema, createTaskInputSchema, listTasksQuerySchema } from "@/lib/tasks/schemas";
import { usageQuerySchema } from "@/lib/usage/schemas";
import { billingOverviewSchema, billingRedirectSchema, checkoutInputSchema, portalInputSchema } from "@/lib/billing/schemas";
import { jiraConnectionSchema, jiraConnectionTestSchema, savedJiraConnectionSchema } from "@/lib/integrations/jira/response-schemas";
import { jiraConnectionInputSchema } from "@/lib/integrations/jira/schemas";
import { githubConnectionInputSchema, githubConnectionSchema, githubIntegrationSchema } from "@/lib/integrations/github/schemas";
import { createDocumentInputSchema, knowledgeDocumentSchema, MAX_DOCUMENT_BYTES } from "@/lib/knowledge-documents/schemas";
import { lessonSchema, listLessonsQuerySchema, updateLessonInputSchema } from "@/lib/lessons/schemas";
import {
  createEndpointInputSchema,
  listDeliveriesQuerySchema,
  updateEndpointInputSchema,
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
} from "@/lib/outbound-webhooks/schemas";
import { createMcpServerInputSchema, mcpServerSchema, updateMcpServerInputSchema } from "@/lib/mcp-client/schemas";
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
  knowledgeSearchQuerySchema,
  knowledgeSearchResultSchema,
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
  repositoryIndexSchema,
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
      "The organization's tasks, newest first, with cursor pagination: pass the page's `nextCursor` as `cursor` for the next one. `status`, `outcome` and `source` take one value or a comma-separated list; `squadId` and `repositoryId` narrow to one squad or repository.",
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
    description:
      "Queues a task for a squad (the organization's default squad unless `squadId` is given) on a repository (the squad's unless `repositoryId` is given) and starts its run. `budgetUsdMicros` overrides the squad's per-task budget. A `squadId` or `repositoryId` that is not the organization's is a 404. Beyond the plan's tasks per period: 402 `quota_exceeded` (`payment_required` while the subscription is restricted).",
    body: createTaskInputSchema,
    bodyExample: { title: "Add a DELETE /todos/:id endpoint", description: "204 on success, 404 if missing" },
    success: {
      status: 201,
      description: "The queued task.",
      schema: taskSchema,
      headers: z.object({ Location: z.string().meta({ description: "`/api/v1/tasks/{id}`" }) }),
    },
    moreErrors: [402, 503],
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
      "A local git repository (`localPath`, inside `LOCAL_REPOSITORY_ROOTS`; a relative path is taken inside the first root) or a GitHub repository (`githubFullName`). The same local path and GitHub name registered twice is a 409. The response holds the webhook secret, shown only this once.",
    body: createRepositoryInputSchema,
    bodyExample: { name: "todo-api", githubFullName: "octo/todo-api", defaultBranch: "main", testCommand: "npm test" },
    success: { status: 201, description: "The repository with its webhook URL and secret.", schema: createdRepositorySchema },
    // Beyond the plan's repositories (billing); already registered.
    moreErrors: [402, 409],
  },
  {
    method: "patch",
    path: "/api/v1/repositories/{id}",
    operationId: "updateRepository",
    tag: "Repositories",
    summary: "Update a repository",
    description: "Name, default branch or the command QA runs (`testCommand`). The local path and GitHub name stay. Audited.",
    pathParams: idParams,
    body: updateRepositoryInputSchema,
    bodyExample: { testCommand: "npm run test:ci" },
    success: { status: 200, description: "The updated repository.", schema: repositorySchema },
  },
  {
    method: "delete",
    path: "/api/v1/repositories/{id}",
    operationId: "deleteRepository",
    tag: "Repositories",
    summary: "Delete a repository",
    description: "Squads bound to it are unbound; its tasks keep their history without a repository. Files on disk are not touched. Audited.",
    pathParams: idParams,
    success: { status: 204, description: "Deleted." },
  },
  {
    method: "post",
    path: "/api/v1/repositories/{id}/webhook-secret",
    operationId: "rotateRepositoryWebhookSecret",
    tag: "Repositories",
    summary: "Rotate a repository's webhook secret",
    description: "Generates a new HMAC secret for the repository's GitHub webhook; the old one is refused from now on. The new secret is shown only in this response. Audited.",
    pathParams: idParams,
    success: { status: 200, description: "The repository with its new webhook secret.", schema: createdRepositorySchema },
  },
  {
    method: "get",
    path: "/api/v1/repositories/{id}/index",
    operationId: "getRepositoryIndex",
    tag: "Repositories",
    summary: "A repository's code index",
    description:
      "Progress and outcome of the repository's latest indexing run (files indexed / total, chunks, embedder, store). Code is chunked along syntax and indexed for the agents' knowledge retrieval.",
    pathParams: idParams,
    success: { status: 200, description: "The index, or `index: null` before the first run.", schema: repositoryIndexSchema },
  },
  {
    method: "post",
    path: "/api/v1/repositories/{id}/index",
    operationId: "indexRepository",
    tag: "Repositories",
    summary: "Index a repository's code now",
    description:
      "Queues indexing of the default branch's head (also done when the repository is registered and after each completed task). Incremental: files whose git blob is already indexed are skipped.",
    pathParams: idParams,
    success: { status: 202, description: "Indexing is queued; the index as it is now.", schema: repositoryIndexSchema },
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
    method: "post",
    path: "/api/v1/squads",
    operationId: "createSquad",
    tag: "Squads",
    summary: "Create a squad",
    description:
      "A squad with the default roles (product manager, developer, QA engineer, tech lead), optionally bound to one of the organization's repositories (another organization's is a 404). Audited.",
    body: createSquadInputSchema,
    bodyExample: { name: "Payments squad", autonomy: "supervised", budgetUsdMicros: 2_000_000 },
    success: {
      status: 201,
      description: "The new squad.",
      schema: squadSchema,
      headers: z.object({ Location: z.string().meta({ description: "`/api/v1/squads/{id}`" }) }),
    },
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
      "Name, repository (`repositoryId`, the organization's own; null unbinds), autonomy, budgets, policy (replaced whole) and agents by role (`enabled: false` removes a role; `tools` enables/disables tools of the role, `maxTurns` and `maxRunTokens` limit one run of the agent). Money in USD micros.",
    pathParams: idParams,
    body: updateSquadSchema,
    bodyExample: {
      autonomy: "supervised",
      budgetUsdMicros: 2_000_000,
      agents: [
        { role: "developer", instructions: "Prefer small functions; no new dependencies.", maxTurns: 80 },
        { role: "architect", tools: { enabled: ["run_tests"] } },
      ],
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
  // Billing
  {
    method: "get",
    path: "/api/v1/billing",
    operationId: "getBilling",
    tag: "Billing",
    summary: "Plan, status, limits and usage",
    description:
      "The organization's plan (`free`, `team`, `business`; `self_hosted` when the deployment has no Stripe key), subscription status, the plan's limits (null = unlimited; money in USD micros) and this period's usage. Quotas renew at `periodEnd`.",
    success: { status: 200, description: "The billing overview.", schema: billingOverviewSchema },
  },
  {
    method: "post",
    path: "/api/v1/billing/checkout",
    operationId: "startCheckout",
    tag: "Billing",
    summary: "Subscribe to a plan (Stripe Checkout)",
    description:
      "Owners and admins. Creates the organization's Stripe customer (once) and a Checkout Session in subscription mode; open `url` in the browser. The plan changes when Stripe confirms the payment (webhook). 409 when billing is off or a subscription exists (use the portal); 502 when Stripe refuses, 503 when it cannot be reached.",
    body: checkoutInputSchema,
    bodyExample: { plan: "team" },
    success: { status: 200, description: "The Checkout page to open.", schema: billingRedirectSchema },
    moreErrors: [409, 502, 503],
  },
  {
    method: "post",
    path: "/api/v1/billing/portal",
    operationId: "openBillingPortal",
    tag: "Billing",
    summary: "Manage billing (Stripe Customer Portal)",
    description: "Owners and admins. Payment method, invoices, plan changes and cancellation on Stripe's portal. 409 when billing is off or there is no customer yet; 502/503 when Stripe fails.",
    body: portalInputSchema,
    bodyExample: {},
    success: { status: 200, description: "The portal page to open.", schema: billingRedirectSchema },
    moreErrors: [409, 502, 503],
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
  // Integrations: Jira
  {
    method: "get",
    path: "/api/v1/integrations/jira",
    operationId: "getJiraConnection",
    tag: "Integrations",
    summary: "Get the Jira connection",
    description: "The organization's Jira Cloud connection with its webhook URL (never the API token or the webhook secret); `null` when Jira is not connected.",
    success: { status: 200, description: "The connection, or null.", schema: jiraConnectionSchema },
  },
  {
    method: "put",
    path: "/api/v1/integrations/jira",
    operationId: "saveJiraConnection",
    tag: "Integrations",
    summary: "Connect or update Jira",
    description:
      "Site URL, the Atlassian account's email and API token (required the first time; leave it out to keep the stored one), the projects and trigger (a label, or assignment to a Jira account id) that start tasks, which repository each project's tasks use (the organization's own; another's is a 404), the Jira status for each moment and whether subtasks become Jira sub-tasks. 201 with the webhook secret (shown once) when connecting; 200 when updating (the secret again only with `rotateWebhookSecret`). Owners and admins.",
    body: jiraConnectionInputSchema,
    bodyExample: {
      siteUrl: "https://your-team.atlassian.net",
      accountEmail: "squad-bot@example.com",
      apiToken: "ATATT3xFfGF0…",
      projectKeys: ["PROJ"],
      trigger: { kind: "label", label: "squad" },
      statusMapping: { started: "In Progress", inReview: "In Review", done: "Done", failed: null },
      syncSubtasks: false,
    },
    success: { status: 200, description: "The connection (201 when it was created), with `webhookSecret` when one was made.", schema: savedJiraConnectionSchema },
    moreErrors: [404],
  },
  {
    method: "delete",
    path: "/api/v1/integrations/jira",
    operationId: "deleteJiraConnection",
    tag: "Integrations",
    summary: "Disconnect Jira",
    description: "Deletes the connection (tasks from Jira stay; deliveries to its webhook URL are 404 from now on). Owners and admins.",
    success: { status: 204, description: "Disconnected." },
    moreErrors: [404],
  },
  {
    method: "post",
    path: "/api/v1/integrations/jira/test",
    operationId: "testJiraConnection",
    tag: "Integrations",
    summary: "Test the Jira connection",
    description: "Calls Jira's `/rest/api/3/myself` with the stored credentials. A refusal or an unreachable site is `ok: false` with Jira's words, not an error status. Owners and admins.",
    success: { status: 200, description: "Who the credentials authenticate as, or why they do not.", schema: jiraConnectionTestSchema },
    moreErrors: [404],
  },
  // Integrations: GitHub
  {
    method: "get",
    path: "/api/v1/integrations/github",
    operationId: "getGithubIntegration",
    tag: "Integrations",
    summary: "Get the GitHub integration",
    description:
      "`GITHUB_API_URL`, whether the `GITHUB_TOKEN` fallback is set, the organization's GitHub connections (an app, per-repository tokens; never a secret, with the app's webhook URL) and each GitHub repository with the credentials that reach it.",
    success: { status: 200, description: "The integration.", schema: githubIntegrationSchema },
  },
  {
    method: "post",
    path: "/api/v1/integrations/github/connections",
    operationId: "saveGithubConnection",
    tag: "Integrations",
    summary: "Save a GitHub connection",
    description:
      "A fine-grained personal access token for one repository (`kind: token`; replaces that repository's token) or the organization's GitHub App (`kind: app`: App ID, .pem private key, webhook secret, optional installation id; replaces the previous app). Secrets are stored encrypted and never returned. 201 when new, 200 when replaced. Owners and admins.",
    body: githubConnectionInputSchema,
    bodyExample: { kind: "token", repositoryFullName: "octo/todo-api", token: "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz" },
    success: { status: 200, description: "The connection (201 when it was created).", schema: githubConnectionSchema },
  },
  {
    method: "delete",
    path: "/api/v1/integrations/github/connections/{id}",
    operationId: "deleteGithubConnection",
    tag: "Integrations",
    summary: "Delete a GitHub connection",
    description: "Forgets the token or app; its repositories fall back to the next credentials (app, then `GITHUB_TOKEN`). Owners and admins.",
    pathParams: idParams,
    success: { status: 204, description: "Deleted." },
    moreErrors: [404],
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
  // Knowledge: documents and lessons
  {
    method: "get",
    path: "/api/v1/knowledge/documents",
    operationId: "listKnowledgeDocuments",
    tag: "Knowledge",
    summary: "List documents",
    description: "Documents the organization uploaded for its squads (style guides, ADRs, API docs), newest first, without their content.",
    success: { status: 200, description: "The organization's documents.", schema: z.object({ items: z.array(knowledgeDocumentSchema) }) },
  },
  {
    method: "post",
    path: "/api/v1/knowledge/documents",
    operationId: "createKnowledgeDocument",
    tag: "Knowledge",
    summary: "Upload a document",
    description:
      `Markdown or plain text, at most ${MAX_DOCUMENT_BYTES} bytes, as JSON (below) or as \`multipart/form-data\` with a \`file\` (.md, .markdown, .txt; UTF-8) and optional \`title\` and \`repositoryId\` fields. ` +
      "It is split along its Markdown headings and indexed for retrieval into the squads' briefs (source `document`); `status` says whether indexing worked. Owners and admins. Audited.",
    body: createDocumentInputSchema,
    bodyExample: { title: "Style guide", content: "# Database\n\nName columns in snake_case.\n", format: "markdown" },
    success: { status: 201, description: "The stored document.", schema: knowledgeDocumentSchema },
  },
  {
    method: "delete",
    path: "/api/v1/knowledge/documents/{id}",
    operationId: "deleteKnowledgeDocument",
    tag: "Knowledge",
    summary: "Delete a document",
    description: "The document and its chunks leave the knowledge index together (503 when the index cannot remove them; nothing is deleted then). Owners and admins. Audited.",
    pathParams: idParams,
    success: { status: 204, description: "Deleted." },
    moreErrors: [503],
  },
  {
    method: "get",
    path: "/api/v1/knowledge/search",
    operationId: "searchKnowledge",
    tag: "Knowledge",
    summary: "Search the knowledge base",
    description:
      "What the squads' briefs retrieve: the organization's indexed code, documents and lessons best first, each with its `path:start-end` citation and text (cut to 2,000 characters). " +
      "`store` says which vector store is active and why (`fulltext-only`: Postgres full text alone). `repositoryId` narrows code to one repository (another organization's is a 404); " +
      "`mode=vector` without a vector store is a 409. Any member.",
    query: knowledgeSearchQuerySchema,
    queryExample: { q: "snake_case columns", limit: "5", source: "document" },
    success: { status: 200, description: "The active store and the hits, best first.", schema: knowledgeSearchResultSchema },
    moreErrors: [404, 409],
  },
  {
    method: "get",
    path: "/api/v1/lessons",
    operationId: "listLessons",
    tag: "Knowledge",
    summary: "List lessons",
    description:
      "Lessons learnt from ended tasks (a rejection's reason, approval instructions, review findings and failing tests that were fixed, pull request reviews), newest first, each with its source. Later tasks' briefs carry the relevant ones.",
    query: listLessonsQuerySchema,
    queryExample: { role: "developer" },
    success: { status: 200, description: "The organization's lessons.", schema: z.object({ items: z.array(lessonSchema) }) },
  },
  {
    method: "get",
    path: "/api/v1/lessons/{id}",
    operationId: "getLesson",
    tag: "Knowledge",
    summary: "Get a lesson",
    pathParams: idParams,
    success: { status: 200, description: "The lesson.", schema: lessonSchema },
  },
  {
    method: "patch",
    path: "/api/v1/lessons/{id}",
    operationId: "updateLesson",
    tag: "Knowledge",
    summary: "Edit a lesson",
    description: "Rewrites the statement later briefs carry (re-indexed). Owners and admins. Audited.",
    pathParams: idParams,
    body: updateLessonInputSchema,
    bodyExample: { statement: "Name database columns in snake_case." },
    success: { status: 200, description: "The updated lesson.", schema: lessonSchema },
  },
  {
    method: "delete",
    path: "/api/v1/lessons/{id}",
    operationId: "deleteLesson",
    tag: "Knowledge",
    summary: "Delete a lesson",
    description: "The lesson leaves every later brief and the knowledge index, and the same source is not learnt again. Owners and admins. Audited.",
    pathParams: idParams,
    success: { status: 204, description: "Deleted." },
  },
  // MCP servers a squad's agents may use (their tools, as mcp__<server>__<tool>)
  {
    method: "get",
    path: "/api/v1/squads/{id}/mcp-servers",
    operationId: "listSquadMcpServers",
    tag: "Squads",
    summary: "List a squad's MCP servers",
    description: "The MCP servers whose tools the squad's agents are offered, with the names of their headers (never the values). Another organization's squad is a 404.",
    pathParams: idParams,
    success: { status: 200, description: "The servers.", schema: z.object({ items: z.array(mcpServerSchema) }) },
  },
  {
    method: "post",
    path: "/api/v1/squads/{id}/mcp-servers",
    operationId: "createSquadMcpServer",
    tag: "Squads",
    summary: "Add an MCP server to a squad",
    description:
      "A Streamable HTTP server (`transport: \"http\"`, `url`, `headers` — stored encrypted, only their names are ever returned) or, self-hosted only, a stdio command (`transport: \"stdio\"`, `command`, `args`; a 422 with `SQUADRON_HOSTED=1`). " +
      "`name` (`[a-z0-9_-]`, unique in the squad) names its tools for the model: `mcp__<name>__<tool>`. `allowedRoles` lists the roles offered its tools (empty: the builders). " +
      "With `check` (default true) the server is connected to and its tools listed (`toolNames`); one that cannot be reached is saved anyway with `lastError`. " +
      "With `SQUADRON_HOSTED=1`, URLs resolving to loopback, link-local or private ranges are a 422. Owners and admins. Audited as a squad change.",
    pathParams: idParams,
    body: createMcpServerInputSchema,
    bodyExample: { name: "github", transport: "http", url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer ghp_example" }, allowedRoles: ["developer"], check: false },
    success: { status: 201, description: "The server (header names only).", schema: mcpServerSchema },
    moreErrors: [409],
  },
  {
    method: "get",
    path: "/api/v1/squads/{id}/mcp-servers/{serverId}",
    operationId: "getSquadMcpServer",
    tag: "Squads",
    summary: "Get a squad's MCP server",
    pathParams: idParams.extend({ serverId: z.uuid().meta({ description: "The MCP server id (UUID).", example: "0190a6c4-9f3e-7b4e-8a47-2b5c7d1e9f02" }) }),
    success: { status: 200, description: "The server.", schema: mcpServerSchema },
  },
  {
    method: "patch",
    path: "/api/v1/squads/{id}/mcp-servers/{serverId}",
    operationId: "updateSquadMcpServer",
    tag: "Squads",
    summary: "Edit a squad's MCP server",
    description:
      "Any of `name`, `url`, `headers` (replaces them all; `{}` removes them), `command`, `args`, `allowedRoles`, `enabled`. Fields of the other transport are a 422. Changing how the server is reached, or enabling it, checks it again unless `check: false`. Owners and admins. Audited.",
    pathParams: idParams.extend({ serverId: z.uuid().meta({ description: "The MCP server id (UUID).", example: "0190a6c4-9f3e-7b4e-8a47-2b5c7d1e9f02" }) }),
    body: updateMcpServerInputSchema,
    bodyExample: { enabled: false },
    success: { status: 200, description: "The updated server.", schema: mcpServerSchema },
    moreErrors: [409],
  },
  {
    method: "delete",
    path: "/api/v1/squads/{id}/mcp-servers/{serverId}",
    operationId: "deleteSquadMcpServer",
    tag: "Squads",
    summary: "Remove an MCP server from a squad",
    description: "Its tools are no longer offered; runs under way see it gone at their next call. Owners and admins. Audited.",
    pathParams: idParams.extend({ serverId: z.uuid().meta({ description: "The MCP server id (UUID).", example: "0190a6c4-9f3e-7b4e-8a47-2b5c7d1e9f02" }) }),
    success: { status: 204, description: "Deleted." },
  },
  // Outbound webhooks: the organization's endpoints, signed per Standard Webhooks
  {
    method: "get",
    path: "/api/v1/webhook-endpoints",
    operationId: "listWebhookEndpoints",
    tag: "Webhooks",
    summary: "List webhook endpoints",
    description: "The organization's outbound webhook endpoints (never their secrets). Owners and admins.",
    success: { status: 200, description: "The endpoints.", schema: z.object({ items: z.array(webhookEndpointSchema) }) },
  },
  {
    method: "post",
    path: "/api/v1/webhook-endpoints",
    operationId: "createWebhookEndpoint",
    tag: "Webhooks",
    summary: "Add a webhook endpoint",
    description:
      "Subscribes a URL to event types; deliveries are signed per the Standard Webhooks spec (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the `secret` shown only in this response. " +
      "With `SQUADRON_HOSTED=1`, URLs resolving to loopback, link-local or private ranges are a 422. Owners and admins. Audited.",
    body: createEndpointInputSchema,
    bodyExample: { url: "https://hooks.example.com/squadron", description: "n8n", eventTypes: ["task.completed", "task.failed"] },
    success: { status: 201, description: "The endpoint with its signing secret.", schema: webhookEndpointWithSecretSchema },
  },
  {
    method: "get",
    path: "/api/v1/webhook-endpoints/{id}",
    operationId: "getWebhookEndpoint",
    tag: "Webhooks",
    summary: "Get a webhook endpoint",
    pathParams: idParams,
    success: { status: 200, description: "The endpoint.", schema: webhookEndpointSchema },
  },
  {
    method: "patch",
    path: "/api/v1/webhook-endpoints/{id}",
    operationId: "updateWebhookEndpoint",
    tag: "Webhooks",
    summary: "Edit a webhook endpoint",
    description: "URL, description, event types, or `enabled` (re-enabling resets the failure count). Owners and admins. Audited.",
    pathParams: idParams,
    body: updateEndpointInputSchema,
    bodyExample: { enabled: true },
    success: { status: 200, description: "The updated endpoint.", schema: webhookEndpointSchema },
  },
  {
    method: "delete",
    path: "/api/v1/webhook-endpoints/{id}",
    operationId: "deleteWebhookEndpoint",
    tag: "Webhooks",
    summary: "Delete a webhook endpoint",
    description: "The endpoint and its delivery log are removed. Owners and admins. Audited.",
    pathParams: idParams,
    success: { status: 204, description: "Deleted." },
  },
  {
    method: "post",
    path: "/api/v1/webhook-endpoints/{id}/rotate-secret",
    operationId: "rotateWebhookEndpointSecret",
    tag: "Webhooks",
    summary: "Rotate an endpoint's signing secret",
    description: "A new `whsec_…` secret, shown only in this response; the old one stops signing at once. Owners and admins. Audited.",
    pathParams: idParams,
    success: { status: 200, description: "The endpoint with its new secret.", schema: webhookEndpointWithSecretSchema },
  },
  {
    method: "get",
    path: "/api/v1/webhook-endpoints/{id}/deliveries",
    operationId: "listWebhookDeliveries",
    tag: "Webhooks",
    summary: "List an endpoint's delivery attempts",
    description: "Newest first, with the response code, duration and error of each attempt.",
    pathParams: idParams,
    query: listDeliveriesQuerySchema,
    queryExample: { limit: "20" },
    success: { status: 200, description: "The delivery attempts.", schema: z.object({ items: z.array(webhookDeliverySchema) }) },
  },
  {
    method: "post",
    path: "/api/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/resend",
    operationId: "resendWebhookDelivery",
    tag: "Webhooks",
    summary: "Deliver an event again",
    description: "Starts a new delivery run of the attempt's event to this endpoint (with retries). Owners and admins. Audited.",
    pathParams: idParams.extend({ deliveryId: z.uuid().meta({ description: "The delivery attempt id (UUID).", example: "0190a6c4-9f3e-7b4e-8a47-2b5c7d1e9f01" }) }),
    success: { status: 202, description: "Queued.", schema: z.object({ runKey: z.string(), eventId: z.uuid() }) },
  },
];

/** What each error status means here. */
const errorDescriptions: Record<number, { id: string; description: string }> = {
  400: { id: "BadRequest", description: "Malformed request (`bad_request`), e.g. a body that is not JSON." },
  401: { id: "Unauthorized", description: "No valid session cookie or API key (`unauthorized`)." },
  402: {
    id: "QuotaExceeded",
    description:
      "The plan's quota is used up (`quota_exceeded`), or the subscription is restricted after a failed payment (`payment_required`); `details` gives `{ plan, quota, limit, usage, resetsAt }`.",
  },
  403: { id: "Forbidden", description: "The caller's role or API key lacks the permission (`forbidden`)." },
  404: { id: "NotFound", description: "No such resource in the caller's organization (`not_found`); also for malformed ids." },
  409: { id: "Conflict", description: "The resource is not in a state that allows this (`conflict`)." },
  413: { id: "PayloadTooLarge", description: `Body larger than ${MAX_JSON_BODY_BYTES} bytes (\`payload_too_large\`).` },
  422: { id: "InvalidInput", description: "Invalid input (`invalid_input`); `details.issues[]` lists `{ path, message }`." },
  429: {
    id: "RateLimited",
    description: "Too many requests (`rate_limited`); `Retry-After` gives the seconds to wait.",
  },
  502: { id: "BadGateway", description: "A vendor refused the request (`bad_gateway`), e.g. Stripe; the message says why." },
  503: { id: "Unavailable", description: "The workflow engine, or a vendor such as Stripe, is unreachable (`unavailable`)." },
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
