import { Writable } from "node:stream";
import { createLogger } from "@/lib/observability/logger";
import { withObservabilityContext } from "@/lib/observability/context";
import { metricsResponse } from "@/lib/observability/http";

const noDb = () => {
  throw new Error("database not expected");
};

test("/api/metrics is 404 without METRICS_TOKEN and 401 with a wrong or missing bearer token", async () => {
  expect((await metricsResponse(new Request("http://x/api/metrics"), { token: undefined, db: noDb })).status).toBe(404);
  const wrong = await metricsResponse(new Request("http://x/api/metrics", { headers: { authorization: "Bearer nope-nope-nope" } }), { token: "right-token-0123456789", db: noDb });
  expect(wrong.status).toBe(401);
  expect(wrong.headers.get("www-authenticate")).toMatch(/Bearer/);
  expect((await metricsResponse(new Request("http://x/api/metrics"), { token: "right-token-0123456789", db: noDb })).status).toBe(401);
});

test("log lines carry the context ids and never the secrets", () => {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const log = createLogger({ level: "info", destination });
  withObservabilityContext({ requestId: "req-12345678", taskId: "task-1", runId: "run-1", organizationId: "org-1" }, () => {
    log.info({ headers: { authorization: "Bearer abcdef123456" }, apiKey: "sq_secretsecretsecret", nested: { deeper: { token: "t0ps3cret" } } }, "calling with sk-abcdefghijklmnop");
  });
  const text = lines.join("");
  const line = JSON.parse(lines[0]);
  expect(line).toMatchObject({ requestId: "req-12345678", taskId: "task-1", runId: "run-1", organizationId: "org-1" });
  for (const secret of ["abcdef123456", "sq_secretsecretsecret", "t0ps3cret", "sk-abcdefghijklmnop"]) expect(text).not.toContain(secret);
});
