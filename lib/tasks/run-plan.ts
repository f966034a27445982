import { z } from "zod";
import type { AgentRole, TaskStatus } from "@/db/schema";
import { fixPrompt, qaPrompt, reviewPrompt, subtaskPrompt, type PromptResult } from "@/lib/agents/prompts";
import { formatBriefKnowledge, knowledgeForBrief } from "@/lib/knowledge/brief";
import { lessonsForBrief } from "@/lib/lessons/retrieve-lessons";
import { roleKind, roleLabel } from "@/lib/agents/roles";
import { runAgent, runStructuredAgent } from "@/lib/agents/run-agent";
import { AppError } from "@/lib/errors";
import { reviewSchema } from "@/lib/llm/schemas";
import { buildRepositoryMap, collectPatch, runTests } from "@/lib/workspace";
import { mergeSubtaskWorktree, prepareSubtaskWorktree } from "@/lib/workspace/worktree";
import { ancestorsOf, runPlanGraph, type NodeOutcome } from "./plan-graph";
import { agentContextFor, TaskStopped, type TaskRun } from "./task-run";
import {
  blockSubtask,
  finishSubtask,
  recordRunEvent,
  saveReview,
  saveTestReport,
  startSubtask,
  type PlannedSubtask,
  type StoredPlan,
} from "./workflow";

/** How many times QA sends failing tests back to a developer before the test subtask fails. */
export const MAX_FIX_ATTEMPTS = 2;
/** Longest diff shown to a reviewer, in characters (a step result stays small). */
const MAX_REVIEW_DIFF_CHARS = 60_000;

/** What `run_tests` reports in its tool result `data`. */
const testRunSchema = z.object({
  passed: z.boolean(),
  exitCode: z.number().nullable(),
  durationMs: z.number(),
  output: z.string(),
});
export type TestRun = z.infer<typeof testRunSchema>;

/** What one subtask produced, for the subtasks after it and the end of the run. Plain JSON. */
type SubtaskResult = {
  status: "completed" | "failed";
  output: string | null;
  error?: string;
  test?: { ran: boolean; passed: boolean; summary: string | null };
  review?: { verdict: string };
};

/** The outcome of running a plan: each subtask's fate, and what QA and the reviewer reported. */
export type PlanRunResult = {
  outcomes: Record<string, NodeOutcome>;
  /** The last test run of the plan's QA subtasks (in plan order), or null when the plan had none. */
  tests: { ran: boolean; passed: boolean; summary: string | null } | null;
  /** Whether a reviewer subtask reviewed the change (then the run needs no review of its own). */
  reviewed: boolean;
  /** Results of builder subtasks, for a review at the end of the run. */
  builderSummaries: string[];
};

const phaseOf: Record<ReturnType<typeof roleKind>, TaskStatus> = {
  planner: "planning",
  designer: "running",
  builder: "running",
  tester: "testing",
  reviewer: "reviewing",
};

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs the plan's subtasks as a graph ({@link runPlanGraph}): each subtask starts when all of its
 * dependencies completed, independent ones in parallel; a failed subtask blocks its dependents.
 * Subtasks completed by an earlier run of the task (a retry) are not run again.
 *
 * Each subtask is carried out by its role's kind: builders change the workspace, designers write
 * notes, testers run the tests and send failures back to a developer ({@link MAX_FIX_ATTEMPTS}
 * times), reviewers review the diff. Step ids are `subtask/<key>/…`.
 *
 * @throws TaskStopped when a human stopped the task during the plan (the task is already cancelled)
 */
export async function runPlan(run: TaskRun, plan: StoredPlan): Promise<PlanRunResult> {
  const { steps } = run.rt;
  const byKey = new Map(plan.subtasks.map((s) => [s.key, s]));
  const results = new Map<string, SubtaskResult>();
  for (const s of plan.subtasks) {
    if (s.status === "completed") results.set(s.key, { status: "completed", output: s.output });
  }

  const execute = async (key: string): Promise<"completed" | "failed"> => {
    const subtask = byKey.get(key);
    if (!subtask) throw new AppError("invalid_input", `Unknown subtask ${key}`);
    const done: PromptResult[] = ancestorsOf(plan.subtasks, key)
      .map((k) => byKey.get(k))
      .filter((s): s is PlannedSubtask => s !== undefined)
      .map((s) => ({ key: s.key, title: s.title, role: s.role, output: results.get(s.key)?.output ?? null }));
    await steps.run(`subtask/${key}/start`, () => startSubtask(run.ctx, run.runId, subtask, phaseOf[roleKind(subtask.role)]));
    let result: SubtaskResult;
    try {
      result = await executeSubtask(run, plan, subtask, done);
    } catch (error) {
      if (error instanceof TaskStopped) throw error;
      result = { status: "failed", output: null, error: errorMessage(error) };
    }
    results.set(key, result);
    await steps.run(`subtask/${key}/finish`, () =>
      finishSubtask(run.ctx, run.runId, subtask, { status: result.status, output: result.output, error: result.error }),
    );
    return result.status;
  };

  const outcomes = await runPlanGraph(plan.subtasks, {
    completed: new Set(plan.subtasks.filter((s) => s.status === "completed").map((s) => s.key)),
    run: execute,
    block: async (key, because) => {
      const subtask = byKey.get(key);
      if (subtask) await steps.run(`subtask/${key}/blocked`, () => blockSubtask(run.ctx, run.runId, subtask, because));
    },
  });

  const ordered = plan.subtasks.map((s) => results.get(s.key)).filter((r): r is SubtaskResult => r !== undefined);
  return {
    outcomes,
    tests: ordered.filter((r) => r.test).at(-1)?.test ?? null,
    reviewed: ordered.some((r) => r.review),
    builderSummaries: plan.subtasks
      .filter((s) => roleKind(s.role) === "builder")
      .map((s) => results.get(s.key)?.output)
      .filter((o): o is string => typeof o === "string" && o.length > 0),
  };
}

async function executeSubtask(
  run: TaskRun,
  plan: StoredPlan,
  subtask: PlannedSubtask,
  done: PromptResult[],
): Promise<SubtaskResult> {
  switch (roleKind(subtask.role)) {
    case "tester":
      return runTester(run, plan, subtask);
    case "reviewer":
      return runReviewer(run, subtask, done);
    case "builder":
      return runBuilder(run, plan, subtask, done);
    case "planner":
    case "designer": {
      const result = await runAgent(run.rt, agentContextFor(run, subtask.role, subtask), {
        stepPrefix: `subtask/${subtask.key}`,
        prompt: subtaskPrompt(run.ctx, { planSummary: plan.summary, subtask, done, instructions: run.instructions }),
      });
      return { status: "completed", output: result.content };
    }
  }
}

/** Longest conflict report kept in a subtask's error, in characters. */
const MAX_CONFLICT_REPORT_CHARS = 8_000;

/**
 * A builder subtask. Parallel developers never overwrite each other: the subtask works in a worktree
 * of its own (step `subtask/<key>/worktree`, a snapshot of the task's worktree with its dependencies'
 * changes), and its change is merged three-way back into the task's worktree when it ends (step
 * `subtask/<key>/merge`). Edits of the same lines as a subtask merged before it fail this subtask
 * with the conflicting hunks (its dependents are blocked; a retry runs it again in a fresh worktree
 * on top of the merged work). See `prepareSubtaskWorktree` / `mergeSubtaskWorktree` in `lib/workspace/worktree.ts`.
 */
async function runBuilder(run: TaskRun, plan: StoredPlan, subtask: PlannedSubtask, done: PromptResult[]): Promise<SubtaskResult> {
  const { steps } = run.rt;
  const taskWorktree = run.worktree;
  // Lessons for this builder's role learnt on earlier tasks of the repository, memoized as a step.
  const lessons = await steps.run(`subtask/${subtask.key}/lessons`, () =>
    lessonsForBrief({
      organizationId: run.ctx.organizationId,
      taskId: run.ctx.taskId,
      repositoryId: run.ctx.repository?.id ?? null,
      role: subtask.role,
      query: `${subtask.title}\n${subtask.description}\n${run.ctx.title}`,
      subtask: subtask.key,
      dedupeKey: `${run.runId}:lessons:${subtask.key}:${run.ctx.attempt}`,
    }),
  );
  // Code and documents relevant to the subtask (repository + organization-wide), memoized as a step.
  const hits = await steps.run(`subtask/${subtask.key}/knowledge`, () =>
    knowledgeForBrief({
      organizationId: run.ctx.organizationId,
      taskId: run.ctx.taskId,
      repositoryId: run.ctx.repository?.id ?? null,
      role: subtask.role,
      query: `${subtask.title}\n${subtask.description}\n${run.ctx.title}`,
      subtask: subtask.key,
      dedupeKey: `${run.runId}:knowledge:${subtask.key}:${run.ctx.attempt}`,
    }),
  );
  const knowledge = formatBriefKnowledge(hits);
  const prompt = subtaskPrompt(run.ctx, { planSummary: plan.summary, subtask, done, instructions: run.instructions, lessons, knowledge });
  const agent = agentContextFor(run, subtask.role, subtask);
  if (!taskWorktree || !agent.workspace) {
    const result = await runAgent(run.rt, agent, { stepPrefix: `subtask/${subtask.key}`, prompt });
    return { status: "completed", output: result.content };
  }
  const own = await steps.run(`subtask/${subtask.key}/worktree`, () =>
    // Per attempt of the task: a retry starts again from the task's worktree as it is now (with what
    // merged since), and the earlier attempt's branch stays for a person to look at.
    prepareSubtaskWorktree({
      taskWorktree: taskWorktree.path,
      taskId: run.ctx.taskId,
      key: run.ctx.attempt > 0 ? `${subtask.key}~${run.ctx.attempt}` : subtask.key,
    }),
  );
  // The brief ends with a map of the subtask's worktree (file tree + top-level symbols), memoised as a step.
  const repositoryMap = await steps.run(`subtask/${subtask.key}/repo-map`, () =>
    buildRepositoryMap(own.path, { focusText: `${subtask.title}\n${subtask.description}\n${run.ctx.description}` }).catch(() => ""),
  );
  const result = await runAgent(run.rt, { ...agent, workspace: { ...agent.workspace, path: own.path } }, {
    stepPrefix: `subtask/${subtask.key}`,
    prompt: repositoryMap
      ? subtaskPrompt(run.ctx, { planSummary: plan.summary, subtask, done, instructions: run.instructions, repositoryMap, lessons, knowledge })
      : prompt,
  });
  const merge = await steps.run(`subtask/${subtask.key}/merge`, async () => {
    const merged = await mergeSubtaskWorktree({ taskWorktree: taskWorktree.path, subtask: own, message: `squad: ${subtask.title}` });
    await recordRunEvent(run.ctx, run.runId, `subtask-merge:${subtask.key}`, {
      type: merged.merged ? "message" : "error",
      actor: "system",
      message: merged.merged
        ? `Merged “${subtask.title}” into the task's workspace${merged.filesChanged.length > 0 ? `: ${merged.filesChanged.join(", ")}` : " (no changes)"}`
        : `“${subtask.title}” conflicts with work merged before it in ${merged.conflicts.map((c) => c.path).join(", ")}`,
      data: merged.merged
        ? { subtask: subtask.key, filesChanged: merged.filesChanged, branch: own.branch }
        : { subtask: subtask.key, conflicts: merged.conflicts, branch: own.branch },
    });
    return merged;
  });
  if (!merge.merged) {
    const report = merge.conflicts.map((c) => `${c.path}:\n${c.hunks}`).join("\n\n");
    return {
      status: "failed",
      output: result.content,
      error: `Merge conflict with work merged before it (branch ${own.branch} keeps this subtask's change):\n${report.slice(0, MAX_CONFLICT_REPORT_CHARS)}`,
    };
  }
  return { status: "completed", output: result.content };
}

/** The developer who fixes what QA found: the builder of a dependency, else the squad's first builder. */
function fixerFor(run: TaskRun, plan: StoredPlan, subtask: PlannedSubtask): AgentRole | null {
  const ancestors = new Set(ancestorsOf(plan.subtasks, subtask.key));
  const fromPlan = plan.subtasks.find((s) => ancestors.has(s.key) && roleKind(s.role) === "builder");
  if (fromPlan) return fromPlan.role;
  return run.ctx.agents.map((a) => a.role).find((r) => roleKind(r) === "builder") ?? null;
}

/**
 * A QA subtask: run the tests (the QA agent's `run_tests`, or the runner itself when the agent did
 * not), store a test report per attempt, and while they fail send them back to a developer to fix,
 * at most {@link MAX_FIX_ATTEMPTS} times. Step ids: `subtask/<key>/qa-<n>/…`, `subtask/<key>/fix-<n>/…`.
 */
async function runTester(
  run: TaskRun,
  plan: StoredPlan,
  subtask: PlannedSubtask,
): Promise<SubtaskResult> {
  const { steps } = run.rt;
  const { ctx } = run;
  for (let attempt = 0; ; attempt++) {
    const prefix = `subtask/${subtask.key}/qa-${attempt}`;
    const tested = await runAgent(run.rt, agentContextFor(run, subtask.role, subtask), {
      stepPrefix: prefix,
      prompt: qaPrompt(ctx, { attempt, instructions: run.instructions }),
    });
    const lastRun = tested.toolResults.filter((r) => r.name === "run_tests").at(-1);
    const parsed = testRunSchema.safeParse(lastRun?.data);
    const worktree = run.worktree;
    const testRun: TestRun | null = parsed.success
      ? parsed.data
      : worktree && ctx.repository
        ? // QA did not run the suite itself: run it so every attempt has a test report.
          await steps.run(`${prefix}/run-tests`, () => runTests(worktree.path, ctx.repository?.testCommand ?? "npm test"))
        : null;
    await steps.run(`${prefix}/report`, () =>
      saveTestReport(
        ctx,
        run.runId,
        {
          ran: testRun !== null,
          passed: testRun?.passed ?? false,
          exitCode: testRun?.exitCode ?? null,
          durationMs: testRun?.durationMs ?? 0,
          output: testRun?.output ?? "No repository is bound to this squad, so no tests were run.",
          summary: tested.content,
          attempt,
          subtask: subtask.key,
        },
        attempt === 0 ? `test_report:${subtask.key}` : `test_report:${subtask.key}:${attempt}`,
      ),
    );
    if (!testRun) {
      return { status: "completed", output: tested.content, test: { ran: false, passed: false, summary: tested.content } };
    }
    if (testRun.passed) {
      if (attempt > 0) {
        await steps.run(`${prefix}/passed`, () =>
          recordRunEvent(ctx, run.runId, `qa-passed:${subtask.key}:${attempt}`, {
            actor: subtask.role,
            message: `Tests pass after ${attempt} fix${attempt === 1 ? "" : "es"} by the developer`,
            data: { subtask: subtask.key, attempt },
          }),
        );
      }
      return { status: "completed", output: tested.content, test: { ran: true, passed: true, summary: tested.content } };
    }
    const fixer = fixerFor(run, plan, subtask);
    if (attempt >= MAX_FIX_ATTEMPTS || !fixer) {
      const why = fixer
        ? `the tests still fail after ${MAX_FIX_ATTEMPTS} fix attempt(s)`
        : "the tests fail and this squad has no developer to fix them";
      return {
        status: "failed",
        output: tested.content,
        error: why,
        test: { ran: true, passed: false, summary: tested.content },
      };
    }
    const fixAttempt = attempt + 1;
    await steps.run(`${prefix}/send-back`, () =>
      recordRunEvent(ctx, run.runId, `qa-send-back:${subtask.key}:${attempt}`, {
        actor: subtask.role,
        message: `Tests failed: sending them back to the ${roleLabel(fixer)} to fix (attempt ${fixAttempt} of ${MAX_FIX_ATTEMPTS})`,
        data: { subtask: subtask.key, to: fixer, attempt: fixAttempt, maxAttempts: MAX_FIX_ATTEMPTS },
      }),
    );
    await runAgent(run.rt, agentContextFor(run, fixer, subtask), {
      stepPrefix: `subtask/${subtask.key}/fix-${fixAttempt}`,
      prompt: fixPrompt(ctx, {
        attempt: fixAttempt,
        maxAttempts: MAX_FIX_ATTEMPTS,
        testOutput: testRun.output,
        qaSummary: tested.content,
        instructions: run.instructions,
      }),
    });
  }
}

/**
 * A review subtask: the reviewer reads the diff of the worktree so far (not committed yet) with the
 * test results and the developers' summaries, and answers with a structured review.
 */
async function runReviewer(run: TaskRun, subtask: PlannedSubtask, done: PromptResult[]): Promise<SubtaskResult> {
  const { steps } = run.rt;
  const worktree = run.worktree;
  const diff = worktree
    ? await steps.run(`subtask/${subtask.key}/diff`, async () =>
        (await collectPatch(worktree.path, worktree.baseCommit)).diff.slice(0, MAX_REVIEW_DIFF_CHARS),
      )
    : "";
  const developers = done.filter((d) => roleKind(d.role) === "builder" || roleKind(d.role) === "designer");
  const testers = done.filter((d) => roleKind(d.role) === "tester");
  const { value: review, result } = await runStructuredAgent(run.rt, agentContextFor(run, subtask.role, subtask), {
    stepPrefix: `subtask/${subtask.key}`,
    prompt: reviewPrompt(run.ctx, {
      diff,
      developerSummary: developers.map((d) => d.output).filter(Boolean).join("\n\n") || null,
      testsPassed: testers.length > 0,
      testSummary: testers.map((d) => d.output).filter(Boolean).join("\n\n") || null,
      instructions: run.instructions,
    }),
    name: "review",
    schema: reviewSchema,
  });
  await steps.run(`subtask/${subtask.key}/save-review`, () => saveReview(run.ctx, run.runId, review, result.model, subtask.role));
  return { status: "completed", output: `Review: ${review.verdict.replace("_", " ")} — ${review.summary}`, review: { verdict: review.verdict } };
}
