import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { apiOperations, buildOpenApiDocument, errorStatusesOf, getOpenApiDocument } from "@/lib/api/openapi";

// The OpenAPI document of /api/v1 is generated from the routes' own zod schemas; these tests keep
// it from drifting from the route files (every exported method documented, nothing documented
// that no route serves) and check that every input is described.

type Json = Record<string, unknown>;
type OperationJson = {
  operationId: string;
  parameters?: { in: string; name: string; required?: boolean; schema?: unknown }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown; example?: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
  security?: unknown[];
};

const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
const apiV1Dir = path.join(process.cwd(), "app", "api", "v1");

/** `app/api/v1/**\/route.ts` → `[{ path: "/api/v1/tasks/{id}", methods: ["GET"] }]`, read from the source (no import). */
function routeFiles(): { file: string; path: string; methods: string[] }[] {
  return readdirSync(apiV1Dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /(^|\/)route\.ts$/.test(f))
    .map((f) => {
      const source = readFileSync(path.join(apiV1Dir, f), "utf8");
      const methods = new Set<string>();
      for (const m of source.matchAll(/export\s+(?:const|let|var|async\s+function|function)\s+([A-Z]+)\b/g)) methods.add(m[1]);
      for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
        for (const part of m[1].split(",")) {
          const name = part.trim().split(/\s+as\s+/).pop()?.trim();
          if (name) methods.add(name);
        }
      }
      const dir = path.dirname(f) === "." ? "" : `/${path.dirname(f)}`;
      return {
        file: `app/api/v1/${f}`,
        path: `/api/v1${dir}`.replace(/\[(\w+)\]/g, "{$1}"),
        methods: [...methods].filter((m) => (HTTP_METHODS as readonly string[]).includes(m)).sort(),
      };
    });
}

/** The object behind a schema (a `.transform()`ed object is a pipe whose input is the object). */
function objectKeys(schema: z.ZodType): string[] {
  let s = schema as unknown as { _zod: { def: { type: string; in?: unknown; innerType?: unknown; shape?: Record<string, unknown> } } };
  for (;;) {
    const def = s._zod.def;
    if (def.type === "object") return Object.keys(def.shape ?? {});
    if (def.type === "pipe") s = def.in as typeof s;
    else if (def.innerType) s = def.innerType as typeof s;
    else throw new Error(`not an object schema: ${def.type}`);
  }
}

const doc = getOpenApiDocument() as unknown as { openapi: string; paths: Record<string, Record<string, OperationJson>>; components: Json };

function documentedOperations(): { key: string; path: string; method: string; op: OperationJson }[] {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item)
      .filter(([m]) => (HTTP_METHODS as readonly string[]).includes(m.toUpperCase()))
      .map(([m, op]) => ({ key: `${m.toUpperCase()} ${p}`, path: p, method: m, op })),
  );
}

function resolve(ref: string): unknown {
  return ref
    .replace(/^#\//, "")
    .split("/")
    .reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Json)[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined), doc);
}

describe("OpenAPI document of /api/v1", () => {
  it("is OpenAPI 3.1.x with info, both security schemes and paths", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    const components = doc.components as { securitySchemes: Record<string, Json>; schemas: Record<string, unknown> };
    expect(components.securitySchemes.sessionCookie).toMatchObject({ type: "apiKey", in: "cookie", name: "better-auth.session_token" });
    expect(components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    expect(components.schemas.Error).toBeDefined();
    expect(Object.keys(doc.paths).length).toBeGreaterThan(10);
  });

  it("is deterministic and cached", () => {
    expect(getOpenApiDocument()).toBe(getOpenApiDocument());
    expect(JSON.parse(JSON.stringify(buildOpenApiDocument()))).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it("documents every exported HTTP method of every app/api/v1 route file", () => {
    const documented = new Set(documentedOperations().map((o) => o.key));
    const missing = routeFiles().flatMap((r) => r.methods.map((m) => `${m} ${r.path}`).filter((k) => !documented.has(k)).map((k) => `${k} (${r.file})`));
    expect(missing).toEqual([]);
  });

  it("has a route file for every documented operation", () => {
    const served = new Set(routeFiles().flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)));
    const orphans = documentedOperations().map((o) => o.key).filter((k) => !served.has(k));
    expect(orphans).toEqual([]);
  });

  it("lists operations once each, with unique operationIds", () => {
    const keys = apiOperations.map((o) => `${o.method} ${o.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    const ids = documentedOperations().map((o) => o.op.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(apiOperations.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))("%s: documents its inputs and responses", (_key, spec) => {
    const op = doc.paths[spec.path][spec.method];
    const params = op.parameters ?? [];

    // Path parameters: every `{name}` of the template, required.
    const templateParams = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    expect(params.filter((p) => p.in === "path").map((p) => p.name).sort()).toEqual(templateParams.sort());
    for (const p of params.filter((p) => p.in === "path")) {
      expect(p.required).toBe(true);
      expect(p.schema).toBeDefined();
    }
    if (spec.pathParams) expect(objectKeys(spec.pathParams).sort()).toEqual(templateParams.sort());

    // Query and header parameters: every key of the route's schema, each with a schema.
    for (const [where, schema] of [
      ["query", spec.query],
      ["header", spec.headers],
    ] as const) {
      const names = params.filter((p) => p.in === where).map((p) => p.name);
      expect(names.sort()).toEqual(schema ? objectKeys(schema).sort() : []);
      for (const p of params.filter((p) => p.in === where)) expect(p.schema).toBeDefined();
    }

    // Request body: JSON with the route's schema.
    if (spec.body) {
      expect(op.requestBody?.required).toBe(true);
      const media = op.requestBody?.content["application/json"];
      expect(media?.schema).toBeDefined();
      expect(JSON.stringify(media?.schema)).not.toBe("{}");
    } else {
      expect(op.requestBody).toBeUndefined();
    }

    // Responses: the success one, and each error status with the one error schema.
    expect(op.responses[String(spec.success.status)]).toBeDefined();
    const errors = errorStatusesOf(spec);
    if (!spec.public) expect(errors).toEqual(expect.arrayContaining([401, 403, 429]));
    if (spec.pathParams) expect(errors).toContain(404);
    if (spec.body) expect(errors).toEqual(expect.arrayContaining([400, 413, 422]));
    if (spec.query) expect(errors).toContain(422);
    for (const status of errors) {
      const response = op.responses[String(status)];
      expect(response).toBeDefined();
      const resolved = (response.$ref ? resolve(response.$ref) : response) as { content: Record<string, { schema: { $ref?: string } }> };
      expect(resolved.content["application/json"].schema.$ref).toBe("#/components/schemas/Error");
    }
    const statuses = Object.keys(op.responses).map(Number);
    expect(statuses.filter((s) => s >= 400).sort()).toEqual(errors);

    // Security: public operations opt out, the rest inherit cookie-or-bearer.
    if (spec.public) expect(op.security).toEqual([]);
    else expect(op.security).toBeUndefined();
  });

  it("has examples that its own schemas accept", () => {
    for (const spec of apiOperations) {
      if (spec.body) {
        expect(spec.bodyExample).toBeDefined();
        const parsed = spec.body.safeParse(spec.bodyExample);
        expect({ op: `${spec.method} ${spec.path}`, issues: parsed.error?.issues ?? [] }).toEqual({ op: `${spec.method} ${spec.path}`, issues: [] });
      }
      if (spec.query && spec.queryExample) {
        const parsed = spec.query.safeParse(spec.queryExample);
        expect({ op: `${spec.method} ${spec.path}`, issues: parsed.error?.issues ?? [] }).toEqual({ op: `${spec.method} ${spec.path}`, issues: [] });
      }
    }
  });

  it("has no dangling $ref", () => {
    const refs = new Set<string>();
    const walk = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node)) {
          if (k === "$ref" && typeof v === "string") refs.add(v);
          else walk(v);
        }
      }
    };
    walk(doc);
    expect([...refs].filter((r) => resolve(r) === undefined)).toEqual([]);
  });

  it("is served by GET /api/v1/openapi.json without authentication", async () => {
    const { GET } = await import("@/app/api/v1/openapi.json/route");
    const res = GET();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
