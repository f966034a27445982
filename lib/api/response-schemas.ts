import "zod-openapi";
import { z } from "zod";
import { agentRoles, squadAutonomy, squadWorkflows } from "@/db/schema/squads";
import { roleKinds } from "@/db/schema/agent-roles";
import { approvalKinds, approvalStatuses, artifactKinds } from "@/db/schema/tasks";
import { taskOutcomes, taskSources, taskStatuses } from "@/db/schema/task-statuses";
import { auditEventPageSchema as auditEventPageBaseSchema } from "@/lib/audit/schemas";
import { errorCodes, type ErrorCode } from "@/lib/errors";
import { knowledgeSources } from "@/lib/knowledge/types";
import { squadPolicySchema } from "@/lib/policy/schemas";
import { modelCandidateSchema } from "@/lib/squads/schemas";

// Response bodies of `/api/v1`, as zod schemas: the OpenAPI document (`lib/api/openapi.ts`) renders
// them, and the integration tests parse real responses with them, so the docs cannot drift from
// what the routes send. They mirror the serializers (`lib/tasks/serialize.ts`,
// `lib/tasks/get-task-detail.ts`, `lib/squads/serialize.ts`, `lib/approvals/serialize.ts`, …).
// Objects are strict: a field a serializer adds without documenting it fails the tests.

const uuid = z.uuid();
const timestamp = z.iso.datetime({ offset: true }).meta({ description: "ISO-8601 timestamp" });
const usdMicros = z.number().int().meta({ description: "USD micros (1 USD = 1,000,000)" });

/** `{ error: { code, message, details? } }`: the one error body of every `/api/v1` route. */
export const apiErrorSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]).meta({
        description: "Machine-readable code; it decides the HTTP status (see `lib/errors.ts`).",
      }),
      message: z.string().meta({ description: "Human-readable explanation." }),
      details: z.unknown().optional().meta({
        description:
          "Facts about the error: `invalid_input` lists `issues[]` of `{ path, message }`; `rate_limited` gives `retryAfterSeconds` and `limit`.",
      }),
    }),
  })
  .meta({ id: "Error", description: "Every error of `/api/v1`." });
export type ApiError = z.infer<typeof apiErrorSchema>;

export const taskSchema = z
  .strictObject({
    id: uuid,
    title: z.string(),
    description: z.string(),
    status: z.enum(taskStatuses),
    outcome: z
      .enum(taskOutcomes)
      .nullable()
      .meta({
        description:
          "How the task ended, null until it ends: `delivered` (a patch or pull request), `no_changes` (completed without changing code), `failed`, `cancelled` (by a person, or an approval expired), `rejected` (a person rejected an approval).",
      }),
    source: z.enum(taskSources),
    externalRef: z.string().nullable().meta({ description: "Identity in the source system, e.g. `github:octo/repo#12`." }),
    priority: z.number().int(),
    squadId: uuid,
    repositoryId: uuid.nullable(),
    branch: z.string().nullable(),
    error: z.string().nullable(),
    attempt: z.number().int().min(0).meta({ description: "How many times a person retried the task (0 = first run)." }),
    createdAt: timestamp,
    startedAt: timestamp.nullable(),
    completedAt: timestamp.nullable(),
  })
  .meta({ id: "Task" });

export const taskPageSchema = z
  .strictObject({
    items: z.array(taskSchema),
    nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last page." }),
  })
  .meta({ id: "TaskPage" });

export const retriedTaskSchema = taskSchema
  .extend({
    retried: z.array(z.string()).meta({ description: "Plan keys (or titles) of the subtasks that run again." }),
  })
  .meta({ id: "RetriedTask" });

const usageRollupSchema = z
  .strictObject({
    role: z.string(),
    calls: z.number().int(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    costUsdMicros: usdMicros,
  })
  .meta({ id: "UsageByRole" });

export const approvalSchema = z
  .strictObject({
    id: uuid,
    taskId: uuid,
    taskTitle: z.string(),
    kind: z.enum(approvalKinds),
    reason: z.string(),
    status: z.enum(approvalStatuses),
    requestedBy: z.string().meta({ description: "An agent role or `system`." }),
    details: z.record(z.string(), z.unknown()).meta({ description: "Facts behind the request (rule, files, cost, looping call)." }),
    comment: z.string().nullable().meta({ description: "Instructions (approve) or reason (reject)." }),
    decidedBy: z.string().nullable(),
    decidedAt: timestamp.nullable(),
    expiresAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: "Approval" });

export const taskDetailSchema = taskSchema
  .extend({
    subtasks: z.array(
      z.strictObject({
        id: uuid,
        key: z.string().nullable().meta({ description: "Plan key; `dependsOn` of other subtasks lists subtask ids." }),
        title: z.string(),
        description: z.string(),
        role: z.enum(agentRoles).nullable(),
        status: z.enum(taskStatuses),
        dependsOn: z.array(uuid),
        output: z.string().nullable(),
        error: z.string().nullable(),
        startedAt: timestamp.nullable(),
        completedAt: timestamp.nullable(),
      }),
    ),
    artifacts: z.array(
      z.strictObject({
        id: uuid,
        kind: z.enum(artifactKinds),
        title: z.string(),
        content: z.string(),
        data: z.record(z.string(), z.unknown()),
        createdAt: timestamp,
      }),
    ),
    usage: z.strictObject({
      calls: z.number().int(),
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      costUsdMicros: usdMicros,
      byRole: z.array(usageRollupSchema),
    }),
    budget: z.strictObject({
      budgetUsdMicros: usdMicros.nullable(),
      estimatedUsdMicros: usdMicros.nullable(),
      spentUsdMicros: usdMicros,
    }),
    approvals: z.array(approvalSchema),
    models: z.array(z.strictObject({ provider: z.string(), model: z.string(), offline: z.boolean() })),
    deliveries: z.array(
      z.strictObject({
        channel: z.enum(["github", "jira"]).meta({ description: "Where the task was delivered (lib/delivery channel)." }),
        status: z.enum(["delivered", "failed"]),
        url: z.string().nullable().meta({ description: "The pull request or issue, for people." }),
        externalId: z.string().nullable().meta({ description: "Pull request number or Jira issue key." }),
        error: z.string().nullable().meta({ description: "Why the last delivery failed, in the vendor's words." }),
        updatedAt: timestamp,
      }),
    ),
  })
  .meta({ id: "TaskDetail" });

const routeConstraintsSchema = z.strictObject({
  privacy: z.enum(["any", "local_only"]),
  maxCostPerCallUsdMicros: usdMicros.nullable(),
});

export const agentSchema = z
  .strictObject({
    id: uuid,
    role: z.enum(agentRoles),
    name: z.string(),
    kind: z.enum(roleKinds),
    instructions: z.string().nullable(),
    systemPrompt: z.string().nullable(),
    modelRoute: z.array(modelCandidateSchema),
    routeConstraints: routeConstraintsSchema,
    persona: z.string().meta({ description: "The role's default system prompt." }),
    tools: z.array(z.string()).meta({ description: "The role's own tools." }),
    toolOverrides: z.strictObject({ enabled: z.array(z.string()), disabled: z.array(z.string()) }),
    effectiveTools: z.array(z.string()).meta({ description: "The tools the agent gets: the role's, with the overrides applied." }),
    maxTurns: z.number().int().nullable().meta({ description: "Turn limit of one run of the agent; null = `defaultMaxTurns`." }),
    maxRunTokens: z.number().int().nullable().meta({ description: "Token budget (input + output) of one run; null = `defaultMaxRunTokens`." }),
    defaultMaxTurns: z.number().int(),
    defaultMaxRunTokens: z.number().int(),
    defaultRoute: z.array(modelCandidateSchema),
    tier: z.enum(["standard", "economy"]),
  })
  .meta({ id: "Agent" });

export const squadSchema = z
  .strictObject({
    id: uuid,
    name: z.string(),
    repositoryId: uuid.nullable(),
    autonomy: z.enum(squadAutonomy),
    workflow: z.enum(squadWorkflows).meta({ description: "`squad` (plan → subtasks → review) or `single_agent` (one developer, no plan, no review)" }),
    budgetUsdMicros: usdMicros.nullable(),
    policy: squadPolicySchema,
    agents: z.array(agentSchema),
    usageThisMonth: z.strictObject({
      since: timestamp,
      byRole: z.array(usageRollupSchema),
      costUsdMicros: usdMicros,
    }),
    organizationBudget: z.strictObject({
      monthlyBudgetUsdMicros: usdMicros.nullable(),
      spentThisMonthUsdMicros: usdMicros,
    }),
    createdAt: timestamp,
  })
  .meta({ id: "Squad" });

/** An agent in `GET /api/v1/agents`: a squad's agent plus the squad it belongs to. */
export const agentListItemSchema = agentSchema
  .extend({ squadId: uuid, squadName: z.string() })
  .meta({ id: "AgentListItem" });

export const repositorySchema = z
  .strictObject({
    id: uuid,
    name: z.string(),
    localPath: z.string().nullable(),
    githubFullName: z.string().nullable(),
    defaultBranch: z.string(),
    testCommand: z.string(),
    createdAt: timestamp,
    webhookUrl: z.url().meta({ description: "Where GitHub should deliver this repository's webhooks." }),
  })
  .meta({ id: "Repository" });

export const createdRepositorySchema = repositorySchema
  .extend({ webhookSecret: z.string().meta({ description: "HMAC secret of the repository's GitHub webhook; shown only now." }) })
  .meta({ id: "CreatedRepository" });

/** `GET|POST /api/v1/repositories/{id}/index`: the repository's code index (`lib/knowledge/repository-index.ts`). */
export const repositoryIndexSchema = z
  .strictObject({
    index: z
      .strictObject({
        repositoryId: uuid,
        status: z.enum(["indexing", "indexed", "failed"]),
        commit: z.string().nullable().meta({ description: "The commit being (or last) indexed." }),
        filesTotal: z.number().int().meta({ description: "Indexable files at that commit." }),
        filesIndexed: z.number().int().meta({ description: "Files done so far (re-chunked or skipped as unchanged)." }),
        filesSkipped: z.number().int().meta({ description: "Files whose git blob was already indexed (not re-embedded); final once indexed." }),
        chunks: z.number().int().meta({ description: "Code chunks of the repository in the index." }),
        embedder: z.string().nullable().meta({ description: "`openai:text-embedding-3-small` or `energetic-ai:use-lite-en@0.2.0`; null with full-text search only." }),
        store: z.string().nullable().meta({ description: "`pgvector`, `pinecone` or `fulltext-only`." }),
        error: z.string().nullable(),
        startedAt: timestamp,
        finishedAt: timestamp.nullable(),
      })
      .nullable()
      .meta({ description: "Null before the repository's first index." }),
  })
  .meta({ id: "RepositoryIndex" });

const usageFiguresShape = {
  calls: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsdMicros: usdMicros,
};

/** `GET /api/v1/usage` (`db/queries/usage.ts` `organizationUsage`). */
export const usageReportSchema = z
  .strictObject({
    from: timestamp,
    to: timestamp,
    totals: z.strictObject(usageFiguresShape),
    byRole: z.array(usageRollupSchema),
    byModel: z.array(z.strictObject({ provider: z.string(), model: z.string(), ...usageFiguresShape })),
    byDay: z.array(z.strictObject({ day: z.iso.date(), ...usageFiguresShape })),
  })
  .meta({ id: "UsageReport", description: "Model usage and cost of the organization over `[from, to)` (USD micros)." });

const permissionsSchema = z
  .record(z.string(), z.array(z.string()))
  .meta({ id: "ApiKeyPermissions", description: '`{ resource: actions[] }`, e.g. `{ "task": ["read", "create"] }`.' });

/** An API key as `lib/api-keys/api-keys.ts` shows it: never the secret. */
export const apiKeySchema = z
  .strictObject({
    id: z.string(),
    name: z.string().nullable(),
    start: z.string().nullable().meta({ description: "First characters of the key (`sq_AbC…`), to recognise it." }),
    permissions: permissionsSchema,
    createdBy: z.strictObject({ id: z.string(), name: z.string() }).nullable(),
    lastUsedAt: timestamp.nullable().meta({ description: "Null until first used." }),
    expiresAt: timestamp.nullable(),
    createdAt: timestamp,
  })
  .meta({ id: "ApiKey" });

export const createdApiKeySchema = apiKeySchema
  .extend({ key: z.string().startsWith("sq_").meta({ description: "The secret key (`sq_…`); shown only now." }) })
  .meta({ id: "CreatedApiKey" });

/** A recorded message of `GET /api/v1/mail-outbox` (`lib/mail/serialize.ts`). */
export const mailSchema = z
  .strictObject({
    id: uuid,
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    link: z.string().nullable().meta({ description: "The link the message carries (e.g. an invitation's accept page)." }),
    transport: z.string().meta({ description: "`outbox` (kept here only) or the transport that delivered it." }),
    createdAt: timestamp,
  })
  .meta({ id: "Mail" });

/** `GET /api/v1/audit-events`: the page schema the audit log itself is built on (`lib/audit/schemas.ts`). */
export const auditEventPageSchema = auditEventPageBaseSchema.meta({ id: "AuditEventPage" });

/** `GET /api/v1/openapi.json`: this document (any OpenAPI 3.1 object). */
export const openApiDocumentSchema = z
  .looseObject({ openapi: z.string().startsWith("3.1"), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) })
  .meta({ id: "OpenApiDocument" });

/** Path parameter `{id}` of every item route: a UUID (anything else is a 404, never a 500). */
export const idPathSchema = z.object({ id: z.uuid().meta({ description: "The resource id (UUID).", example: "0190a6c4-9f3e-7b4e-8a47-2b5c7d1e9f00" }) });

/** API key ids are better-auth ids, not UUIDs. */
export const apiKeyIdPathSchema = z.object({ id: z.string().min(1).max(200).meta({ description: "The API key id." }) });

/**
 * `GET /api/v1/tasks/{id}/events`: where to resume. The route reads `Last-Event-ID` first, then
 * `after`; a value that is not a non-negative integer counts as 0 (from the start).
 */
export const taskEventsQuerySchema = z.object({
  after: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional()
    .meta({ description: "Resume after this event id (an integer; otherwise the stream starts at the beginning)." }),
});
export const taskEventsHeaderSchema = z.object({
  "last-event-id": z
    .string()
    .optional()
    .meta({ description: "Standard SSE reconnection header (`Last-Event-ID`); wins over `after`." }),
});

/** Longest knowledge search query, in characters. */
export const MAX_KNOWLEDGE_QUERY_CHARS = 500;
/** Characters of a hit's text the search API returns (longer texts are cut, ending in `…`). */
export const KNOWLEDGE_HIT_TEXT_CHARS = 2000;

/**
 * `GET /api/v1/knowledge/search`: the question, optionally one repository (its code plus the
 * organization-wide documents and lessons), how many hits (1–50, default 8), one source, the mode.
 */
export const knowledgeSearchQuerySchema = z.object({
  q: z
    .string()
    .trim()
    .min(1, "Say what to search for.")
    .max(MAX_KNOWLEDGE_QUERY_CHARS, `At most ${MAX_KNOWLEDGE_QUERY_CHARS} characters.`)
    .refine((s) => !s.includes("\u0000"), "The query must not contain NUL characters.")
    .meta({ description: "What to look for: words, identifiers or a question (1–500 characters)." }),
  repositoryId: z
    .uuid("repositoryId must be a UUID")
    .optional()
    .meta({ description: "Only this repository's code (plus organization-wide documents and lessons); another organization's repository is a 404." }),
  limit: z.coerce.number().int("limit must be an integer").min(1).max(50).default(8).meta({ description: "How many hits, 1–50 (default 8)." }),
  source: z.enum(knowledgeSources).optional().meta({ description: "Only hits of this source." }),
  mode: z
    .enum(["hybrid", "vector", "fulltext"])
    .default("hybrid")
    .meta({ description: "`hybrid` (default) fuses vector and full-text rankings; `vector` needs a vector store (409 without one); `fulltext` is Postgres full text alone." }),
});

/** `GET /api/v1/knowledge/search` → the active store and the hits, best first. */
export const knowledgeSearchResultSchema = z
  .strictObject({
    store: z
      .strictObject({
        kind: z.enum(["pgvector", "pinecone", "fulltext-only"]),
        reason: z.string().meta({ description: "Why this store is the active one, for people." }),
      })
      .meta({ description: "Where vectors live (`fulltext-only`: none, retrieval is Postgres full text)." }),
    items: z.array(
      z.strictObject({
        citation: z.string().meta({ description: "`path:start-end`, as the agents' briefs cite it.", example: "src/todos.ts:12-40" }),
        source: z.enum(knowledgeSources),
        sourceId: z.string().meta({ description: "The file path (code), document id or lesson id the hit belongs to." }),
        path: z.string(),
        startLine: z.number().int(),
        endLine: z.number().int(),
        score: z.number().meta({ description: "Higher is better: reciprocal-rank fusion (hybrid), cosine similarity (vector) or ts_rank_cd (fulltext)." }),
        language: z.string(),
        repositoryId: uuid.nullable().meta({ description: "null for organization-wide knowledge (documents, lessons without a repository)." }),
        text: z.string().meta({ description: `The chunk's text, cut to ${KNOWLEDGE_HIT_TEXT_CHARS} characters (then ending in \`…\`).` }),
      }),
    ),
  })
  .meta({ id: "KnowledgeSearchResult" });
export type KnowledgeSearchResultJson = z.infer<typeof knowledgeSearchResultSchema>;
