import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { metricsResponse } from "@/lib/observability/http";

export const dynamic = "force-dynamic";

/**
 * `GET /api/metrics`: Prometheus metrics (text exposition format). Requires
 * `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise); 404 while `METRICS_TOKEN` is unset.
 */
export async function GET(req: Request): Promise<Response> {
  return metricsResponse(req, { token: env.METRICS_TOKEN, db: getDb });
}
