import { randomUUID, timingSafeEqual, createHash } from "node:crypto";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { z } from "zod";
import type { Database } from "@/db/client";
import { withObservabilityContext } from "./context";
import { componentLogger } from "./logger";
import { recordHttpRequest, recordWebhookDelivery, refreshDatabaseGauges, renderMetrics, routeLabel } from "./metrics";
import { withSpan } from "./tracing";

const log = componentLogger("http");

/** What a webhook route answered in its 2xx body: `{ outcome }` (GitHub, Jira) or `{ duplicate }` (Stripe). */
const webhookBodySchema = z.object({ outcome: z.string().max(40).optional(), duplicate: z.boolean().optional() });

async function webhookOutcome(response: Response): Promise<string | null> {
  if (response.status >= 300 || !response.headers.get("content-type")?.includes("json")) return null;
  const body = webhookBodySchema.safeParse(await response.clone().json().catch(() => null));
  if (!body.success) return null;
  return body.data.outcome ?? (body.data.duplicate ? "duplicate" : null);
}

/** A client-sent `X-Request-Id` is kept when it is this shape (ids of proxies and load balancers). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Serves one HTTP request observably: a request id (the client's `X-Request-Id` when well-formed,
 * else a new UUID) on every log line and span inside `handle`, a server span `<METHOD> <route>` with
 * the HTTP semantic-convention attributes, `squadron_http_requests_total` /
 * `…_request_duration_seconds`, an access-log line, `X-Request-Id` on the response, and, for
 * `opts.webhookSource`, `squadron_webhook_deliveries_total{source, result}` by the response status.
 */
export function observeRequest(req: Request, opts: { webhookSource?: string }, handle: () => Promise<Response>): Promise<Response> {
  const sent = req.headers.get("x-request-id");
  const requestId = sent && REQUEST_ID.test(sent) ? sent : randomUUID();
  const url = new URL(req.url);
  const route = routeLabel(url.pathname);
  const started = performance.now();
  return withObservabilityContext({ requestId }, () =>
    withSpan(
      `${req.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": req.method, "url.path": url.pathname, "http.route": route } },
      async (span) => {
        const response = await handle();
        const durationMs = performance.now() - started;
        span.setAttribute("http.response.status_code", response.status);
        if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        recordHttpRequest(req.method, url.pathname, response.status, durationMs);
        if (opts.webhookSource) recordWebhookDelivery(opts.webhookSource, response.status, await webhookOutcome(response));
        try {
          response.headers.set("X-Request-Id", requestId);
        } catch {
          // Immutable headers (a redirect): the id stays in logs and traces.
        }
        log[response.status >= 500 ? "error" : "info"](
          { method: req.method, route, status: response.status, durationMs: Math.round(durationMs) },
          "request",
        );
        return response;
      },
    ),
  );
}

function sameToken(given: string, expected: string): boolean {
  // Hash both so the comparison is constant-time whatever the lengths.
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * `GET /api/metrics`: the Prometheus exposition of this process, after the database gauges are read.
 * 404 when `token` (`METRICS_TOKEN`) is unset (the endpoint is off); 401 with
 * `WWW-Authenticate: Bearer` unless the request sends `Authorization: Bearer <token>`.
 */
export async function metricsResponse(req: Request, opts: { token: string | undefined; db: () => Database }): Promise<Response> {
  if (!opts.token) {
    return Response.json({ error: { code: "not_found", message: "Metrics are off: set METRICS_TOKEN to enable /api/metrics." } }, { status: 404 });
  }
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match || !sameToken(match[1], opts.token)) {
    return Response.json(
      { error: { code: "unauthorized", message: "Send Authorization: Bearer <METRICS_TOKEN>." } },
      { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } },
    );
  }
  await refreshDatabaseGauges(opts.db());
  const { body, contentType } = await renderMetrics();
  return new Response(body, { status: 200, headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
}
