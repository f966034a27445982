// `npm run eval`: Squadron's evaluation harness (issue 9). Runs the vendored bug-fix tasks
// (eval/tasks/*) through an isolated Squadron — fresh DATA_DIR under /tmp, embedded PostgreSQL, the
// app's route handlers and the local Inngest executor — with whatever model is configured, judges each
// patch with the upstream fix's hidden test, and writes the summary to EVALS.md.
//
//   npm run eval                         every task, the squad's workflow
//   npm run eval -- --baseline           the same tasks, single-agent baseline (one developer, no plan, no review)
//   npm run eval -- --both               squad and baseline side by side, with the ratio
//   npm run eval -- --task ms-negative-decimals [--task …]
//   npm run eval -- --self-check         the harness's own check (what runs when no model key is set)
//
// Options: --timeout <minutes per task> (default 30), --keep (keep the DATA_DIR), --no-write (print only);
// EVAL_DEBUG=1 logs the executor too.
// With no OPENAI_API_KEY / ANTHROPIC_API_KEY (environment or .env) it says so and runs the self-check.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs, parseEnv } from "node:util";
import { bootSquadron } from "../eval/harness/boot";
import { formatModelReport, formatSelfCheckReport, writeSection } from "../eval/harness/report";
import { configureSquad, defaultSquad, runEvalTask, summarize, type EvalMode, type RouteCandidate, type TaskResult } from "../eval/harness/run";
import { runSelfCheck } from "../eval/harness/self-check";
import { loadTask, loadTasks } from "../eval/harness/tasks";

const { values } = parseArgs({
  options: {
    task: { type: "string", multiple: true },
    baseline: { type: "boolean", default: false },
    both: { type: "boolean", default: false },
    "self-check": { type: "boolean", default: false },
    timeout: { type: "string", default: "30" },
    keep: { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(readFileSync(new URL(import.meta.url), "utf8").split("\n").filter((l) => l.startsWith("//")).map((l) => l.slice(3)).join("\n"));
  process.exit(0);
}

const log = (msg: string) => console.log(`[eval] ${msg}`);
const EVALS_MD = path.resolve("EVALS.md");
const FALLBACK = "# Evaluations\n\nWritten by `npm run eval` (see README, \"Evaluation\").\n";
const modes: EvalMode[] = values.both ? ["squad", "baseline"] : values.baseline ? ["baseline"] : ["squad"];
const date = new Date().toISOString().slice(0, 10);

// Model keys from the environment, or from .env as `npm start` reads it (only the model settings: the
// eval's database, data directory and executor are its own).
const MODEL_VARS = ["OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL"];
if (existsSync(".env")) {
  const dotenv = parseEnv(readFileSync(".env", "utf8"));
  for (const k of MODEL_VARS) if (!process.env[k] && dotenv[k]) process.env[k] = dotenv[k];
}
for (const k of MODEL_VARS) if (process.env[k] === "") delete process.env[k];
const hasKey = Boolean(process.env.OPENAI_API_KEY || process.env.ANTHROPIC_API_KEY);

try {
  const tasks = values.task?.length ? values.task.map((id) => loadTask(id)) : loadTasks();
  if (!hasKey || values["self-check"]) {
    if (!hasKey) log("no model key: running the harness self-check (set OPENAI_API_KEY, or OPENAI_BASE_URL + OPENAI_MODEL, or ANTHROPIC_API_KEY to evaluate a model)");
    else log("--self-check: running the harness self-check (the configured model is not used)");
    const picked = values.task?.length ? tasks : [tasks.find((t) => t.id === "escape-string-regexp-dash") ?? tasks[0]!];
    const { results: all, dataDir } = await runSelfCheck(picked, { modes, log, keepDataDir: values.keep });
    if (values.keep) log(`data kept in ${dataDir}`);
    const report = formatSelfCheckReport(all, { date });
    console.log(`\n${report}\n`);
    if (!values["no-write"]) {
      writeSection(EVALS_MD, "self-check", report, FALLBACK);
      log(`self-check section of ${EVALS_MD} updated (model results left as they were)`);
    }
    process.exit(all.every((r) => r.ok) ? 0 : 1);
  }

  const timeoutMs = Number(values.timeout) * 60_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`--timeout must be a positive number of minutes, got ${values.timeout}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), "squadron-eval-"));
  const squadron = await bootSquadron({ dataDir, log, env: { KNOWLEDGE_EMBEDDER: process.env.KNOWLEDGE_EMBEDDER ?? "local" } });
  const results: TaskResult[] = [];
  let model = "";
  try {
    const { settingsFromEnv } = await import("@/lib/llm/settings");
    const settings = settingsFromEnv();
    // The same choice as an empty route (lib/llm/resolve-route.ts): Anthropic when its key is set, else OpenAI.
    const route: RouteCandidate = settings.anthropic.apiKey
      ? { provider: "anthropic", model: settings.anthropic.defaultModel }
      : { provider: "openai", model: settings.openai.defaultModel };
    model = `${route.provider}/${route.model}${route.provider === "openai" && settings.openai.baseURL ? ` at ${settings.openai.baseURL}` : ""}`;
    log(`model: ${model}; tasks: ${tasks.map((t) => t.id).join(", ")}; runs: ${modes.join(" + ")}`);
    const client = await squadron.signUp("Eval", "eval@squadron.local");
    const squad = await defaultSquad(client);
    for (const mode of modes) {
      await configureSquad(client, squad.id, mode, () => [route]);
      for (const task of tasks) {
        results.push(await runEvalTask(squadron, client, squad.id, task, { mode, timeoutMs, log }));
        await squadron.idle(30_000);
      }
    }
  } finally {
    await squadron.stop();
    if (values.keep) log(`data kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
  const report = formatModelReport(results, { model, date, command: `npm run eval${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(" ")}` : ""}` });
  console.log(`\n${report}\n`);
  for (const mode of modes) {
    const s = summarize(mode, results);
    log(`${mode}: ${s.resolved}/${s.tasks} resolved, $${s.costUsd.toFixed(4)} total`);
  }
  if (!values["no-write"]) {
    writeSection(EVALS_MD, "model", report, FALLBACK);
    log(`${EVALS_MD} updated`);
  }
  process.exit(0);
} catch (error) {
  console.error(`[eval] failed: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.EVAL_DEBUG) console.error(error);
  process.exit(1);
}
