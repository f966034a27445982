import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { metrics } from "@/lib/observability/metrics";

/**
 * The Grafana dashboard (`ops/grafana/squadron.json`) may only query series that the app's
 * prom-client registry (`metrics().registry`, the one `GET /api/metrics` renders) really exposes: every
 * metric name in every panel's PromQL `expr` is looked up there (histograms as `_bucket`, `_sum` or
 * `_count`; counters and gauges by their registered name), and every label the query filters or groups
 * by must be one of the metric's labels (or `le` of a bucket, or a scrape target label).
 */

const DASHBOARD = path.join(process.cwd(), "ops", "grafana", "squadron.json");

const targetSchema = z.object({ expr: z.string().min(1), refId: z.string() });
const panelSchema = z.object({
  id: z.number(),
  type: z.string(),
  title: z.string().min(1),
  gridPos: z.object({ h: z.number(), w: z.number(), x: z.number(), y: z.number() }),
  targets: z.array(targetSchema).optional(),
});
const dashboardSchema = z.object({ title: z.string(), uid: z.string(), panels: z.array(panelSchema).min(1) });

/** PromQL functions and aggregation operators a dashboard expression may call. */
const PROMQL_FUNCTIONS = new Set([
  "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
  "rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes",
  "histogram_quantile", "histogram_count", "histogram_sum", "histogram_fraction",
  "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "last_over_time", "quantile_over_time",
  "abs", "ceil", "floor", "round", "clamp", "clamp_min", "clamp_max", "sqrt", "ln", "log2", "log10", "exp",
  "absent", "absent_over_time", "scalar", "vector", "time", "timestamp", "sort", "sort_desc", "label_replace", "label_join",
]);
/** Keywords that look like identifiers but name no series. */
const PROMQL_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless", "inf", "nan"]);
/** Labels Prometheus itself adds to every scraped series. */
const TARGET_LABELS = new Set(["instance", "job"]);

type Registered = { type: string; labels: Set<string> };

function registeredMetrics(): Map<string, Registered> {
  const out = new Map<string, Registered>();
  for (const m of metrics().registry.getMetricsAsArray()) {
    const labels = z.array(z.string()).catch([]).parse(Reflect.get(m, "labelNames"));
    out.set(m.name, { type: String(m.type), labels: new Set(labels) });
  }
  return out;
}

/** The registered metric a series name belongs to: itself, or the histogram whose `_bucket`/`_sum`/`_count` it is. */
function resolveSeries(series: string, registry: Map<string, Registered>): { metric: string; bucket: boolean } | null {
  const exact = registry.get(series);
  if (exact && exact.type !== "histogram") return { metric: series, bucket: false };
  const suffix = /^(.*)_(bucket|sum|count)$/.exec(series);
  if (suffix && registry.get(suffix[1])?.type === "histogram") return { metric: suffix[1], bucket: suffix[2] === "bucket" };
  return null;
}

/**
 * The problems of one PromQL expression: series not in the registry, unknown functions, labels the
 * series do not have. Empty when the expression only uses what the app registers.
 */
function checkExpr(expr: string, registry: Map<string, Registered>): { series: string[]; problems: string[] } {
  const problems: string[] = [];
  // Strings first (label values may hold anything), then Grafana variables ($__rate_interval, ${x}).
  let text = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""').replace(/\$\{[^}]*\}|\$\w+/g, "");
  const selectorLabels = new Map<string, string[]>();
  const groupingLabels: string[] = [];
  // name{matchers} and bare {matchers}: remember which labels filter which series.
  text = text.replace(/([A-Za-z_:][\w:]*)?\s*\{([^}]*)\}/g, (_all, name: string | undefined, matchers: string) => {
    const labels = [...matchers.matchAll(/([A-Za-z_][\w]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]);
    if (!name) problems.push(`selector without a metric name: {${matchers}}`);
    else selectorLabels.set(name, [...(selectorLabels.get(name) ?? []), ...labels]);
    return name ? ` ${name} ` : " ";
  });
  // by (…) / without (…) / on (…) / ignoring (…) / group_left (…): labels, not series.
  text = text.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_all, _kw: string, labels: string) => {
    groupingLabels.push(...labels.split(",").map((l) => l.trim()).filter(Boolean));
    return " ";
  });
  // Range and subquery selectors: [5m], [1h:1m].
  text = text.replace(/\[[^\]]*\]/g, " ");
  const series: string[] = [];
  for (const m of text.matchAll(/(\d+(?:\.\d+)?(?:e[+-]?\d+)?)|([A-Za-z_:][\w:]*)(\s*\()?/gi)) {
    if (m[1]) continue;
    const word = m[2];
    if (m[3]) {
      if (!PROMQL_FUNCTIONS.has(word)) problems.push(`unknown PromQL function ${word}()`);
    } else if (!PROMQL_KEYWORDS.has(word.toLowerCase())) {
      series.push(word);
    }
  }
  if (series.length === 0) problems.push("no metric in the expression");
  const resolved = new Map<string, { metric: string; bucket: boolean }>();
  for (const s of series) {
    const r = resolveSeries(s, registry);
    if (r) resolved.set(s, r);
    else problems.push(`${s} is not registered${registry.has(s) ? " as a series (a histogram needs _bucket, _sum or _count)" : ""}`);
  }
  const allowed = (s: string) => {
    const r = resolved.get(s);
    return r ? new Set([...(registry.get(r.metric)?.labels ?? []), ...(r.bucket ? ["le"] : []), ...TARGET_LABELS]) : null;
  };
  for (const [s, labels] of selectorLabels) {
    const ok = allowed(s);
    for (const l of labels) if (ok && !ok.has(l)) problems.push(`${s} has no label ${l}`);
  }
  const union = new Set([...resolved.keys()].flatMap((s) => [...(allowed(s) ?? [])]));
  for (const l of groupingLabels) if (resolved.size > 0 && !union.has(l)) problems.push(`grouping by ${l}, which none of ${[...resolved.keys()].join(", ")} has`);
  return { series, problems };
}

const registry = registeredMetrics();
const dashboard = dashboardSchema.parse(JSON.parse(readFileSync(DASHBOARD, "utf8")));
const queried = dashboard.panels.filter((p) => p.type !== "row");

test("the registry is the app's (Squadron metrics and prom-client's defaults)", () => {
  expect(registry.get("squadron_model_calls_total")?.type).toBe("counter");
  expect(registry.get("squadron_workflow_step_duration_seconds")?.type).toBe("histogram");
  expect(registry.has("process_cpu_seconds_total")).toBe(true);
});

test("the checker refuses unknown metrics, bare histogram names, unknown labels and functions", () => {
  const bad = (expr: string) => checkExpr(expr, registry).problems;
  expect(bad("sum(rate(squadron_model_calls_total[5m]))")).toEqual([]);
  expect(bad('histogram_quantile(0.95, sum by (le, step_kind) (rate(squadron_workflow_step_duration_seconds_bucket{result="ok"}[$__rate_interval])))')).toEqual([]);
  expect(bad("sum(rate(squadron_task_runs_total[5m]))")).toEqual(["squadron_task_runs_total is not registered"]);
  expect(bad("sum(rate(squadron_model_calls[5m]))")).toHaveLength(1);
  expect(bad("rate(squadron_workflow_step_duration_seconds[5m])")[0]).toMatch(/needs _bucket, _sum or _count/);
  expect(bad("rate(squadron_model_calls_total_count[5m])")).toHaveLength(1);
  expect(bad('sum(rate(squadron_model_calls_total{vendor="openai"}[5m]))')).toEqual(["squadron_model_calls_total has no label vendor"]);
  expect(bad("sum by (vendor) (rate(squadron_model_calls_total[5m]))")[0]).toMatch(/grouping by vendor/);
  expect(bad("rat(squadron_model_calls_total[5m])")).toEqual(["unknown PromQL function rat()"]);
  expect(bad("sum(vector(1))")).toEqual(["no metric in the expression"]);
});

test("every panel has a unique id, fits the 24-column grid and (rows aside) queries something", () => {
  const ids = dashboard.panels.map((p) => p.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
  expect(queried.length).toBeGreaterThanOrEqual(10);
  expect(queried.filter((p) => (p.targets ?? []).length === 0).map((p) => p.title)).toEqual([]);
});

test.each(queried.flatMap((p) => (p.targets ?? []).map((t) => [`${p.title} [${t.refId}]`, t.expr] as const)))(
  "panel %s uses only registered metrics and their labels",
  (_title, expr) => {
    expect(checkExpr(expr, registry).problems).toEqual([]);
  },
);

test("every Squadron metric the app registers is plotted on some panel", () => {
  const used = new Set(
    queried.flatMap((p) => (p.targets ?? []).flatMap((t) => checkExpr(t.expr, registry).series.map((s) => resolveSeries(s, registry)?.metric ?? s))),
  );
  const squadron = [...registry.keys()].filter((n) => n.startsWith("squadron_"));
  expect(squadron.length).toBeGreaterThan(10);
  expect(squadron.filter((n) => !used.has(n))).toEqual([]);
});
