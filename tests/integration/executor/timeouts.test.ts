/**
 * Run timeouts (`timeouts: { start, finish }`): a run that waits too long to start, or runs too long
 * after starting, is cancelled with a clear reason and `inngest/function.cancelled`; a step already
 * running finishes but nothing after it runs; runs within their timeouts are untouched.
 */
import { dbTargets, gate, getJson, runsOf, startHarness, waitFor, waitForRun, type Harness } from "./harness";

describe.each(dbTargets)("run timeouts ($name)", (target) => {
  let db: { url: string; stop(): Promise<void> };
  let h: Harness;
  const counts = new Map<string, number>();
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const cancelledEvents: { function_id: string; run_id: string; error: unknown }[] = [];
  let blocker = gate();

  beforeAll(async () => {
    db = await target.start();
    h = await startHarness(db, (inngest) => [
      inngest.createFunction(
        { id: "overslept", timeouts: { finish: "1s" }, triggers: [{ event: "test/overslept" }] },
        async ({ step }) => {
          await step.run("before", () => bump("overslept:before"));
          await step.sleep("nap", "10s");
          await step.run("after", () => bump("overslept:after"));
          return "woke up";
        },
      ),
      inngest.createFunction(
        { id: "slow-step", timeouts: { finish: "1s" }, triggers: [{ event: "test/slow-step" }] },
        async ({ step }) => {
          await step.run("slow", async () => {
            bump("slow:started");
            await new Promise((r) => setTimeout(r, 1_800));
            bump("slow:finished");
          });
          await step.run("next", () => bump("slow:next"));
          return "done";
        },
      ),
      inngest.createFunction(
        { id: "queued", concurrency: 1, timeouts: { start: "1s" }, triggers: [{ event: "test/queued" }] },
        async ({ event, step }) => {
          const n = String(event.data.n);
          await step.run("work", async () => {
            bump(`queued:${n}`);
            if (n === "1") await blocker.promise;
          });
          return n;
        },
      ),
      inngest.createFunction(
        { id: "punctual", timeouts: { start: "10s", finish: "10s" }, triggers: [{ event: "test/punctual" }] },
        async ({ step }) => {
          await step.sleep("short", "1s");
          return step.run("work", () => "on time");
        },
      ),
      inngest.createFunction(
        { id: "cancel-watcher", triggers: [{ event: "inngest/function.cancelled", if: "event.data.function_id != 'exec-test-cancel-watcher'" }] },
        async ({ event }) => {
          const data = event.data as { function_id: string; run_id: string; error: unknown };
          cancelledEvents.push({ function_id: data.function_id, run_id: data.run_id, error: data.error });
        },
      ),
    ]);
  });

  afterAll(async () => {
    blocker.open();
    await h?.stop();
    await db?.stop();
  });

  it("cancels a run still going after timeouts.finish, even while it sleeps", async () => {
    const sent = Date.now();
    await h.inngest.send({ name: "test/overslept", data: {} });
    const run = await waitForRun(h, "overslept");
    expect(run.status).toBe("cancelled");
    expect(Date.now() - sent).toBeLessThan(8_000); // well before the 10 s sleep ends
    expect(counts.get("overslept:before")).toBe(1);
    expect(counts.get("overslept:after")).toBeUndefined();
    if (h.local) {
      expect(run.error?.message).toMatch(/^cancelled: the run did not finish within timeouts\.finish \(1s after it started at /);
    }
    await waitFor("the cancellation event", async () => cancelledEvents.some((e) => e.run_id === run.id));
    expect(cancelledEvents.find((e) => e.run_id === run.id)).toMatchObject({
      function_id: "exec-test-overslept",
      error: { message: "function cancelled" },
    });
  });

  it("lets the step in flight finish but runs nothing after it", async () => {
    await h.inngest.send({ name: "test/slow-step", data: {} });
    const run = await waitForRun(h, "slow-step");
    expect(run.status).toBe("cancelled");
    await waitFor("the slow step to finish", async () => counts.get("slow:finished") === 1);
    await new Promise((r) => setTimeout(r, 400));
    expect(counts.get("slow:started")).toBe(1);
    expect(counts.get("slow:next")).toBeUndefined();
  });

  it("cancels a run that could not start within timeouts.start (held back by concurrency)", async () => {
    blocker = gate();
    await h.inngest.send({ name: "test/queued", data: { n: 1 } });
    await waitFor("the first run to hold the only slot", async () => counts.get("queued:1") === 1);
    await h.inngest.send({ name: "test/queued", data: { n: 2 } });
    const second = await waitForRun(h, "queued", (r) => r.event.data.n === 2 && r.status !== "queued" && r.status !== "running");
    expect(second.status).toBe("cancelled");
    if (h.local) expect(second.error?.message).toMatch(/did not start within timeouts\.start \(1s after it was created/);
    expect(counts.get("queued:2")).toBeUndefined();

    blocker.open();
    const first = await waitForRun(h, "queued", (r) => r.event.data.n === 1 && r.status === "completed");
    expect(first.output).toBe("1");
    expect(counts.get("queued:2")).toBeUndefined();
  });

  it("does not touch runs that stay within their timeouts", async () => {
    await h.inngest.send({ name: "test/punctual", data: {} });
    const run = await waitForRun(h, "punctual");
    expect(run.status).toBe("completed");
    expect(run.output).toBe("on time");
    if (h.local) {
      // The timeout timers went away with the run.
      const detail = await getJson<{ pending: unknown[] }>(h, `/runs/${run.id}`);
      expect(detail.pending).toEqual([]);
      expect((await runsOf(h, "punctual")).length).toBe(1);
    }
  });
});
