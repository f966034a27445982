import { z } from "zod";

/*
 * Client-side view of the REST API (`/api/v1/tasks…`). Every response is parsed with these schemas
 * before use: nothing from the network is trusted by a cast. Unknown extra fields are dropped.
 */

const isoDate = z.string();
const record = z.record(z.string(), z.unknown());

export const taskSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  /** How it ended (`delivered`, `no_changes`, `failed`, `cancelled`, `rejected`); null until then. */
  outcome: z.string().nullish(),
  source: z.string(),
  squadId: z.string().nullish(),
  repositoryId: z.string().nullish(),
  createdAt: isoDate,
  startedAt: isoDate.nullish(),
  completedAt: isoDate.nullish(),
  error: z.string().nullish(),
});
export type TaskSummary = z.infer<typeof taskSummarySchema>;
/** A page of `GET /api/v1/tasks`. */
export const taskListSchema = z.object({ items: z.array(taskSummarySchema), nextCursor: z.string().nullable() });

export const subtaskSchema = z.object({
  id: z.string(),
  key: z.string().nullish(),
  title: z.string(),
  description: z.string().nullish(),
  role: z.string().nullish(),
  status: z.string(),
  dependsOn: z.array(z.string()).default([]),
  output: z.string().nullish(),
  error: z.string().nullish(),
});
export type Subtask = z.infer<typeof subtaskSchema>;

export const artifactSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  content: z.string(),
  data: record.nullish(),
  createdAt: isoDate,
});
export type Artifact = z.infer<typeof artifactSchema>;

const usageTotalsSchema = z.object({
  calls: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  /** Cost in USD micros (1 USD = 1,000,000). */
  costUsdMicros: z.number(),
});
export const usageSchema = usageTotalsSchema.extend({
  byRole: z.array(usageTotalsSchema.extend({ role: z.string() })).default([]),
});
export type Usage = z.infer<typeof usageSchema>;
export type TaskBudget = { budgetUsdMicros: number | null; estimatedUsdMicros: number | null; spentUsdMicros: number };

export const modelSchema = z.object({ provider: z.string(), model: z.string(), offline: z.boolean() });
export type ModelInfo = z.infer<typeof modelSchema>;

/** An approval a run waits on (or waited on): `GET /api/v1/approvals`, and `approvals` of a task. */
export const approvalSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  taskTitle: z.string().nullish(),
  kind: z.string(),
  reason: z.string(),
  status: z.string(),
  requestedBy: z.string().nullish(),
  details: record.nullish(),
  comment: z.string().nullish(),
  decidedBy: z.string().nullish(),
  decidedAt: isoDate.nullish(),
  expiresAt: isoDate.nullish(),
  createdAt: isoDate,
});
export type Approval = z.infer<typeof approvalSchema>;
export const approvalListSchema = z.array(approvalSchema);

export const taskDetailSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().nullish(),
  status: z.string(),
  outcome: z.string().nullish(),
  source: z.string(),
  externalRef: z.string().nullish(),
  branch: z.string().nullish(),
  error: z.string().nullish(),
  createdAt: isoDate,
  startedAt: isoDate.nullish(),
  completedAt: isoDate.nullish(),
  subtasks: z.array(subtaskSchema).default([]),
  artifacts: z.array(artifactSchema).default([]),
  usage: usageSchema.nullish(),
  models: z.array(modelSchema).default([]),
  approvals: z.array(approvalSchema).default([]),
  /** Where the work went: the GitHub pull request, the Jira issue (`lib/delivery`). */
  deliveries: z
    .array(z.object({ channel: z.string(), status: z.enum(["delivered", "failed"]), url: z.string().nullable(), externalId: z.string().nullable(), error: z.string().nullable() }))
    .default([]),
  attempt: z.number().nullish(),
  /** Budget, estimate and spend of the task in USD micros. */
  budget: z
    .object({ budgetUsdMicros: z.number().nullable(), estimatedUsdMicros: z.number().nullable(), spentUsdMicros: z.number() })
    .nullish(),
});
export type TaskDetail = z.infer<typeof taskDetailSchema>;

export const taskEventSchema = z.object({
  id: z.union([z.number(), z.string()]).transform(String),
  taskId: z.string(),
  type: z.string(),
  actor: z.string(),
  message: z.string(),
  data: record.nullish(),
  createdAt: isoDate,
});
export type TaskEvent = z.infer<typeof taskEventSchema>;

const apiErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

const issuesSchema = z.object({
  issues: z.array(z.object({ path: z.union([z.string(), z.array(z.union([z.string(), z.number()]))]), message: z.string() })),
});

/** An error response of the API (`{ error: { code, message, details? } }`) or a transport failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Field problems of a 422 as `{ path: "title", message }`, paths joined with dots. */
  get issues(): Array<{ path: string; message: string }> {
    const parsed = issuesSchema.safeParse(this.details);
    if (!parsed.success) return [];
    return parsed.data.issues.map((i) => ({
      path: Array.isArray(i.path) ? i.path.join(".") : i.path,
      message: i.message,
    }));
  }
}

/**
 * Calls the API with the session cookie and parses the JSON body with `schema`.
 * @throws ApiError with the server's code and message on a non-2xx response, `network` when the
 *   request did not complete, `bad_response` when the body does not match the schema.
 */
export async function apiFetch<T>(url: string, schema: z.ZodType<T>, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      credentials: "same-origin",
      headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}), ...init?.headers },
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "Can't reach the server. Check your connection and try again.");
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const parsed = apiErrorSchema.safeParse(body);
    if (parsed.success) {
      const { code, message, details } = parsed.data.error;
      throw new ApiError(response.status, code, message, details);
    }
    throw new ApiError(response.status, "http_error", `The server answered ${response.status} ${response.statusText}.`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(response.status, "bad_response", "The server sent a response this page does not understand.");
  }
  return parsed.data;
}
