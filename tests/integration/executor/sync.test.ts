/**
 * Local executor, black-box: sync (and rejection of unimplemented options), concurrency limits,
 * idempotency keys, wildcard triggers, the SDK's run-data API, and unknown endpoints.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { startLocalExecutor } from "@/inngest/local";
import { dbTargets, getJson, itLocal, runsOf, startHarness, waitFor, waitForRun, type Harness } from "./harness";

const silentLogger = { info() {}, warn() {}, error() {}, debug() {} };

/** Serves `functions` of a second app (client id `appId`) registered against `executorUrl`. */
async function serveApp(
  appId: string,
  executorUrl: string,
  build: (inngest: Inngest) => Parameters<typeof serve>[0]["functions"],
  opts: { streaming?: boolean } = {},
) {
  const inngest = new Inngest({ id: appId, isDev: true, baseUrl: executorUrl, logger: silentLogger });
  const handler = serve({ client: inngest, functions: build(inngest), streaming: opts.streaming });
  const server = http.createServer(handler as unknown as http.RequestListener);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    inngest,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe.each(dbTargets)("local executor sync and flow control ($name)", (target) => {
  let db: { url: string; stop(): Promise<void> };
  let h: Harness;
  const active = new Map<string, number>();
  const maxActive = new Map<string, number>();
  const enter = (key: string) => {
    const n = (active.get(key) ?? 0) + 1;
    active.set(key, n);
    maxActive.set(key, Math.max(maxActive.get(key) ?? 0, n));
  };
  const leave = (key: string) => active.set(key, (active.get(key) ?? 1) - 1);
  const slow = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    db = await target.start();
    h = await startHarness(db, (inngest) => [
      inngest.createFunction(
        { id: "keyed", concurrency: { limit: 1, key: "event.data.group" }, triggers: [{ event: "test/keyed" }] },
        async ({ event, step }) => {
          const group = String(event.data.group);
          return step.run("work", async () => {
            enter(`keyed:${group}`);
            enter("keyed:all");
            await slow(120);
            leave(`keyed:${group}`);
            leave("keyed:all");
            return group;
          });
        },
      ),
      inngest.createFunction({ id: "capped", concurrency: 2, triggers: [{ event: "test/capped" }] }, async ({ step }) => {
        await step.run("work", async () => {
          enter("capped");
          await slow(100);
          leave("capped");
        });
      }),
      inngest.createFunction(
        { id: "once-per-user", idempotency: "event.data.userId", triggers: [{ event: "test/signup" }] },
        async ({ event }) => event.data.userId,
      ),
      inngest.createFunction({ id: "wildcard", triggers: [{ event: "test/wild.*" }] }, async ({ event }) => event.name),
    ]);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.stop();
  });

  it("limits concurrent steps per concurrency key", async () => {
    await h.inngest.send([
      ...[1, 2, 3].map((n) => ({ name: "test/keyed", data: { group: "a", n } })),
      ...[1, 2].map((n) => ({ name: "test/keyed", data: { group: "b", n } })),
    ]);
    await waitFor("five keyed runs", async () => {
      const runs = await runsOf(h, "keyed");
      return runs.length === 5 && runs.every((r) => r.status === "completed");
    }, 10_000);
    expect(maxActive.get("keyed:a")).toBe(1);
    expect(maxActive.get("keyed:b")).toBe(1);
    expect(maxActive.get("keyed:all")).toBe(2); // the two keys ran side by side
  });

  it("limits concurrent steps of a function", async () => {
    await h.inngest.send([1, 2, 3, 4, 5].map((n) => ({ name: "test/capped", data: { n } })));
    await waitFor("five capped runs", async () => {
      const runs = await runsOf(h, "capped");
      return runs.length === 5 && runs.every((r) => r.status === "completed");
    }, 10_000);
    expect(maxActive.get("capped")).toBe(2);
  });

  it("starts one run per idempotency key", async () => {
    await h.inngest.send({ name: "test/signup", data: { userId: "u-1" } });
    await h.inngest.send({ name: "test/signup", data: { userId: "u-1" } });
    await h.inngest.send({ name: "test/signup", data: { userId: "u-2" } });
    await waitFor("two signups", async () => (await runsOf(h, "once-per-user")).filter((r) => r.status === "completed").length === 2);
    await new Promise((r) => setTimeout(r, 200));
    const runs = await runsOf(h, "once-per-user");
    expect(runs.map((r) => r.output).sort()).toEqual(["u-1", "u-2"]);
  });

  it("matches wildcard triggers", async () => {
    await h.inngest.send({ name: "test/wild.one", data: {} });
    const run = await waitForRun(h, "wildcard");
    expect(run.output).toBe("test/wild.one");
  });

  itLocal("rejects a sync that uses options it does not implement, with the reason, and keeps the old functions", async () => {
    const before = await getJson<{ functions: number }>(h, "/health");
    const bad = await serveApp("bad-app", h.executor.url, (inngest) => [
      inngest.createFunction(
        { id: "throttled", throttle: { limit: 1, period: "1m" }, triggers: [{ event: "test/x" }] },
        async () => null,
      ),
      inngest.createFunction({ id: "limited", rateLimit: { limit: 1, period: "1m" }, triggers: [{ event: "test/x" }] }, async () => null),
      inngest.createFunction({ id: "every-second", triggers: [{ cron: "* * * * * *" }] }, async () => null),
      inngest.createFunction({ id: "jittery", triggers: [{ cron: "0 * * * *", jitter: "10s" }] }, async () => null),
      inngest.createFunction({ id: "mars-time", triggers: [{ cron: "TZ=Mars/Olympus 0 * * * *" }] }, async () => null),
      inngest.createFunction({ id: "bad-timeout", timeouts: { finish: "soon" as "1s" }, triggers: [{ event: "test/x" }] }, async () => null),
      inngest.createFunction({ id: "half-wild", triggers: [{ event: "test/wi*" }] }, async () => null),
      inngest.createFunction({ id: "fine", triggers: [{ event: "test/y", if: "event.data.ok == true" }] }, async () => null),
      inngest.createFunction({ id: "scheduled", triggers: [{ cron: "TZ=Europe/Paris 0 9 * * 1-5" }], timeouts: { finish: "1h" } }, async () => null),
    ]);
    try {
      const res = await fetch(bad.url, { method: "PUT" });
      const body = (await res.json()) as { message: string };
      expect(res.status).toBe(400);
      expect(body.message).toContain('function "bad-app-throttled": option "throttle" is not implemented by the local executor (inngest/local): runs over the limit');
      expect(body.message).toContain('function "bad-app-limited": option "rateLimit" is not implemented');
      expect(body.message).toContain('cron trigger "* * * * * *" is not a valid Inngest cron schedule: expected 5 fields');
      expect(body.message).toContain("Inngest has no seconds field");
      expect(body.message).toContain('cron trigger "0 * * * *": "jitter" is not implemented');
      expect(body.message).toContain('unknown time zone "Mars/Olympus"');
      expect(body.message).toContain('timeouts.finish "soon" is not a positive duration');
      expect(body.message).toContain('trigger "test/wi*": a wildcard must be the last character and follow "/" or "."');
      expect(body.message).not.toContain("bad-app-fine");
      expect(body.message).not.toContain("bad-app-scheduled");

      // The executor's own sync() surfaces the same message.
      const other = await startLocalExecutor({
        databaseUrl: db.url,
        appUrl: bad.url,
        port: 0,
        syncOnStart: false,
        log: () => {},
      });
      try {
        await expect(other.sync()).rejects.toThrow(/HTTP 400: .*option "throttle" is not implemented/s);
      } finally {
        await other.stop();
      }
    } finally {
      await bad.close();
    }
    const after = await getJson<{ functions: number }>(h, "/health");
    expect(after.functions).toBe(before.functions);
  });

  itLocal("understands streamed answers (201 + heartbeats + final JSON)", async () => {
    const streamed = await serveApp(
      "streamed-app",
      h.executor.url,
      (inngest) => [
        inngest.createFunction({ id: "slowpoke", triggers: [{ event: "test/streamed" }] }, async ({ step }) => {
          const a = await step.run("a", async () => {
            await slow(3_200); // longer than the SDK's 3 s heartbeat
            return 1;
          });
          const b = await step.run("b", () => 2);
          return a + b;
        }),
      ],
      { streaming: true },
    );
    try {
      const res = await fetch(streamed.url, { method: "PUT" });
      expect(res.status).toBe(200);
      await streamed.inngest.send({ name: "test/streamed", data: {} });
      const run = await waitFor("the streamed run", async () => {
        const { runs } = await getJson<{ runs: { status: string; output: unknown }[] }>(h, "/runs?function=streamed-app-slowpoke");
        return runs[0]?.status === "completed" ? runs[0] : undefined;
      }, 15_000);
      expect(run.output).toBe(3);
    } finally {
      await streamed.close();
    }
  });

  itLocal("reports a sync whose app registered somewhere else", async () => {
    const other = await startLocalExecutor({ databaseUrl: db.url, appUrl: h.appUrl, port: 0, log: () => {} });
    try {
      // syncOnStart: the app answers, but its client registers with the first executor.
      const health = await waitFor("the background sync to finish", async () => {
        const res = await fetch(`${other.url}/health`);
        const body = (await res.json()) as { sync: { state: string; error: string | null } };
        return body.sync.state === "failed" ? body : undefined;
      });
      expect(health.sync.error).toContain(`INNGEST_DEV=${other.url}`);
    } finally {
      await other.stop();
    }
  });

  itLocal("serves the SDK's run-data API and explains unknown endpoints", async () => {
    const [run] = await runsOf(h, "wildcard");
    const actions = await getJson<Record<string, unknown>>(h, `/v0/runs/${run?.id}/actions`);
    expect(actions).toEqual({});
    const batch = await getJson<{ name: string }[]>(h, `/v0/runs/${run?.id}/batch`);
    expect(batch.map((e) => e.name)).toEqual(["test/wild.one"]);

    const res = await fetch(`${h.executor.url}/v1/checkpoint`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toContain("not implemented by the local Inngest executor");

    const fns = await getJson<{ functions: { id: string; triggers: unknown[]; retries: number }[] }>(h, "/functions");
    expect(fns.functions.find((f) => f.id === "exec-test-keyed")).toMatchObject({ retries: 3 });
  });
});
