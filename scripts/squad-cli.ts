// `npm run squad -- <command>`: drive a running Squadron over its REST API.
//   run "<task title>" [--description "..."] [--follow]   create a task (and print its live progress)
//   follow <task id>                                       print a task's live progress
//   list                                                   the organization's tasks, newest first
// Auth: SQUADRON_EMAIL / SQUADRON_PASSWORD, or the demo credentials `npm start` wrote to DATA_DIR.
// Server: SQUADRON_URL (default http://localhost:3000).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { createParser } from "eventsource-parser";
import { z } from "zod";

const baseUrl = (process.env.SQUADRON_URL || `http://localhost:${process.env.PORT || 3000}`).replace(/\/$/, "");
const TERMINAL = new Set(["completed", "failed", "cancelled"]);

const taskSchema = z.object({ id: z.string(), title: z.string(), status: z.string(), source: z.string() });
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const eventSchema = z.object({
  id: z.number(),
  type: z.string(),
  actor: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

function fail(message: string): never {
  console.error(`squad: ${message}`);
  process.exit(2);
}

function credentials(): { email: string; password: string } {
  if (process.env.SQUADRON_EMAIL && process.env.SQUADRON_PASSWORD) {
    return { email: process.env.SQUADRON_EMAIL, password: process.env.SQUADRON_PASSWORD };
  }
  const file = path.resolve(process.env.DATA_DIR || ".data", "demo-credentials.json");
  if (!existsSync(file)) fail(`set SQUADRON_EMAIL and SQUADRON_PASSWORD (no demo credentials at ${file}; run \`npm start\` first)`);
  return z.object({ email: z.string(), password: z.string() }).parse(JSON.parse(readFileSync(file, "utf8")));
}

async function signIn(): Promise<string> {
  const creds = credentials();
  const res = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify(creds),
  }).catch((e: unknown) => fail(`cannot reach ${baseUrl}: ${e instanceof Error ? e.message : String(e)}`));
  if (!res.ok) fail(`sign-in as ${creds.email} failed (${res.status}): ${await res.text()}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

async function api(cookie: string, pathname: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(`${baseUrl}${pathname}`, {
    ...init,
    headers: { cookie, "content-type": "application/json", "x-squadron-client": "cli", ...init.headers },
  });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const parsed = errorSchema.safeParse(body);
    fail(parsed.success ? `${parsed.data.error.code}: ${parsed.data.error.message}` : `HTTP ${res.status}`);
  }
  return body;
}

function formatEvent(e: z.infer<typeof eventSchema>): string {
  const time = new Date(e.createdAt).toLocaleTimeString();
  const offline = e.data.offline === true ? " (offline model)" : "";
  const status = typeof e.data.status === "string" ? ` [${e.data.status}]` : "";
  return `${time}  ${e.actor.padEnd(15)} ${e.message}${status}${offline}`;
}

/** Streams a task's events until it reaches a terminal status. Returns that status. */
async function follow(cookie: string, taskId: string): Promise<string> {
  let lastEventId: string | undefined;
  for (;;) {
    const res = await fetch(`${baseUrl}/api/v1/tasks/${taskId}/events`, {
      headers: { cookie, accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) },
    });
    if (!res.ok || !res.body) fail(`cannot follow task ${taskId}: HTTP ${res.status}`);
    let final: string | null = null;
    const parser = createParser({
      onEvent: (m) => {
        lastEventId = m.id;
        const parsed = eventSchema.safeParse(JSON.parse(m.data));
        if (!parsed.success) return;
        console.log(formatEvent(parsed.data));
        const status = parsed.data.data.status;
        if (parsed.data.type === "status" && typeof status === "string" && TERMINAL.has(status)) final = status;
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (final) return final;
      }
    } catch {
      // connection dropped: reconnect from the last event id
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { follow: { type: "boolean", short: "f" }, description: { type: "string", short: "d" } },
});
const [command, arg] = positionals;

if (command === "run") {
  if (!arg) fail('usage: npm run squad -- run "<task title>" [--description "..."] [--follow]');
  const cookie = await signIn();
  const task = taskSchema.parse(
    await api(cookie, "/api/v1/tasks", { method: "POST", body: JSON.stringify({ title: arg, description: values.description ?? "" }) }),
  );
  console.log(`Task ${task.id} ${task.status}: ${task.title}`);
  console.log(`  ${baseUrl}/tasks/${task.id}`);
  if (values.follow) {
    const status = await follow(cookie, task.id);
    console.log(`Task ${task.id} ${status}.`);
    process.exit(status === "completed" ? 0 : 1);
  }
} else if (command === "follow") {
  if (!arg) fail("usage: npm run squad -- follow <task id>");
  const status = await follow(await signIn(), arg);
  process.exit(status === "completed" ? 0 : 1);
} else if (command === "list") {
  const tasks = z.object({ items: z.array(taskSchema) }).parse(await api(await signIn(), "/api/v1/tasks?limit=100")).items;
  for (const t of tasks) console.log(`${t.id}  ${t.status.padEnd(18)} ${t.source.padEnd(7)} ${t.title}`);
} else {
  fail('usage: npm run squad -- run "<task title>" [--follow] | follow <task id> | list');
}
