/**
 * The app as a child process of `npm run soak`: the app's real App Router route handlers (every
 * `app/api/**\/route.ts`, found by `discoverRoutes` as the integration tests do) on a fixed loopback
 * port, so the soak can SIGKILL it and start a new one on the same address while the executor keeps
 * calling `/api/inngest` there. No Next build (routing is the only part of Next it stands in for).
 *
 *   node --import tsx scripts/soak-app.ts        (a signal to this PID reaches the app itself)
 *
 * Environment: `PORT`, `DATABASE_URL`, `DATA_DIR`, `INNGEST_DEV` (the executor's URL), plus any app
 * setting. Applies migrations, then prints `READY {"url","pid"}`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { discoverRoutes } from "../eval/harness/app-server";

const port = Number(process.env.PORT);
const databaseUrl = process.env.DATABASE_URL;
if (!port || !databaseUrl || !process.env.INNGEST_DEV) {
  console.error("soak-app: PORT, DATABASE_URL and INNGEST_DEV are required");
  process.exit(2);
}
const origin = `http://127.0.0.1:${port}`;
Object.assign(process.env, { APP_URL: origin });

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Call = (req: Request, args: { params: Promise<Record<string, string>> }) => Promise<Response>;
const routes = discoverRoutes();

async function toRequest(req: IncomingMessage): Promise<Request> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) for (const item of v) headers.append(k, item);
    else if (v !== undefined) headers.set(k, v);
  }
  const controller = new AbortController();
  req.on("close", () => controller.abort());
  const body = req.method !== "GET" && req.method !== "HEAD" ? Buffer.concat(await req.toArray()) : undefined;
  return new Request(new URL(req.url ?? "/", origin), { method: req.method, headers, body, signal: controller.signal });
}

function send(res: ServerResponse, response: Response): void {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key !== "set-cookie") headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const stream = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
  res.on("close", () => stream.destroy());
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}

const { runMigrations } = await import("../db/migrate");
await runMigrations(databaseUrl);
// The bundled example repository (`<DATA_DIR>/repos/todo-api`), as `npm start` materialises it.
const { ensureExampleRepository } = await import("../lib/workspace");
await ensureExampleRepository(process.env.DATA_DIR ?? "data");
// Load the workflow endpoint and the task routes before answering, so "up" means "can serve".
for (const r of routes) if (/inngest|v1\/tasks/.test(r.pattern.source)) await r.load();

const server = createServer((req, res) => {
  void (async () => {
    try {
      const pathname = new URL(req.url ?? "/", origin).pathname;
      for (const r of routes) {
        const m = r.pattern.exec(pathname);
        if (!m) continue;
        const handler = (await r.load())[(req.method ?? "GET") as Method] as unknown as Call | undefined;
        if (!handler) {
          res.writeHead(405).end();
          return;
        }
        const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1] ?? "")]));
        send(res, await handler(await toRequest(req), { params: Promise.resolve(params) }));
        return;
      }
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "not_found", message: "No route" } }));
    } catch (error) {
      console.error("[soak-app]", error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  })();
});
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, "127.0.0.1", resolve);
});
console.log(`READY ${JSON.stringify({ url: origin, pid: process.pid })}`);
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
