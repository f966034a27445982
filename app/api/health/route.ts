import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

/** `GET /api/health` → 200 with the state of the database and the executor; 503 when the database is down. */
export async function GET(): Promise<Response> {
  const health = await checkHealth();
  return Response.json(health, { status: health.database.ok ? 200 : 503 });
}
