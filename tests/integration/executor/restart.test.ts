/**
 * Local executor, black-box durability: a run survives the executor being stopped mid-run and a new
 * one started on the same database; a lease held by a dead executor expires and its work is taken
 * over; sleeps and waits survive a restart. Local only (a real server cannot be restarted from here).
 */
import postgres from "postgres";
import { dbTargets, gate, getJson, isLocal, runsOf, startHarness, waitFor, waitForRun, type Harness, type RunJson } from "./harness";

(isLocal ? describe : describe.skip).each(dbTargets)("local executor restart ($name)", (target) => {
  let db: { url: string; stop(): Promise<void> };
  let h: Harness;
  const counts = new Map<string, number>();
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  let stepTwoGate = gate();

  beforeAll(async () => {
    db = await target.start();
    h = await startHarness(db, (inngest) => [
      inngest.createFunction({ id: "resumable", triggers: [{ event: "test/resumable" }] }, async ({ event, step }) => {
        const one = await step.run("one", () => {
          bump("one");
          return `one:${event.data.id}`;
        });
        const two = await step.run("two", async () => {
          bump("two");
          await stepTwoGate.promise;
          return "two";
        });
        const three = await step.run("three", () => {
          bump("three");
          return "three";
        });
        return [one, two, three];
      }),
      inngest.createFunction({ id: "napper", triggers: [{ event: "test/napper" }] }, async ({ step }) => {
        await step.run("before", () => bump("nap:before"));
        await step.sleep("nap", "1s");
        await step.run("after", () => bump("nap:after"));
        return "rested";
      }),
      inngest.createFunction({ id: "patient", triggers: [{ event: "test/patient" }] }, async ({ event, step }) => {
        await step.run("before", () => bump("patient:before"));
        const reply = await step.waitForEvent("reply", {
          event: "test/patient.reply",
          timeout: "1m",
          if: "async.data.id == event.data.id",
        });
        await step.run("after", () => bump("patient:after"));
        return reply?.data ?? null;
      }),
      inngest.createFunction({ id: "orphan", triggers: [{ event: "test/orphan" }] }, async ({ step }) => {
        return step.run("only", () => {
          bump("orphan");
          return "adopted";
        });
      }),
    ]);
  });

  afterAll(async () => {
    stepTwoGate.open();
    await h?.stop();
    await db?.stop();
  });

  it("finishes a run after a restart mid-run without re-running completed steps", async () => {
    stepTwoGate = gate();
    await h.inngest.send({ name: "test/resumable", data: { id: "r-1" } });
    await waitFor("step two to start", async () => counts.get("two") === 1);
    expect(counts.get("one")).toBe(1);

    await h.restartExecutor();
    // The new executor calls the app again; step two (in flight when we stopped) runs again, blocked.
    await waitFor("step two to be retried by the new executor", async () => counts.get("two") === 2);
    stepTwoGate.open();

    const run = await waitForRun(h, "resumable");
    expect(run.status).toBe("completed");
    expect(run.output).toEqual(["one:r-1", "two", "three"]);
    expect(counts.get("one")).toBe(1);
    expect(counts.get("three")).toBe(1);
    expect(run.steps.map((s) => s.name)).toEqual(["one", "two", "three"]);
  });

  it("a graceful stop lets the step in flight finish and applies its outcome; the next start does not run it again", async () => {
    counts.clear();
    stepTwoGate = gate();
    await h.inngest.send({ name: "test/resumable", data: { id: "d-1" } });
    await waitFor("step two to start", async () => counts.get("two") === 1);
    const stopped = h.executor.stop({ drainMs: 5_000 });
    await new Promise((r) => setTimeout(r, 300));
    stepTwoGate.open(); // the step finishes while the executor drains
    await stopped;
    expect(h.logs.some((l) => /draining 1 call\(s\) in flight/.test(l))).toBe(true);
    await h.startExecutor();
    const run = await waitForRun(h, "resumable", (r) => r.status === "completed" && JSON.stringify(r.output).includes("d-1"));
    expect(run.output).toEqual(["one:d-1", "two", "three"]);
    expect(counts.get("two")).toBe(1); // finished during the drain: not repeated after the restart
    expect(counts.get("three")).toBe(1);
  });

  it("a drain is bounded: a step still running at the deadline is abandoned and resumed by the next start", async () => {
    counts.clear();
    stepTwoGate = gate();
    await h.inngest.send({ name: "test/resumable", data: { id: "d-2" } });
    await waitFor("step two to start", async () => counts.get("two") === 1);
    const started = Date.now();
    await h.executor.stop({ drainMs: 400 });
    expect(Date.now() - started).toBeLessThan(3_000);
    await h.startExecutor();
    await waitFor("step two to be retried by the new executor", async () => counts.get("two") === 2);
    stepTwoGate.open();
    const run = await waitForRun(h, "resumable", (r) => r.status === "completed" && JSON.stringify(r.output).includes("d-2"));
    expect(run.output).toEqual(["one:d-2", "two", "three"]);
    expect(counts.get("one")).toBe(1);
  });

  it("keeps sleeping across a restart", async () => {
    await h.inngest.send({ name: "test/napper", data: {} });
    await waitForRun(h, "napper", (r) => r.status === "waiting");
    await h.restartExecutor();
    const run = await waitForRun(h, "napper", undefined, 8_000);
    expect(run.status).toBe("completed");
    expect(counts.get("nap:before")).toBe(1);
    expect(counts.get("nap:after")).toBe(1);
  });

  it("keeps waiting for an event across a restart", async () => {
    await h.inngest.send({ name: "test/patient", data: { id: "p-1" } });
    await waitForRun(h, "patient", (r) => r.status === "waiting");
    await h.restartExecutor();
    // Still parked on the new executor, then resumed by a matching event.
    expect((await runsOf(h, "patient"))[0]?.status).toBe("waiting");
    await h.inngest.send({ name: "test/patient.reply", data: { id: "p-1", answer: 42 } });
    const run = await waitForRun(h, "patient");
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ id: "p-1", answer: 42 });
    expect(counts.get("patient:before")).toBe(1);
    expect(counts.get("patient:after")).toBe(1);
  });

  it("takes over work whose lease was held by a dead executor once the lease expires", async () => {
    const sql = postgres(h.databaseUrl, { max: 1, prepare: false, onnotice: () => {} });
    try {
      // Simulate a crashed executor: stop ours, then lease the new run's work to a ghost for 1.5 s.
      await h.executor.stop();
      const res = await fetch(`${h.appUrl}`, { method: "GET" }); // the app is still up
      expect(res.status).toBe(200);
      await sql`INSERT INTO inngest_local.events (internal_id, name, payload, received_at) VALUES ('ghost-evt', 'test/orphan', ${sql.json({ name: "test/orphan", data: {}, id: "ghost-evt", ts: Date.now() })}, now())`;
      await sql`
        INSERT INTO inngest_local.runs (id, function_id, event_internal_id, event, status, created_at, updated_at, started_at)
        VALUES ('01GHOSTRUN0000000000000000', 'exec-test-orphan', 'ghost-evt',
          ${sql.json({ name: "test/orphan", data: {}, id: "ghost-evt", ts: Date.now() })}, 'running', now(), now(), now())`;
      await sql`
        INSERT INTO inngest_local.queue (run_id, kind, step_hash, due_at, lease_token, lease_until, created_at)
        VALUES ('01GHOSTRUN0000000000000000', 'discover', '', now(), 'ghost', now() + interval '1500 milliseconds', now())`;
      await h.restartExecutor(); // stop() is idempotent; starts a fresh executor on the same port
      await new Promise((r) => setTimeout(r, 700));
      expect(counts.get("orphan")).toBeUndefined();
      const run = await waitFor("the orphaned run to complete", async () => {
        const r = await getJson<RunJson>(h, "/runs/01GHOSTRUN0000000000000000");
        return r.status === "completed" ? r : undefined;
      }, 8_000);
      expect(run.output).toBe("adopted");
      expect(counts.get("orphan")).toBe(1);
    } finally {
      await sql.end();
    }
  });
});
