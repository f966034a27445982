/** HTTP load with autocannon on loopback, with exact percentiles from every response time. */
import autocannon from "autocannon";
import { rounded, summarize, type Summary } from "./stats";

export type LoadResult = {
  connections: number;
  /** Offered load in requests/s when paced (open loop); null = as fast as the connections go (closed loop). */
  rate: number | null;
  durationS: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: Summary;
  statusCounts: Record<string, number>;
  /** Connection errors (timeouts included), plus responses whose status was not the expected one. */
  errors: number;
};

export type LoadSpec = {
  url: string;
  connections: number;
  durationS: number;
  /** Pace all connections together at this many requests/s. */
  rate?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Builds each request (body/headers per request). */
  next?: () => { body: string; headers: Record<string, string> };
  onResponse?: (status: number, body: string) => void;
  /** Statuses that count as success. */
  expect: number[];
};

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const u = new URL(spec.url);
  const times: number[] = [];
  const request: autocannon.Request = {
    method: spec.method ?? "GET",
    path: `${u.pathname}${u.search}`,
    headers: spec.headers,
    body: spec.body,
  };
  if (spec.next) {
    const next = spec.next;
    request.setupRequest = (req) => {
      const r = next();
      return { ...req, body: r.body, headers: { ...req.headers, ...r.headers } };
    };
  }
  if (spec.onResponse) {
    const on = spec.onResponse;
    request.onResponse = (status, body) => on(status, body);
  }
  const instance = autocannon({
    url: u.origin,
    connections: spec.connections,
    duration: spec.durationS,
    timeout: 10,
    requests: [request],
    ...(spec.rate ? { overallRate: spec.rate } : {}),
  });
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    times.push(responseTime);
  });
  const result = await instance;
  const statusCounts: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statusCounts[code] = Number(v.count);
  const unexpected = Object.entries(statusCounts)
    .filter(([code]) => !spec.expect.includes(Number(code)))
    .reduce((s, [, n]) => s + n, 0);
  return {
    connections: spec.connections,
    rate: spec.rate ?? null,
    durationS: result.duration,
    requests: times.length,
    requestsPerSecond: times.length / result.duration,
    latencyMs: rounded(summarize(times)),
    statusCounts,
    errors: result.errors + unexpected, // autocannon counts timeouts among errors
  };
}
