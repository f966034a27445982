/**
 * Local executor, black-box: step retries with backoff, function-level retries, NonRetriableError,
 * exhausted retries, onFailure and the inngest/function.failed event.
 */
import { NonRetriableError, RetryAfterError, type FailureEventArgs } from "inngest";
import { dbTargets, getJson, itLocal, runsOf, startHarness, waitForRun, type Harness } from "./harness";

describe.each(dbTargets)("local executor errors ($name)", (target) => {
  let db: { url: string; stop(): Promise<void> };
  let h: Harness;
  const counts = new Map<string, number>();
  const bump = (key: string) => {
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    return n;
  };
  const attemptsSeen: number[] = [];
  const failures: { fn: string; message: string; runId: unknown; original: unknown }[] = [];

  beforeAll(async () => {
    db = await target.start();
    h = await startHarness(db, (inngest) => [
      inngest.createFunction({ id: "flaky-step", retries: 3, triggers: [{ event: "test/flaky-step" }] }, async ({ step, attempt }) => {
        const value = await step.run("flaky", () => {
          attemptsSeen.push(attempt);
          if (bump("flaky") < 3) throw new Error(`boom ${attempt}`);
          return "finally";
        });
        const next = await step.run("next", () => {
          bump("flaky:next");
          return `${value}!`;
        });
        return next;
      }),
      inngest.createFunction({ id: "flaky-fn", retries: 2, triggers: [{ event: "test/flaky-fn" }] }, async ({ step }) => {
        const once = await step.run("once", () => bump("fn:once"));
        if (bump("fn:body") < 3) throw new Error("function-level boom");
        return { once };
      }),
      inngest.createFunction(
        {
          id: "non-retriable",
          retries: 5,
          triggers: [{ event: "test/non-retriable" }],
          onFailure: async ({ error, event }: FailureEventArgs) => {
            failures.push({ fn: "non-retriable", message: error.message, runId: event.data.run_id, original: event.data.event });
          },
        },
        async ({ step }) => {
          await step.run("doomed", () => {
            bump("nr:doomed");
            throw new NonRetriableError("do not retry me");
          });
          bump("nr:after");
          return "unreachable";
        },
      ),
      inngest.createFunction(
        {
          id: "exhausted",
          retries: 1,
          triggers: [{ event: "test/exhausted" }],
          onFailure: async ({ error }: FailureEventArgs) => {
            failures.push({ fn: "exhausted", message: error.message, runId: null, original: null });
          },
        },
        async ({ step }) => {
          await step.run("always-fails", () => {
            bump("ex:fails");
            throw new Error("still broken");
          });
        },
      ),
      inngest.createFunction({ id: "fn-final", retries: 4, triggers: [{ event: "test/fn-final" }] }, async () => {
        bump("final:body");
        throw new NonRetriableError("bad input");
      }),
      inngest.createFunction({ id: "retry-after", retries: 1, triggers: [{ event: "test/retry-after" }] }, async ({ step }) => {
        return step.run("rate-limited", () => {
          if (bump("ra") === 1) throw new RetryAfterError("slow down", 1_000);
          return Date.now();
        });
      }),
      inngest.createFunction({ id: "parallel-retry", retries: 2, triggers: [{ event: "test/parallel-retry" }] }, async ({ step }) => {
        const [a, b] = await Promise.all([
          step.run("wobbly", () => {
            if (bump("pr:wobbly") < 2) throw new Error("first try fails");
            return "a";
          }),
          step.run("steady", async () => {
            bump("pr:steady");
            await new Promise((r) => setTimeout(r, 50));
            return "b";
          }),
        ]);
        return step.run("join", () => {
          bump("pr:join");
          return a + b;
        });
      }),
      inngest.createFunction({ id: "parallel-fail", retries: 0, triggers: [{ event: "test/parallel-fail" }] }, async ({ step }) => {
        await Promise.all([
          step.run("broken", () => {
            bump("pf:broken");
            throw new Error("broken for good");
          }),
          step.run("slow", async () => {
            bump("pf:slow");
            await new Promise((r) => setTimeout(r, 300));
            return "slow";
          }),
        ]);
        bump("pf:after");
      }),
      inngest.createFunction({ id: "catches", retries: 0, triggers: [{ event: "test/catches" }] }, async ({ step }) => {
        try {
          await step.run("fails-once", () => {
            bump("catch:fails");
            throw new Error("expected failure");
          });
        } catch (err) {
          return await step.run("recover", () => `recovered from ${(err as Error).message}`);
        }
      }),
    ]);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.stop();
  });

  it("retries a failing step with backoff, then continues", async () => {
    await h.inngest.send({ name: "test/flaky-step", data: {} });
    const run = await waitForRun(h, "flaky-step");
    expect(run.status).toBe("completed");
    expect(run.output).toBe("finally!");
    expect(counts.get("flaky")).toBe(3);
    expect(attemptsSeen).toEqual([0, 1, 2]);
    expect(counts.get("flaky:next")).toBe(1);
    if (h.local) {
      const flaky = run.steps.find((s) => s.name === "flaky");
      expect(flaky?.attempts).toBe(2);
      expect(flaky?.result).toEqual({ data: "finally" });
    }
  });

  it("retries function-level errors without re-running memoized steps", async () => {
    await h.inngest.send({ name: "test/flaky-fn", data: {} });
    const run = await waitForRun(h, "flaky-fn");
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ once: 1 });
    expect(counts.get("fn:once")).toBe(1);
    expect(counts.get("fn:body")).toBe(3);
  });

  it("fails a run on NonRetriableError without retrying, and runs onFailure", async () => {
    const { ids } = await h.inngest.send({ name: "test/non-retriable", data: { order: 7 } });
    const run = await waitForRun(h, "non-retriable");
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ name: "NonRetriableError", message: "do not retry me" });
    expect(counts.get("nr:doomed")).toBe(1);
    expect(counts.get("nr:after")).toBeUndefined();

    const failureRun = await waitForRun(h, "non-retriable-failure");
    expect(failureRun.status).toBe("completed");
    expect(failureRun.event.name).toBe("inngest/function.failed");
    expect(failureRun.event.data).toMatchObject({
      function_id: "exec-test-non-retriable",
      run_id: run.id,
      error: { name: "NonRetriableError", message: "do not retry me" },
      event: { name: "test/non-retriable", data: { order: 7 }, id: ids[0] },
    });
    expect(failures).toContainEqual({
      fn: "non-retriable",
      message: "do not retry me",
      runId: run.id,
      original: expect.objectContaining({ data: { order: 7 } }),
    });
  });

  it("fails after the last retry and emits inngest/function.failed", async () => {
    await h.inngest.send({ name: "test/exhausted", data: {} });
    const run = await waitForRun(h, "exhausted");
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ message: "still broken" });
    expect(counts.get("ex:fails")).toBe(2); // retries: 1 → two tries
    await waitForRun(h, "exhausted-failure");
    expect(failures.some((f) => f.fn === "exhausted" && f.message === "still broken")).toBe(true);
  });

  it("does not retry a function-level NonRetriableError", async () => {
    await h.inngest.send({ name: "test/fn-final", data: {} });
    const run = await waitForRun(h, "fn-final");
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ name: "NonRetriableError", message: "bad input" });
    expect(counts.get("final:body")).toBe(1);
  });

  it("honours RetryAfterError's delay", async () => {
    const sent = Date.now();
    await h.inngest.send({ name: "test/retry-after", data: {} });
    const run = await waitForRun(h, "retry-after");
    expect(run.status).toBe("completed");
    expect(Number(run.output) - sent).toBeGreaterThanOrEqual(900);
  });

  it("retries one failing parallel step without re-running its sibling", async () => {
    await h.inngest.send({ name: "test/parallel-retry", data: {} });
    const run = await waitForRun(h, "parallel-retry");
    expect(run.status).toBe("completed");
    expect(run.output).toBe("ab");
    expect(counts.get("pr:wobbly")).toBe(2);
    expect(counts.get("pr:steady")).toBe(1);
    expect(counts.get("pr:join")).toBe(1);
  });

  it("fails a run when a parallel step fails for good, while its sibling is still running", async () => {
    await h.inngest.send({ name: "test/parallel-fail", data: {} });
    const run = await waitForRun(h, "parallel-fail");
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ message: "broken for good" });
    await new Promise((r) => setTimeout(r, 400)); // let the sibling finish; its result is moot
    expect(counts.get("pf:broken")).toBe(1);
    expect(counts.get("pf:slow")).toBe(1);
    expect(counts.get("pf:after")).toBeUndefined();
    if (h.local) expect(h.logs.some((l) => l.includes("lease") && l.includes("lost"))).toBe(false);
  });

  it("lets the function catch a step's final failure", async () => {
    await h.inngest.send({ name: "test/catches", data: {} });
    const run = await waitForRun(h, "catches");
    expect(run.status).toBe("completed");
    expect(run.output).toBe("recovered from expected failure");
    expect(counts.get("catch:fails")).toBe(1);
  });

  itLocal("counts failed runs in /health", async () => {
    const health = await getJson<{ runs: Record<string, number> }>(h, "/health");
    expect(health.runs.failed).toBeGreaterThanOrEqual(3);
    expect((await runsOf(h, "non-retriable")).length).toBe(1);
  });
});
