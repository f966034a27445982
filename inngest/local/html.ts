/**
 * Server-rendered HTML views of the executor's state, for a developer asking "why is this run stuck?":
 * a run list (`GET /`) and a run page (`GET /runs/:id` with `Accept: text/html`), in the spirit of the
 * Inngest dev server's run view. Plain HTML and CSS, no scripts; every value is escaped.
 */
import type { SyncState } from "./server";
import type { CronView, RunStatus, RunView } from "./store";

export type RunDetail = RunView & {
  stack: string[];
  pending: { kind: string; step: string; attempt: number; due_at: string; leased: boolean }[];
};

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const STATUS_COLORS: Record<string, string> = {
  queued: "#6b7280",
  running: "#2563eb",
  waiting: "#b45309",
  completed: "#15803d",
  failed: "#b91c1c",
  cancelled: "#6b21a8",
  planned: "#2563eb",
  retrying: "#c2410c",
  sleeping: "#b45309",
  invoking: "#b45309",
};

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#111827;background:#f9fafb}
header{background:#111827;color:#f9fafb;padding:10px 20px;display:flex;gap:16px;align-items:baseline;flex-wrap:wrap}
header a{color:#f9fafb}
main{padding:16px 20px;max-width:1400px}
h1{font-size:18px;margin:0}h2{font-size:15px;margin:22px 0 8px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #e5e7eb}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{background:#f3f4f6;font-weight:600;font-size:12px;text-transform:uppercase;color:#374151}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
.muted{color:#6b7280}.err{color:#b91c1c}.mono,code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px}
pre{background:#f3f4f6;padding:8px;margin:4px 0;white-space:pre-wrap;word-break:break-word;max-height:320px;overflow:auto}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;border:1px solid #e5e7eb;padding:10px}
dt{color:#6b7280}dd{margin:0}
nav.filters{display:flex;gap:8px;flex-wrap:wrap;margin:8px 0}
nav.filters a{padding:2px 10px;border:1px solid #d1d5db;border-radius:12px;text-decoration:none;color:#111827;background:#fff}
nav.filters a.on{background:#111827;color:#fff}
.why{background:#fffbeb;border:1px solid #fcd34d;padding:8px 10px;margin:8px 0}
`;

function badge(status: string): string {
  const color = STATUS_COLORS[status] ?? "#374151";
  return `<span class="badge" style="background:${color}">${escapeHtml(status)}</span>`;
}

function time(iso: string | null): string {
  if (!iso) return `<span class="muted">—</span>`;
  return `<time datetime="${escapeHtml(iso)}" title="${escapeHtml(iso)}">${escapeHtml(iso.replace("T", " ").replace(/\.\d+Z$/, "Z"))}</time>`;
}

function duration(ms: number | null): string {
  if (ms === null) return `<span class="muted">—</span>`;
  return plainDuration(ms);
}

function plainDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

function json(value: unknown, max = 4000): string {
  let text: string;
  try {
    text = JSON.stringify(value, null, 2) ?? "null";
  } catch {
    text = String(value);
  }
  if (text.length > max) text = `${text.slice(0, max)}\n… (${text.length - max} more characters)`;
  return `<pre>${escapeHtml(text)}</pre>`;
}

function errorText(error: unknown): string {
  if (!error || typeof error !== "object") return "";
  const e = error as { name?: unknown; message?: unknown };
  return `${typeof e.name === "string" ? e.name : "Error"}: ${typeof e.message === "string" ? e.message : JSON.stringify(error)}`;
}

function page(title: string, body: string, refreshSeconds?: number): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
${refreshSeconds ? `<meta http-equiv="refresh" content="${Math.max(1, Math.floor(refreshSeconds))}">` : ""}
<title>${escapeHtml(title)} · inngest/local</title><style>${CSS}</style></head>
<body><header><h1><a href="/">inngest/local</a></h1><span>${escapeHtml(title)}</span></header><main>${body}</main></body></html>`;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const text = q.toString();
  return text ? `/?${text}` : "/";
}

/** The run list: counts, filters, recent runs, cron schedules. */
export function renderRunList(input: {
  runs: RunView[];
  counts: Record<RunStatus, number>;
  functions: { id: string; name: string }[];
  crons: CronView[];
  sync: SyncState;
  filter: { status?: string; functionId?: string; limit: number };
  refreshSeconds?: number;
}): string {
  const { runs, counts, functions, crons, sync, filter } = input;
  const statusLinks = [
    `<a href="${escapeHtml(query({ function: filter.functionId }))}" class="${filter.status ? "" : "on"}">all</a>`,
    ...Object.entries(counts).map(
      ([status, n]) =>
        `<a href="${escapeHtml(query({ status, function: filter.functionId }))}" class="${filter.status === status ? "on" : ""}">${escapeHtml(status)} (${n})</a>`,
    ),
  ].join("");
  const fnLinks = [
    `<a href="${escapeHtml(query({ status: filter.status }))}" class="${filter.functionId ? "" : "on"}">all functions</a>`,
    ...functions.map(
      (f) =>
        `<a href="${escapeHtml(query({ status: filter.status, function: f.id }))}" class="${filter.functionId === f.id ? "on" : ""}">${escapeHtml(f.id)}</a>`,
    ),
  ].join("");
  const rows = runs
    .map((r) => {
      const done = r.steps.filter((s) => s.status === "completed").length;
      const current = r.steps.filter((s) => !["completed", "failed", "cancelled"].includes(s.status));
      return `<tr>
<td class="mono"><a href="/runs/${encodeURIComponent(r.id)}">${escapeHtml(r.id)}</a></td>
<td>${escapeHtml(r.function_id)}</td>
<td>${badge(r.status)}</td>
<td class="mono">${escapeHtml(r.event_name)}</td>
<td>${time(r.created_at)}</td>
<td>${r.ended_at ? duration(r.duration_ms) : r.started_at ? `${duration(Date.now() - Date.parse(r.started_at))} so far` : `<span class="muted">not started</span>`}</td>
<td>${done}/${r.steps.length}${current.length > 0 ? `<br><span class="muted">${current.map((s) => `${escapeHtml(s.name ?? s.id.slice(0, 8))} (${escapeHtml(s.status)})`).join(", ")}</span>` : ""}</td>
<td class="err">${escapeHtml(errorText(r.error).slice(0, 240))}</td>
</tr>`;
    })
    .join("\n");
  const cronRows = crons
    .map(
      (c) => `<tr><td>${escapeHtml(c.function_id)}</td><td class="mono">${escapeHtml(c.cron)}</td><td>${time(c.next_at)}</td>
<td>${time(c.last_tick_at)}</td><td>${c.last_run_id ? `<a class="mono" href="/runs/${encodeURIComponent(c.last_run_id)}">${escapeHtml(c.last_run_id)}</a>` : `<span class="muted">—</span>`}</td><td>${c.skipped}</td></tr>`,
    )
    .join("\n");
  const syncLine =
    sync.state === "failed"
      ? `<div class="why err">Sync failed ${time(sync.at)}: ${escapeHtml(sync.error)}</div>`
      : `<p class="muted">Sync: ${escapeHtml(sync.state)} ${sync.at ? time(sync.at) : ""} · ${functions.length} function(s) · newest ${filter.limit} runs · <a href="${escapeHtml(query({ status: filter.status, function: filter.functionId }))}${filter.status || filter.functionId ? "&" : "?"}refresh=2">auto-refresh</a></p>`;
  return page(
    "Runs",
    `${syncLine}
<nav class="filters">${statusLinks}</nav>
<nav class="filters">${fnLinks}</nav>
<table><thead><tr><th>Run</th><th>Function</th><th>Status</th><th>Trigger</th><th>Created (UTC)</th><th>Duration</th><th>Steps done</th><th>Error</th></tr></thead>
<tbody>${rows || `<tr><td colspan="8" class="muted">No runs.</td></tr>`}</tbody></table>
${crons.length > 0 ? `<h2>Cron schedules</h2><table><thead><tr><th>Function</th><th>Cron</th><th>Next tick (UTC)</th><th>Last tick</th><th>Last run</th><th>Ticks skipped</th></tr></thead><tbody>${cronRows}</tbody></table>` : ""}`,
    input.refreshSeconds,
  );
}

/** Plain-language reasons a run is not moving, from its pending work and steps. */
function whyWaiting(run: RunDetail, nowMs: number): string[] {
  if (!["queued", "running", "waiting"].includes(run.status)) return [];
  const out: string[] = [];
  const stepName = (hash: string) => {
    const step = run.steps.find((s) => s.id === hash);
    return step?.name ?? hash.slice(0, 12);
  };
  for (const p of run.pending) {
    const due = Date.parse(p.due_at);
    const when = due > nowMs ? `at ${p.due_at} (in ${plainDuration(due - nowMs)})` : `since ${p.due_at}`;
    if (p.kind === "sleep") out.push(`Sleeping in step "${stepName(p.step)}" until ${p.due_at}.`);
    else if (p.kind === "wait") {
      const step = run.steps.find((s) => s.id === p.step);
      const opts = (step?.opts ?? {}) as { if?: unknown };
      out.push(
        `Waiting in step "${stepName(p.step)}" for event "${step?.op_name ?? "?"}"` +
          (typeof opts.if === "string" ? ` matching ${opts.if}` : "") +
          ` until ${p.due_at}; then it resumes with null.`,
      );
    } else if (p.kind === "invoke") out.push(`Waiting for the run invoked by step "${stepName(p.step)}" (gives up at ${p.due_at}).`);
    else if (p.kind === "timeout") out.push(`Will be cancelled by timeouts.${p.step} ${when} unless it ends first.`);
    else if (p.leased) out.push(`Calling the app now (${p.kind === "step" ? `step "${stepName(p.step)}"` : "discovery"}, attempt ${p.attempt + 1}).`);
    else if (due > nowMs) out.push(`Retrying ${p.kind === "step" ? `step "${stepName(p.step)}"` : "the function"} ${when} (attempt ${p.attempt + 1}).`);
    else out.push(`Due ${when} but not picked up: held back by a concurrency limit, or no executor is running.`);
  }
  if (run.pending.length === 0 && run.steps.some((s) => s.status === "invoking")) {
    out.push("Waiting for an invoked run to finish.");
  }
  if (out.length === 0) out.push("No pending work: the run is between a step result and its next call.");
  return out;
}

/** One run: summary, why it waits, steps with results and errors, pending work, trigger event. */
export function renderRunDetail(run: RunDetail, nowMs: number = Date.now()): string {
  const steps = run.steps
    .map((s) => {
      const res = s.result as { data?: unknown; error?: unknown } | null;
      return `<tr>
<td>${escapeHtml(s.name ?? "")}<div class="muted mono">${escapeHtml(s.id.slice(0, 16))}</div></td>
<td class="mono">${escapeHtml(s.op)}</td>
<td>${badge(s.status)}</td>
<td>${s.attempts}</td>
<td>${time(s.created_at)}</td>
<td>${time(s.ended_at)}</td>
<td>${s.ended_at ? duration(Date.parse(s.ended_at) - Date.parse(s.created_at)) : ""}</td>
<td>${res ? ("error" in res && res.error ? `<div class="err">${escapeHtml(errorText(res.error))}</div>` : json(res.data, 1500)) : ""}
${s.last_error && !(res && "error" in res) ? `<div class="err">last error: ${escapeHtml(errorText(s.last_error))}</div>` : ""}</td>
</tr>`;
    })
    .join("\n");
  const pending = run.pending
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.kind)}</td><td class="mono">${escapeHtml(p.step ? (run.steps.find((s) => s.id === p.step)?.name ?? p.step) : "")}</td><td>${p.attempt}</td><td>${time(p.due_at)}</td><td>${p.leased ? "yes" : "no"}</td></tr>`,
    )
    .join("\n");
  const why = whyWaiting(run, nowMs);
  return page(
    `Run ${run.id}`,
    `<dl>
<dt>Run</dt><dd class="mono">${escapeHtml(run.id)}</dd>
<dt>Function</dt><dd><a href="${escapeHtml(query({ function: run.function_id }))}">${escapeHtml(run.function_id)}</a></dd>
<dt>Status</dt><dd>${badge(run.status)}</dd>
<dt>Trigger</dt><dd class="mono">${escapeHtml(run.event_name)}</dd>
<dt>Created</dt><dd>${time(run.created_at)}</dd>
<dt>Started</dt><dd>${time(run.started_at)}</dd>
<dt>Ended</dt><dd>${time(run.ended_at)}</dd>
<dt>Duration</dt><dd>${run.ended_at ? duration(run.duration_ms) : run.started_at ? `${duration(nowMs - Date.parse(run.started_at))} so far` : "—"}</dd>
${run.parent_run_id ? `<dt>Invoked by</dt><dd><a class="mono" href="/runs/${encodeURIComponent(run.parent_run_id)}">${escapeHtml(run.parent_run_id)}</a></dd>` : ""}
${run.error ? `<dt>Error</dt><dd class="err">${escapeHtml(errorText(run.error))}</dd>` : ""}
</dl>
${why.length > 0 ? `<div class="why"><strong>Why it is not done yet</strong><ul>${why.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul></div>` : ""}
<h2>Steps (${run.steps.length})</h2>
<table><thead><tr><th>Step</th><th>Op</th><th>Status</th><th>Retries</th><th>Planned</th><th>Ended</th><th>Took</th><th>Result / error</th></tr></thead>
<tbody>${steps || `<tr><td colspan="8" class="muted">No steps yet.</td></tr>`}</tbody></table>
${run.pending.length > 0 ? `<h2>Pending work</h2><table><thead><tr><th>Kind</th><th>Step</th><th>Attempt</th><th>Due</th><th>In flight</th></tr></thead><tbody>${pending}</tbody></table>` : ""}
${run.status === "completed" ? `<h2>Output</h2>${json(run.output)}` : ""}
${run.error ? `<h2>Error</h2>${json(run.error)}` : ""}
<h2>Trigger event</h2>${json(run.event)}`,
    ["queued", "running", "waiting"].includes(run.status) ? 3 : undefined,
  );
}
