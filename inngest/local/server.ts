/**
 * The executor's HTTP API: what an Inngest v4 SDK in dev mode calls (`POST /fn/register`,
 * `POST /e/:key`, and `GET /v0/runs/:id/{actions,batch}` when `use_api` is set), plus health and
 * run visibility for humans and the app's `/api/health`.
 *
 * | method | path               | answer |
 * |--------|--------------------|--------|
 * | GET    | /                  | HTML run list (`?status=&function=&limit=&refresh=<s>`); JSON endpoint list unless `Accept` has text/html |
 * | GET    | /health            | `{ ok, functions, runs: { queued, running, waiting, completed, failed, cancelled }, sync }` |
 * | GET    | /runs              | `{ runs: RunView[] }` — `?limit=&status=&function=&event=`; HTML list for browsers |
 * | GET    | /runs/:id          | `RunView` plus `stack` and `pending` work, 404 when unknown; HTML page for browsers |
 * | GET    | /crons             | `{ crons: CronView[] }` — next tick, last tick and run of every cron trigger |
 * | GET    | /events            | `{ events: [...] }` — `?limit=` |
 * | GET    | /functions         | `{ functions: [...] }` |
 * | POST   | /sync              | syncs the app now (PUT appUrl); `{ ok }` or 502 `{ ok: false, error }` |
 * | POST   | /fn/register       | SDK sync; `{ ok, modified }` or 400 `{ status: 400, error }` listing unsupported options;
 * |        |                    | with a signing key, 401 unless `Authorization: Bearer <hashed signing key>` |
 * | POST   | /e/:key            | one event or an array; `{ ids, status: 200 }` |
 */
import http from "node:http";
import { toFunctionRecord, type FunctionRecord } from "./functions";
import { renderRunDetail, renderRunList } from "./html";
import { bearerMatches } from "./signing";
import { RUN_STATUSES, type RunStatus, type Store } from "./store";
import { incomingEventsSchema, registerBodySchema, type Json } from "./wire";

export type SyncState = { state: "pending" | "ok" | "failed" | "disabled"; at: string | null; error: string | null };

export type ServerDeps = {
  store: Store;
  log: (msg: string) => void;
  /** Called after events or a sync changed what is due. */
  kick: () => void;
  /** Called after every accepted register, so `sync()` can tell the app reached this executor. */
  onRegistered: () => void;
  sync: () => Promise<void>;
  syncState: () => SyncState;
  /** When non-empty, the SDK's calls to this server must carry `Bearer <hashed key>` of one of them. */
  signingKeys: string[];
};

const MAX_BODY_BYTES = 16 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    "x-content-type-options": "nosniff",
  });
  res.end(html);
}

/** True when the client asked for JSON and not HTML (`GET /` answers HTML to anything else, curl included). */
function jsonOnly(req: http.IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

/** True when the client asked for HTML (a browser) rather than JSON. */
function wantsHtml(req: http.IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  return accept.includes("text/html");
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: http.IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
}

function intParam(value: string | null): number | undefined {
  if (value === null) return undefined;
  const n = Number(value);
  return Number.isInteger(n) ? n : undefined;
}

/** Creates (but does not start) the executor's HTTP server. */
export function createExecutorServer(deps: ServerDeps): http.Server {
  const { store, log } = deps;

  /** With signing keys set, the SDK must authenticate like it does with Inngest Cloud. */
  function authorized(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (deps.signingKeys.length === 0) return true;
    if (bearerMatches(req.headers.authorization, deps.signingKeys)) return true;
    log(`${req.method} ${req.url}: rejected, no valid Authorization: Bearer <hashed signing key>`);
    send(res, 401, {
      status: 401,
      error:
        "the local Inngest executor requires the app's signing key: its Inngest SDK must run in cloud mode " +
        "(INNGEST_DEV=0) with the same INNGEST_SIGNING_KEY",
    });
    return false;
  }

  async function register(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!authorized(req, res)) return;
    const parsed = registerBodySchema.safeParse(await readJson(req));
    if (!parsed.success) {
      send(res, 400, { status: 400, modified: false, error: `invalid register body: ${parsed.error.message}` });
      return;
    }
    const body = parsed.data;
    const records: FunctionRecord[] = [];
    const problems: string[] = [];
    for (const raw of body.functions) {
      const result = toFunctionRecord(body.appName, raw);
      if (result.ok) records.push(result.fn);
      else problems.push(...result.errors);
    }
    if (problems.length > 0) {
      const error =
        `The local Inngest executor cannot run app "${body.appName}" (nothing was synced):\n- ` +
        problems.join("\n- ") +
        `\nRemove these options, or run the app against Inngest Cloud or the Inngest dev server.`;
      log(error);
      send(res, 400, { status: 400, modified: false, error });
      return;
    }
    const modified = await store.syncApp(
      { id: body.appName, url: body.url, framework: body.framework, sdk: body.sdk },
      records,
    );
    deps.onRegistered();
    log(`synced app "${body.appName}" from ${body.url}: ${records.length} function(s)${modified ? "" : " (unchanged)"}`);
    send(res, 200, { ok: true, modified });
    deps.kick();
  }

  async function events(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const parsed = incomingEventsSchema.safeParse(await readJson(req));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      send(res, 400, { status: 400, error: `invalid event payload: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "unparseable"}` });
      return;
    }
    const list = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    const seedHeader = req.headers["x-inngest-event-id-seed"];
    const seed = typeof seedHeader === "string" ? seedHeader : undefined;
    const ids = await store.ingestEvents(list, seed);
    send(res, 200, { ids, status: 200 });
    deps.kick();
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";

    if (method === "POST" && path === "/fn/register") return register(req, res);
    if (method === "POST" && (path === "/e" || path.startsWith("/e/"))) return events(req, res);

    if (method === "GET" && path === "/health") {
      try {
        const [functions, runs] = await Promise.all([store.countFunctions(), store.runCounts()]);
        send(res, 200, { ok: true, functions, runs, sync: deps.syncState() });
      } catch (err) {
        send(res, 503, { ok: false, error: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    if (method === "GET" && ((path === "/" && !jsonOnly(req)) || (path === "/runs" && wantsHtml(req)))) {
      const status = url.searchParams.get("status") || undefined;
      const functionId = url.searchParams.get("function") || undefined;
      const limit = Math.min(Math.max(intParam(url.searchParams.get("limit")) ?? 100, 1), 500);
      const refresh = intParam(url.searchParams.get("refresh"));
      const [runs, counts, functions, crons] = await Promise.all([
        store.listRuns({ limit, status: RUN_STATUSES.includes(status as RunStatus) ? status : undefined, functionId }),
        store.runCounts(),
        store.listFunctions(),
        store.listCrons(),
      ]);
      sendHtml(
        res,
        200,
        renderRunList({
          runs,
          counts,
          functions: functions.map((f) => ({ id: f.id, name: f.name })),
          crons,
          sync: deps.syncState(),
          filter: { status, functionId, limit },
          refreshSeconds: refresh && refresh > 0 ? refresh : undefined,
        }),
      );
      return;
    }
    if (method === "GET" && path === "/runs") {
      const runs = await store.listRuns({
        limit: intParam(url.searchParams.get("limit")),
        status: url.searchParams.get("status") ?? undefined,
        functionId: url.searchParams.get("function") ?? undefined,
        eventName: url.searchParams.get("event") ?? undefined,
      });
      send(res, 200, { runs });
      return;
    }
    const runMatch = /^\/runs\/([^/]+)$/.exec(path);
    if (method === "GET" && runMatch?.[1]) {
      const run = await store.getRun(decodeURIComponent(runMatch[1]));
      if (wantsHtml(req)) {
        if (run) sendHtml(res, 200, renderRunDetail(run));
        else sendHtml(res, 404, `<!doctype html><title>Not found</title><p>Run not found. <a href="/">All runs</a></p>`);
      } else if (!run) send(res, 404, { error: "run not found" });
      else send(res, 200, run);
      return;
    }
    if (method === "GET" && path === "/crons") {
      send(res, 200, { crons: await store.listCrons() });
      return;
    }
    if (method === "GET" && path === "/events") {
      send(res, 200, { events: await store.listEvents(intParam(url.searchParams.get("limit"))) });
      return;
    }
    if (method === "GET" && path === "/functions") {
      send(res, 200, { functions: await store.listFunctions() });
      return;
    }
    if (method === "POST" && path === "/sync") {
      try {
        await deps.sync();
        send(res, 200, { ok: true });
      } catch (err) {
        send(res, 502, { ok: false, error: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    // Only used by the SDK when the executor sets ctx.use_api (this one never does).
    const apiMatch = /^\/v0\/runs\/([^/]+)\/(actions|batch)$/.exec(path);
    if (method === "GET" && apiMatch?.[1]) {
      if (!authorized(req, res)) return;
      const id = decodeURIComponent(apiMatch[1]);
      const data = apiMatch[2] === "actions" ? await store.runActions(id) : await store.runBatch(id);
      if (data === null) send(res, 404, { error: "run not found", status: 404 });
      else send(res, 200, data);
      return;
    }
    if (method === "GET" && path === "/") {
      send(res, 200, {
        name: "inngest/local",
        endpoints: ["GET / (HTML)", "GET /health", "GET /runs", "GET /runs/:id", "GET /crons", "GET /events", "GET /functions", "POST /sync", "POST /fn/register", "POST /e/:key"],
      });
      return;
    }
    log(`unsupported request ${method} ${path}`);
    send(res, 404, {
      status: 404,
      error: `${method} ${path} is not implemented by the local Inngest executor (inngest/local)`,
    });
  }

  return http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (status >= 500) log(`${req.method} ${req.url}: ${message}`);
      if (!res.headersSent) send(res, status, { status, error: message });
      else res.end();
    });
  });
}
