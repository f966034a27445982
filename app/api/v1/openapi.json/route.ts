import { getOpenApiDocument } from "@/lib/api/openapi";

export const dynamic = "force-dynamic";

/**
 * `GET /api/v1/openapi.json` → the OpenAPI 3.1 document of `/api/v1`, generated from the same zod
 * schemas the routes validate with (`lib/api/openapi.ts`). Public; built once per process.
 */
export function GET(): Response {
  return Response.json(getOpenApiDocument(), {
    headers: { "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" },
  });
}
