import { createParser } from "eventsource-parser";
import { z } from "zod";
import { EXIT } from "./exit-codes";

/** An error the CLI reports as one line (no stack trace) and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
    this.name = "CliError";
  }
}

const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

// The parts of the REST API's JSON the CLI reads; unknown fields are dropped.
export const taskSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  outcome: z.string().nullish(),
  source: z.string(),
  squadId: z.string().nullish(),
  repositoryId: z.string().nullish(),
  error: z.string().nullish(),
  createdAt: z.string(),
  completedAt: z.string().nullish(),
});
export type CliTask = z.infer<typeof taskSchema>;
export const taskPageSchema = z.object({ items: z.array(taskSchema), nextCursor: z.string().nullable() });

export const taskDetailSchema = taskSchema.extend({
  description: z.string().nullish(),
  subtasks: z
    .array(z.object({ id: z.string(), key: z.string().nullish(), title: z.string(), role: z.string().nullish(), status: z.string() }))
    .default([]),
  artifacts: z.array(z.object({ kind: z.string(), title: z.string(), content: z.string() })).default([]),
  usage: z.object({ calls: z.number(), inputTokens: z.number(), outputTokens: z.number(), costUsdMicros: z.number() }).nullish(),
  approvals: z.array(z.object({ id: z.string(), kind: z.string(), status: z.string(), reason: z.string() })).default([]),
});
export type CliTaskDetail = z.infer<typeof taskDetailSchema>;

export const approvalSchema = z.object({ id: z.string(), taskId: z.string(), kind: z.string(), status: z.string(), reason: z.string() });
export const repositorySchema = z.object({
  id: z.string(),
  name: z.string(),
  localPath: z.string().nullish(),
  githubFullName: z.string().nullish(),
  defaultBranch: z.string().nullish(),
});
export const squadSchema = z.object({
  id: z.string(),
  name: z.string(),
  repositoryId: z.string().nullish(),
  autonomy: z.string(),
  agents: z.array(z.object({ role: z.string() })).default([]),
});
export const taskEventSchema = z.object({
  id: z.number(),
  type: z.string(),
  actor: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type CliTaskEvent = z.infer<typeof taskEventSchema>;

/**
 * The REST client of the CLI: `Authorization: Bearer <apiKey>` on every call, responses parsed with
 * zod. Marks its requests `x-squadron-client: cli` so tasks it creates have source `cli`.
 */
export class SquadronClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {}

  private headers(extra?: HeadersInit): Headers {
    const headers = new Headers(extra);
    if (this.apiKey) headers.set("authorization", `Bearer ${this.apiKey}`);
    headers.set("x-squadron-client", "cli");
    return headers;
  }

  /**
   * Sends one request and parses the JSON answer with `schema`.
   * @throws CliError with the server's `code: message` on a non-2xx answer, or when it is unreachable
   */
  async request<T>(pathname: string, schema: z.ZodType<T>, init: { method?: string; body?: unknown; headers?: HeadersInit } = {}): Promise<T> {
    const headers = this.headers(init.headers);
    if (init.body !== undefined) headers.set("content-type", "application/json");
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${pathname}`, {
        method: init.method ?? "GET",
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    } catch (error) {
      throw new CliError(`cannot reach ${this.baseUrl}: ${error instanceof Error ? error.message : String(error)} (is the server running? set SQUADRON_URL)`);
    }
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const parsed = errorBodySchema.safeParse(body);
      const detail = parsed.success ? `${parsed.data.error.code}: ${parsed.data.error.message}` : `HTTP ${res.status} ${res.statusText}`;
      const hint = res.status === 401 ? " (set SQUADRON_API_KEY or run `squad login`)" : "";
      throw new CliError(`${detail}${hint}`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new CliError(`unexpected answer from ${pathname}: ${parsed.error.issues[0]?.message ?? "invalid JSON"}`);
    return parsed.data;
  }

  /**
   * Streams `GET /api/v1/tasks/{id}/events` and calls `onEvent` for each event until `onEvent`
   * returns true. Reconnects with `Last-Event-ID` when the connection drops, so nothing repeats.
   */
  async streamEvents(taskId: string, onEvent: (event: CliTaskEvent) => boolean | Promise<boolean>, opts: { signal?: AbortSignal } = {}): Promise<void> {
    let lastEventId: string | undefined;
    for (;;) {
      const controller = new AbortController();
      opts.signal?.addEventListener("abort", () => controller.abort(), { once: true });
      let res: Response;
      try {
        res = await fetch(`${this.baseUrl}/api/v1/tasks/${encodeURIComponent(taskId)}/events`, {
          headers: this.headers({ accept: "text/event-stream", ...(lastEventId ? { "last-event-id": lastEventId } : {}) }),
          signal: controller.signal,
        });
      } catch (error) {
        if (opts.signal?.aborted) return;
        throw new CliError(`cannot reach ${this.baseUrl}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (!res.ok || !res.body) {
        const parsed = errorBodySchema.safeParse(await res.json().catch(() => null));
        throw new CliError(parsed.success ? `${parsed.data.error.code}: ${parsed.data.error.message}` : `cannot follow task ${taskId}: HTTP ${res.status}`);
      }
      const queue: CliTaskEvent[] = [];
      const parser = createParser({
        onEvent: (m) => {
          if (m.id) lastEventId = m.id;
          try {
            const parsed = taskEventSchema.safeParse(JSON.parse(m.data));
            if (parsed.success) queue.push(parsed.data);
          } catch {
            // not JSON (an `event: error` notice): the stream reconnects
          }
        },
      });
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(decoder.decode(value, { stream: true }));
          while (queue.length > 0) {
            const event = queue.shift();
            if (event && (await onEvent(event))) {
              // Hang up without waiting for the server to acknowledge: the stream never ends by itself.
              void reader.cancel().catch(() => undefined);
              controller.abort();
              return;
            }
          }
        }
      } catch {
        if (opts.signal?.aborted) return;
        // connection dropped: reconnect from the last event id
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
