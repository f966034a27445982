/**
 * K concurrent SSE clients in their own process (forked with IPC by the live-update benchmark), so
 * parsing K streams does not compete with the server's event loop. Each `data:` JSON carrying a
 * `bench` object `{ seq, sentAt }` (at the top level, or under `data` as the app's task events put it)
 * is timed on receipt: latency = receipt − sentAt, both `performance.timeOrigin + performance.now()`.
 *
 * Parent → child: { type: "connect", url, cookie, k } | { type: "count" } | { type: "report" } | { type: "close" }
 * Child → parent: { type: "connected", ok, failed } | { type: "count", delivered } | { type: "report", ... }
 * (`report` also clears what was recorded.)
 */
import http from "node:http";

type Bench = { seq: number; sentAt: number };
type Incoming =
  | { type: "connect"; url: string; cookie: string; k: number }
  | { type: "count" }
  | { type: "report" }
  | { type: "close" };

export type ClientReport = {
  type: "report";
  /** Latency of every (client, event) delivery, ms. */
  latencies: number[];
  /** Per seq: how many clients received it, and when the last one did (epoch ms, fractional). */
  bySeq: Record<string, { count: number; lastAt: number }>;
  errors: number;
};

const now = () => performance.timeOrigin + performance.now();
const requests: http.ClientRequest[] = [];
let latencies: number[] = [];
let bySeq: Record<string, { count: number; lastAt: number }> = {};
let errors = 0;

function benchOf(json: unknown): Bench | null {
  if (!json || typeof json !== "object") return null;
  const o = json as Record<string, unknown>;
  const direct = o.bench;
  const nested = o.data && typeof o.data === "object" ? (o.data as Record<string, unknown>).bench : undefined;
  const b = (direct ?? nested) as Partial<Bench> | undefined;
  return b && typeof b.seq === "number" && typeof b.sentAt === "number" ? { seq: b.seq, sentAt: b.sentAt } : null;
}

function onData(line: string): void {
  const at = now();
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return;
  }
  const b = benchOf(json);
  if (!b) return;
  latencies.push(at - b.sentAt);
  const entry = (bySeq[b.seq] ??= { count: 0, lastAt: 0 });
  entry.count += 1;
  entry.lastAt = Math.max(entry.lastAt, at);
}

/** Opens one stream; resolves true once the response headers arrived with 200. */
function open(url: string, cookie: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, headers: { accept: "text/event-stream", cookie } }, (res) => {
      if (res.statusCode !== 200) {
        errors += 1;
        res.resume();
        resolve(false);
        return;
      }
      resolve(true);
      res.setEncoding("utf8");
      let buffer = "";
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let idx: number;
        while ((idx = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, idx);
          buffer = buffer.slice(idx + 2);
          for (const line of block.split("\n")) if (line.startsWith("data: ")) onData(line.slice(6));
        }
      });
      res.on("error", () => {});
    });
    req.on("error", () => {
      errors += 1;
      resolve(false);
    });
    requests.push(req);
  });
}

process.on("message", (raw: unknown) => {
  const msg = raw as Incoming;
  void (async () => {
    if (msg.type === "connect") {
      let ok = 0;
      // Open in small batches so the server's accept queue is not the thing being measured.
      for (let i = 0; i < msg.k; i += 25) {
        const batch = await Promise.all(Array.from({ length: Math.min(25, msg.k - i) }, () => open(msg.url, msg.cookie)));
        ok += batch.filter(Boolean).length;
      }
      process.send?.({ type: "connected", ok, failed: msg.k - ok });
    } else if (msg.type === "count") {
      process.send?.({ type: "count", delivered: latencies.length });
    } else if (msg.type === "report") {
      const report: ClientReport = { type: "report", latencies, bySeq, errors };
      process.send?.(report);
      latencies = [];
      bySeq = {};
    } else {
      for (const r of requests) r.destroy();
      process.exit(0);
    }
  })();
});

// Bounded: never outlive the benchmark.
setTimeout(() => process.exit(3), 10 * 60_000).unref();
process.on("disconnect", () => process.exit(0));
