// The harness's own check, run when no model key is configured (and by
// tests/integration/eval-harness.test.ts): the whole pipeline — boot, sign-up, repository, task,
// workflow, patch, judge — with the developer's model replaced by a scripted OpenAI stand-in (the
// transcript replayer, which speaks OpenAI's wire format to the real `openai` client). The stand-in
// and replayer are the integration suites' fixtures; the self-check is a test of the harness, so it
// uses them where they live rather than copying them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startReplayer, type Transcript } from "../../tests/fixtures/vendors/replayer";
import { bootSquadron } from "./boot";
import { configureSquad, defaultSquad, runEvalTask, type EvalMode, type TaskResult } from "./run";
import { diffOnly, type EvalTask } from "./tasks";

/** The model name the stand-in answers as. */
export const SELF_CHECK_MODEL = "gpt-4.1-mini";

export type SelfCheckResult = {
  task: string;
  mode: EvalMode;
  /** The developer applied the upstream fix with `apply_patch`: must be judged resolved. */
  fixed: TaskResult;
  /** The developer changed nothing: must be judged unresolved. */
  unchanged: TaskResult;
  /** Unmet transcript expectations and wrong verdicts; empty when the self-check passed. */
  problems: string[];
  ok: boolean;
};

/**
 * The developer's scripted turns for one task: (1) `apply_patch` with the upstream fix (the tool must
 * be offered), (2) a summary once the tool said the diff applied; then, for the second run, a
 * developer that answers at once without touching anything.
 */
export function selfCheckTranscript(task: EvalTask): Transcript {
  return {
    turns: [
      {
        expect: { toolsOffered: ["apply_patch", "read_file", "search"] },
        toolCalls: [{ name: "apply_patch", arguments: { unified_diff: diffOnly(task.upstreamPatch) } }],
        usage: { input: 1_200, output: 150 },
      },
      {
        expect: { lastToolResultIncludes: "Applied the diff" },
        text: `Applied the upstream fix (${task.upstream.fixTitle}).`,
        usage: { input: 1_500, output: 20 },
      },
      { text: "I looked at the code and changed nothing.", usage: { input: 1_200, output: 10 } },
    ],
  };
}

/**
 * Runs the self-check on each of `tasks` (normally one): boots an isolated Squadron (fresh DATA_DIR,
 * embedded database, app + local executor), routes the developer to the replayer and the other roles
 * to the offline model, and runs each task twice in each of `modes` (default squad) — once fixed, once unchanged.
 */
export async function runSelfCheck(
  tasks: EvalTask[],
  opts: { modes?: EvalMode[]; log?: (msg: string) => void; keepDataDir?: boolean; timeoutMs?: number } = {},
): Promise<{ results: SelfCheckResult[]; dataDir: string }> {
  const modes = opts.modes ?? ["squad"];
  const log = opts.log ?? (() => {});
  const transcript: Transcript = { turns: modes.flatMap(() => tasks.flatMap((t) => selfCheckTranscript(t).turns)) };
  const replayer = await startReplayer("openai", transcript);
  const dataDir = mkdtempSync(path.join(tmpdir(), "squadron-eval-self-check-"));
  // No real key may reach the stand-in run (nor a real model be called by a default route).
  for (const key of ["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"]) delete process.env[key];
  const squadron = await bootSquadron({
    dataDir,
    log,
    env: {
      OPENAI_API_KEY: "sk-eval-self-check",
      OPENAI_BASE_URL: replayer.baseURL,
      OPENAI_MODEL: SELF_CHECK_MODEL,
      KNOWLEDGE_EMBEDDER: "local",
    },
  });
  const results: SelfCheckResult[] = [];
  try {
    const client = await squadron.signUp("Eval self-check", "eval-self-check@squadron.local");
    const squad = await defaultSquad(client);
    for (const mode of modes) {
      await configureSquad(client, squad.id, mode, (role) =>
        role === "developer" ? [{ provider: "openai", model: SELF_CHECK_MODEL }] : [{ provider: "offline", model: "offline-scripted" }],
      );
      for (const task of tasks) {
        const run = async (variant: "fixed" | "unchanged") => {
          const r = await runEvalTask(squadron, client, squad.id, task, {
            mode,
            timeoutMs: opts.timeoutMs ?? 60_000,
            repoName: `${task.id}-${mode}-${variant}`,
            log: (m) => log(`[${variant}] ${m}`),
          });
          await squadron.idle(); // its `squad/task.completed` handlers end before the next run starts
          return r;
        };
        const fixed = await run("fixed");
        const unchanged = await run("unchanged");
        const problems: string[] = [];
        if (!fixed.resolved) problems.push(`${task.id}: the upstream fix, applied by the developer, was judged unresolved (${fixed.verdict.reason}; task ${fixed.status}${fixed.error ? `: ${fixed.error}` : ""})`);
        if (fixed.patchLines === 0) problems.push(`${task.id}: the fixed run stored no patch`);
        if (unchanged.resolved) problems.push(`${task.id}: a run that changed nothing was judged resolved`);
        for (const [label, r] of [["fixed", fixed], ["unchanged", unchanged]] as const) {
          if (r.status !== "completed") problems.push(`${task.id} (${label}): task ended ${r.status}${r.error ? `: ${r.error}` : ""}`);
          if (!(r.modelCalls > 0 && r.inputTokens > 0 && r.outputTokens > 0 && r.wallMs > 0)) problems.push(`${task.id} (${label}): per-task figures missing: ${JSON.stringify(r)}`);
        }
        results.push({ task: task.id, mode, fixed, unchanged, problems, ok: problems.length === 0 });
      }
    }
    const transcriptProblems = replayer.verify();
    if (transcriptProblems.length > 0 && results.length > 0) {
      const last = results[results.length - 1]!;
      last.problems.push(...transcriptProblems.map((p) => `transcript: ${p}`));
      last.ok = false;
    }
  } finally {
    await squadron.stop();
    await replayer.close();
    if (!opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  return { results, dataDir };
}
