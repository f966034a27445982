import { AppError } from "@/lib/errors";

/** One node of a plan graph: a subtask key and the keys it depends on. */
export type PlanNode = { key: string; dependsOn: readonly string[] };

/** How a subtask of a run ended: done, failed, or never started because a dependency did not complete. */
export type NodeOutcome = "completed" | "failed" | "blocked";

/**
 * Checks that keys are unique, that every dependency names a subtask of the plan and that the
 * dependencies form a DAG.
 * @throws AppError `invalid_input` naming the offending key or the cycle (`a → c → b → a`)
 */
export function validatePlanGraph<P extends { subtasks: readonly PlanNode[] }>(plan: P): void {
  const problem = planGraphProblem(plan);
  if (problem) throw new AppError("invalid_input", problem);
}

/** Like {@link validatePlanGraph}, but returns the problem as text (null when the graph is valid). */
export function planGraphProblem<P extends { subtasks: readonly PlanNode[] }>(plan: P): string | null {
  const keys = new Set(plan.subtasks.map((s) => s.key));
  if (keys.size !== plan.subtasks.length) return "Plan has duplicate subtask keys";
  for (const s of plan.subtasks) {
    for (const d of s.dependsOn) {
      if (!keys.has(d)) return `Subtask ${s.key} depends on unknown subtask ${d}`;
    }
  }
  const state = new Map<string, "visiting" | "done">();
  const byKey = new Map(plan.subtasks.map((s) => [s.key, s]));
  const visit = (key: string, path: string[]): string | null => {
    if (state.get(key) === "done") return null;
    if (state.get(key) === "visiting") return `Plan has a dependency cycle: ${[...path, key].join(" → ")}`;
    state.set(key, "visiting");
    for (const d of byKey.get(key)?.dependsOn ?? []) {
      const found = visit(d, [...path, key]);
      if (found) return found;
    }
    state.set(key, "done");
    return null;
  };
  for (const s of plan.subtasks) {
    const found = visit(s.key, []);
    if (found) return found;
  }
  return null;
}

/** Every key that depends on `key`, directly or through others (not `key` itself). */
export function dependentsOf(nodes: readonly PlanNode[], key: string): string[] {
  const out = new Set<string>();
  const queue = [key];
  while (queue.length > 0) {
    const current = queue.shift();
    for (const n of nodes) {
      if (current !== undefined && n.dependsOn.includes(current) && !out.has(n.key)) {
        out.add(n.key);
        queue.push(n.key);
      }
    }
  }
  return [...out];
}

/** Every key `key` depends on, directly or through others (not `key` itself). */
export function ancestorsOf(nodes: readonly PlanNode[], key: string): string[] {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const out = new Set<string>();
  const queue = [...(byKey.get(key)?.dependsOn ?? [])];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === undefined || out.has(current)) continue;
    out.add(current);
    queue.push(...(byKey.get(current)?.dependsOn ?? []));
  }
  return [...out];
}

/**
 * Runs a validated plan graph: each node starts as soon as all of its dependencies completed, and
 * nodes that are ready together run concurrently (with durable steps, as parallel steps). A node
 * whose dependency failed or was blocked is blocked itself and never starts.
 *
 * Deterministic for durable replays: a node's fate depends only on its dependencies' outcomes.
 *
 * @param opts.completed keys already completed by an earlier run of the task (a retry): not run again
 * @param opts.run executes one node; resolves to its outcome. A rejection stops the whole graph
 *   (use it only for "stop the task", e.g. a human rejected it) and rejects this call.
 * @param opts.block records that a node will not start because of `because` (its failed or blocked dependencies)
 * @returns each key's outcome
 */
export async function runPlanGraph(
  nodes: readonly PlanNode[],
  opts: {
    completed: ReadonlySet<string>;
    run: (key: string) => Promise<"completed" | "failed">;
    block: (key: string, because: string[]) => Promise<void>;
  },
): Promise<Record<string, NodeOutcome>> {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const started = new Map<string, Promise<NodeOutcome>>();
  const start = (key: string): Promise<NodeOutcome> => {
    const existing = started.get(key);
    if (existing) return existing;
    const promise = (async (): Promise<NodeOutcome> => {
      if (opts.completed.has(key)) return "completed";
      const node = byKey.get(key);
      if (!node) throw new AppError("invalid_input", `Unknown subtask ${key}`);
      const deps = await Promise.all(node.dependsOn.map(async (d) => ({ key: d, outcome: await start(d) })));
      const unmet = deps.filter((d) => d.outcome !== "completed").map((d) => d.key);
      if (unmet.length > 0) {
        await opts.block(key, unmet);
        return "blocked";
      }
      return opts.run(key);
    })();
    started.set(key, promise);
    return promise;
  };
  const outcomes = await Promise.all(nodes.map(async (n) => [n.key, await start(n.key)] as const));
  return Object.fromEntries(outcomes);
}
