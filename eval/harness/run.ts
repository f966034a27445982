import path from "node:path";
import type { ApiClient, Squadron } from "./boot";
import { judgePatch, materializeRepository, type Verdict } from "./judge";
import type { EvalTask } from "./tasks";

/** `squad`: the squad's own workflow (plan → developers → QA → review); `baseline`: `single_agent` (one developer, no plan, no review). */
export type EvalMode = "squad" | "baseline";

/** One model candidate of a route, as `PATCH /api/v1/squads/{id}` takes it in `agents[].modelRoute`. */
export type RouteCandidate = { provider: "openai" | "anthropic" | "offline"; model: string };

/** What the harness records for one task run. */
export type TaskResult = {
  task: string;
  mode: EvalMode;
  /** The Squadron task's id. */
  taskId: string | null;
  /** `completed` / `failed` / `cancelled`, or `timeout` when the harness gave up waiting. */
  status: string;
  /** `delivered`, `no_changes`, `failed`, … as the task reports it. */
  outcome: string | null;
  error: string | null;
  resolved: boolean;
  verdict: Pick<Verdict, "patchApplied" | "hiddenPassed" | "suitePassed" | "reason">;
  /** Lines of the patch artifact (0: no patch). */
  patchLines: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  wallMs: number;
  /** Model calls (the usage ledger, `llm_calls`). */
  modelCalls: number;
  /** Tool calls the agents made (`tool_call` timeline events). */
  toolCalls: number;
  /** Approvals the run asked for (the harness approves pending ones so the run can go on). */
  approvals: number;
  models: string[];
};

type SquadJson = { id: string; workflow: string; agents: { role: string; modelRoute: RouteCandidate[] }[] };
type TaskDetail = {
  id: string;
  status: string;
  outcome: string | null;
  error: string | null;
  artifacts: { kind: string; content: string }[];
  usage: { calls: number; inputTokens: number; outputTokens: number; costUsdMicros: number };
  approvals: { id: string; status: string }[];
  models: { provider: string; model: string }[];
};

/** The user's default squad (the first one `GET /api/v1/squads` lists). */
export async function defaultSquad(client: ApiClient): Promise<SquadJson> {
  const list = await client.json<SquadJson[]>("/api/v1/squads", { expect: 200 });
  const squad = list.body[0];
  if (!squad) throw new Error("the user has no squad");
  return squad;
}

/**
 * Sets the squad's workflow (`squad` or `single_agent`) and each agent's model route:
 * `routeFor(role)` → the route, or undefined to leave that agent as it is.
 */
export async function configureSquad(client: ApiClient, squadId: string, mode: EvalMode, routeFor: (role: string) => RouteCandidate[] | undefined): Promise<SquadJson> {
  const squad = (await client.json<SquadJson>(`/api/v1/squads/${squadId}`, { expect: 200 })).body;
  const agents = squad.agents.flatMap((a) => {
    const route = routeFor(a.role);
    return route ? [{ role: a.role, modelRoute: route }] : [];
  });
  const body = { workflow: mode === "baseline" ? "single_agent" : "squad", ...(agents.length ? { agents } : {}) };
  return (await client.json<SquadJson>(`/api/v1/squads/${squadId}`, { method: "PATCH", body: JSON.stringify(body), expect: 200 })).body;
}

/**
 * Runs one eval task through Squadron as a user would and judges the result:
 * copies the vendored repository to `<DATA_DIR>/repos/<id>[-baseline]` (a git repository, without the
 * hidden test), registers it (`POST /api/v1/repositories`), creates the task with the bug report
 * (`POST /api/v1/tasks` with `repositoryId`), polls `GET /api/v1/tasks/{id}` until it ends (approving
 * any approval it asks for), then applies its patch artifact to a fresh copy and runs the hidden test.
 */
export async function runEvalTask(
  squadron: Squadron,
  client: ApiClient,
  squadId: string,
  task: EvalTask,
  opts: { mode: EvalMode; timeoutMs: number; judgeTimeoutMs?: number; log?: (msg: string) => void; repoName?: string },
): Promise<TaskResult> {
  const log = opts.log ?? (() => {});
  const repoName = opts.repoName ?? `${task.id}${opts.mode === "baseline" ? "-baseline" : ""}`;
  const repoPath = await materializeRepository(task, path.join(squadron.dataDir, "repos", repoName));
  const repo = await client.json<{ id: string }>("/api/v1/repositories", {
    method: "POST",
    body: JSON.stringify({ name: repoName, localPath: repoPath, defaultBranch: "main", testCommand: task.testCommand }),
    expect: 201,
  });
  const started = Date.now();
  const created = await client.json<{ id: string }>("/api/v1/tasks", {
    method: "POST",
    body: JSON.stringify({ title: task.title, description: task.description, squadId, repositoryId: repo.body.id }),
    expect: 201,
  });
  const taskId = created.body.id;
  log(`${task.id} (${opts.mode}): task ${taskId} created`);

  const approved = new Set<string>();
  let detail: TaskDetail;
  let timedOut = false;
  for (;;) {
    detail = (await client.json<TaskDetail>(`/api/v1/tasks/${taskId}`, { expect: 200 })).body;
    if (["completed", "failed", "cancelled"].includes(detail.status)) break;
    for (const a of detail.approvals.filter((x) => x.status === "pending" && !approved.has(x.id))) {
      approved.add(a.id);
      log(`${task.id} (${opts.mode}): approving ${a.id}`);
      await client.json(`/api/v1/approvals/${a.id}/decision`, { method: "POST", body: JSON.stringify({ decision: "approve", comment: "Approved by the eval harness." }) });
    }
    if (Date.now() - started > opts.timeoutMs) {
      timedOut = true;
      await client.json(`/api/v1/tasks/${taskId}/cancel`, { method: "POST", body: JSON.stringify({ reason: "eval harness: time limit" }) });
      detail = (await client.json<TaskDetail>(`/api/v1/tasks/${taskId}`, { expect: 200 })).body;
      break;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const wallMs = Date.now() - started;
  const patch = detail.artifacts.find((a) => a.kind === "patch")?.content ?? null;
  const verdict = await judgePatch(task, patch, { workDir: path.join(squadron.dataDir, "judge"), timeoutMs: opts.judgeTimeoutMs ?? 60_000 });
  const [events] = await squadron.sql<{ n: string }[]>`select count(*)::text as n from task_events where task_id = ${taskId} and type = 'tool_call'`;
  const result: TaskResult = {
    task: task.id,
    mode: opts.mode,
    taskId,
    status: timedOut ? "timeout" : detail.status,
    outcome: detail.outcome,
    error: detail.error,
    resolved: verdict.resolved,
    verdict: { patchApplied: verdict.patchApplied, hiddenPassed: verdict.hiddenPassed, suitePassed: verdict.suitePassed, reason: verdict.reason },
    patchLines: patch ? patch.split("\n").length : 0,
    costUsd: detail.usage.costUsdMicros / 1e6,
    inputTokens: detail.usage.inputTokens,
    outputTokens: detail.usage.outputTokens,
    wallMs,
    modelCalls: detail.usage.calls,
    toolCalls: Number(events?.n ?? 0),
    approvals: detail.approvals.length,
    models: [...new Set(detail.models.map((m) => `${m.provider}/${m.model}`))],
  };
  log(`${task.id} (${opts.mode}): ${result.status}${result.outcome ? ` (${result.outcome})` : ""} → ${result.resolved ? "RESOLVED" : `unresolved: ${verdict.reason}`}`);
  return result;
}

/** Figures over a set of results (one mode). */
export type Summary = {
  mode: EvalMode;
  tasks: number;
  resolved: number;
  resolvedPct: number;
  costUsd: number;
  /** Total cost / resolved tasks; null when none was resolved. */
  usdPerResolved: number | null;
  inputTokens: number;
  outputTokens: number;
  wallMs: number;
  modelCalls: number;
  toolCalls: number;
  approvals: number;
};

export function summarize(mode: EvalMode, results: TaskResult[]): Summary {
  const rs = results.filter((r) => r.mode === mode);
  const sum = (f: (r: TaskResult) => number) => rs.reduce((n, r) => n + f(r), 0);
  const resolved = rs.filter((r) => r.resolved).length;
  const costUsd = sum((r) => r.costUsd);
  return {
    mode,
    tasks: rs.length,
    resolved,
    resolvedPct: rs.length ? (100 * resolved) / rs.length : 0,
    costUsd,
    usdPerResolved: resolved ? costUsd / resolved : null,
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    wallMs: sum((r) => r.wallMs),
    modelCalls: sum((r) => r.modelCalls),
    toolCalls: sum((r) => r.toolCalls),
    approvals: sum((r) => r.approvals),
  };
}
