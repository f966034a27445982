import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { summarize, type EvalMode, type Summary, type TaskResult } from "./run";
import type { SelfCheckResult } from "./self-check";

const usd = (n: number | null) => (n === null ? "—" : `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (n: number) => `${n.toFixed(0)}%`;
const int = (n: number) => n.toLocaleString("en-US");

function summaryRow(s: Summary): string {
  return `| ${s.mode} | ${s.resolved}/${s.tasks} (${pct(s.resolvedPct)}) | ${usd(s.usdPerResolved)} | ${usd(s.costUsd)} | ${int(s.inputTokens)} / ${int(s.outputTokens)} | ${secs(s.wallMs)} | ${s.modelCalls} | ${s.toolCalls} | ${s.approvals} |`;
}

function taskRow(r: TaskResult): string {
  const error = r.error ? ` — ${r.error.replace(/\s+/g, " ").replace(/\|/g, "\\|").slice(0, 120)}` : "";
  const status = `${r.status}${r.outcome ? ` (${r.outcome})` : ""}${error}`;
  return `| ${r.task} | ${r.mode} | ${r.resolved ? "**yes**" : `no — ${r.verdict.reason}`} | ${status} | ${usd(r.costUsd)} | ${int(r.inputTokens)} / ${int(r.outputTokens)} | ${secs(r.wallMs)} | ${r.modelCalls} | ${r.toolCalls} | ${r.approvals} |`;
}

const SUMMARY_HEAD = [
  "| run | resolved | $ per resolved task | total cost | tokens in / out | wall time | model calls | tool calls | approvals |",
  "|---|---|---|---|---|---|---|---|---|",
];
const TASK_HEAD = [
  "| task | run | resolved | status (outcome) | cost | tokens in / out | wall time | model calls | tool calls | approvals |",
  "|---|---|---|---|---|---|---|---|---|---|",
];

/**
 * The summary of a run with a real model: per mode (squad, baseline) resolved %, $ per resolved task
 * and totals; the squad ÷ baseline ratio when both ran; then one row per task and mode.
 */
export function formatModelReport(results: TaskResult[], meta: { model: string; date: string; command: string }): string {
  const modes = (["squad", "baseline"] as EvalMode[]).filter((m) => results.some((r) => r.mode === m));
  const summaries = modes.map((m) => summarize(m, results));
  const lines = [
    `Model: **${meta.model}** · date: ${meta.date} · command: \`${meta.command}\``,
    "",
    ...SUMMARY_HEAD,
    ...summaries.map(summaryRow),
  ];
  const squad = summaries.find((s) => s.mode === "squad");
  const base = summaries.find((s) => s.mode === "baseline");
  if (squad && base) {
    const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? "—" : `${(a / b).toFixed(2)}×`);
    lines.push(
      "",
      `Squad vs single-agent baseline: resolved ${pct(squad.resolvedPct)} vs ${pct(base.resolvedPct)} (${ratio(squad.resolvedPct, base.resolvedPct)}), ` +
        `$ per resolved task ${usd(squad.usdPerResolved)} vs ${usd(base.usdPerResolved)} (${ratio(squad.usdPerResolved, base.usdPerResolved)}).`,
    );
  }
  lines.push("", ...TASK_HEAD, ...results.map(taskRow));
  return lines.join("\n");
}

/** The self-check's short section: the verdicts it proved and the figures it recorded. */
export function formatSelfCheckReport(results: SelfCheckResult[], meta: { date: string }): string {
  const lines = [
    `Self-check on ${meta.date} (no model key: the developer's model is a scripted OpenAI stand-in; the other roles are the offline model). ` +
      "Not a measurement of any model: it proves the pipeline and the judge.",
    "",
    ...TASK_HEAD,
  ];
  for (const r of results) {
    lines.push(taskRow({ ...r.fixed, task: `${r.task} — upstream fix applied` }), taskRow({ ...r.unchanged, task: `${r.task} — nothing changed` }));
  }
  const ok = results.every((r) => r.ok);
  lines.push("", ok ? "Result: **pass** — the applied upstream fix was judged resolved and the untouched repository unresolved." : "Result: **FAIL**");
  for (const r of results) for (const p of r.problems) lines.push(`- ${p}`);
  return lines.join("\n");
}

/** Replaces (or appends) the part of `EVALS.md` between `<!-- eval:<name> -->` and `<!-- /eval:<name> -->`. */
export function writeSection(file: string, name: "model" | "self-check", body: string, fallback: string): void {
  const start = `<!-- eval:${name} -->`;
  const end = `<!-- /eval:${name} -->`;
  const text = existsSync(file) ? readFileSync(file, "utf8") : fallback;
  const block = `${start}\n${body.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next = i >= 0 && j > i ? `${text.slice(0, i)}${block}${text.slice(j + end.length)}` : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
}
