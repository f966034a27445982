/**
 * Local executor, black-box: step.waitForEvent (CEL `if`, `match`, timeout → null), cancelOn.
 */
import { dbTargets, getJson, runsOf, startHarness, untilParked, waitFor, waitForRun, type Harness, type RunJson } from "./harness";

describe.each(dbTargets)("local executor waits ($name)", (target) => {
  let db: { url: string; stop(): Promise<void> };
  let h: Harness;
  const counts = new Map<string, number>();
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

  beforeAll(async () => {
    db = await target.start();
    h = await startHarness(db, (inngest) => [
      inngest.createFunction({ id: "approval", triggers: [{ event: "test/approval.requested" }] }, async ({ event, step }) => {
        await step.run("before", () => bump("approval:before"));
        const decision = await step.waitForEvent("decision", {
          event: "test/approval.decided",
          timeout: "30s",
          if: "async.data.taskId == event.data.taskId && async.data.approved == true",
        });
        await step.run("after", () => bump("approval:after"));
        return { taskId: event.data.taskId, decision };
      }),
      inngest.createFunction({ id: "matcher", triggers: [{ event: "test/match.start" }] }, async ({ step }) => {
        marks.set("matcher", true);
        return step.waitForEvent("by-match", { event: "test/match.end", timeout: "30s", match: "data.key" });
      }),
      inngest.createFunction({ id: "timeout", triggers: [{ event: "test/timeout.start" }] }, async ({ step }) => {
        const started = await step.run("start", () => Date.now());
        const got = await step.waitForEvent("never", { event: "test/never", timeout: "1s" });
        return { got, waited: Date.now() - started };
      }),
      inngest.createFunction(
        {
          id: "cancellable",
          triggers: [{ event: "test/long.start" }],
          cancelOn: [{ event: "test/long.cancel", if: "async.data.id == event.data.id" }],
        },
        async ({ step }) => {
          await step.run("first", () => bump("cancel:first"));
          await step.sleep("long-nap", "1m");
          await step.run("never", () => bump("cancel:never"));
          return "done";
        },
      ),
      inngest.createFunction({ id: "race", triggers: [{ event: "test/race.start" }] }, async ({ step }) => {
        marks.set("race", true);
        const [evt] = await Promise.all([
          step.waitForEvent("w", { event: "test/race.go", timeout: "30s" }),
          step.run("side", () => {
            bump("race:side");
            return "side";
          }),
        ]);
        return evt?.data ?? null;
      }),
    ]);
  });

  afterAll(async () => {
    await h?.stop();
    await db?.stop();
  });

  const marks = new Map<string, boolean>();
  const parked = (fnId: string, ready?: () => boolean) => untilParked(h, fnId, { ready: ready ?? (() => marks.get(fnId) === true) });

  it("resumes a wait with the whole matching event, ignoring non-matching ones", async () => {
    await h.inngest.send({ name: "test/approval.requested", data: { taskId: "t-1" } });
    await parked("approval", () => counts.get("approval:before") === 1);
    const [run] = h.local ? await runsOf(h, "approval") : [];
    if (run) expect(run.steps.find((s) => s.name === "decision")?.status).toBe("waiting");

    await h.inngest.send([
      { name: "test/approval.decided", data: { taskId: "t-2", approved: true } },
      { name: "test/approval.decided", data: { taskId: "t-1", approved: false } },
      { name: "test/approval.decided", data: { taskId: "t-1" } },
    ]);
    await new Promise((r) => setTimeout(r, 300));
    if (run) expect((await getJson<RunJson>(h, `/runs/${run.id}`)).status).toBe("waiting");
    expect(counts.get("approval:after")).toBeUndefined();

    const { ids } = await h.inngest.send({ name: "test/approval.decided", data: { taskId: "t-1", approved: true, by: "ana" } });
    const done = await waitForRun(h, "approval");
    expect(done.status).toBe("completed");
    expect(done.output).toEqual({
      taskId: "t-1",
      decision: {
        name: "test/approval.decided",
        data: { taskId: "t-1", approved: true, by: "ana" },
        id: ids[0],
        ts: expect.any(Number),
      },
    });
    expect(counts.get("approval:before")).toBe(1);
    expect(counts.get("approval:after")).toBe(1);
  });

  it("supports `match` (compiled by the SDK to a CEL equality)", async () => {
    await h.inngest.send({ name: "test/match.start", data: { key: "k-9" } });
    await parked("matcher");
    await h.inngest.send({ name: "test/match.end", data: { key: "other" } });
    await h.inngest.send({ name: "test/match.end", data: { key: "k-9", n: 1 } });
    const run = await waitForRun(h, "matcher");
    expect(run.output).toMatchObject({ name: "test/match.end", data: { key: "k-9", n: 1 } });
  });

  it("resolves a timed-out wait with null", async () => {
    await h.inngest.send({ name: "test/timeout.start", data: {} });
    const run = await waitForRun(h, "timeout");
    expect(run.status).toBe("completed");
    const output = run.output as { got: unknown; waited: number };
    expect(output.got).toBeNull();
    expect(output.waited).toBeGreaterThanOrEqual(950);
  });

  it("cancels a run on a matching cancelOn event", async () => {
    await h.inngest.send({ name: "test/long.start", data: { id: "c-1" } });
    await h.inngest.send({ name: "test/long.start", data: { id: "c-2" } });
    await untilParked(h, "cancellable", { count: 2, ready: () => counts.get("cancel:first") === 2 });
    await h.inngest.send({ name: "test/long.cancel", data: { id: "c-1" } });
    const cancelled = await waitForRun(h, "cancellable", (r) => r.status === "cancelled");
    expect(cancelled.event.data).toEqual({ id: "c-1" });
    await new Promise((r) => setTimeout(r, 300));
    const runs = await runsOf(h, "cancellable");
    if (h.local) expect(runs.find((r) => r.event.data.id === "c-2")?.status).toBe("waiting");
    else expect(runs.filter((r) => r.event.data.id === "c-2")).toEqual([]); // still sleeping: not ended
    expect(counts.get("cancel:first")).toBe(2);
    expect(counts.get("cancel:never")).toBeUndefined();
  });

  it("waits in parallel with a step", async () => {
    await h.inngest.send({ name: "test/race.start", data: {} });
    await waitFor("side step done", async () => counts.get("race:side") === 1);
    await parked("race");
    await h.inngest.send({ name: "test/race.go", data: { go: true } });
    const run = await waitForRun(h, "race");
    expect(run.output).toEqual({ go: true });
    expect(counts.get("race:side")).toBe(1);
  });
});
