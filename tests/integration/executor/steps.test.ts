/**
 * Local executor, black-box: step memoization, parallel steps, step.sendEvent, trigger expressions,
 * event deduplication, step.sleep, step.invoke.
 */
import { dbTargets, getJson, itLocal, runsOf, startHarness, waitFor, waitForRun, type Harness } from "./harness";

describe.each(dbTargets)("local executor steps ($name)", (target) => {
  let db: { url: string; stop(): Promise<void> };
  let h: Harness;
  const counts = new Map<string, number>();
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const received: unknown[] = [];

  beforeAll(async () => {
    db = await target.start();
    h = await startHarness(db, (inngest) => {
      const child = inngest.createFunction({ id: "child", triggers: [] }, async ({ event, step }) => {
        const doubled = await step.run("double", () => Number((event.data as { n?: number }).n) * 2);
        return { doubled };
      });
      return [
      child,
      inngest.createFunction({ id: "sequential", triggers: [{ event: "test/sequential" }] }, async ({ event, step }) => {
        const a = await step.run("a", () => {
          bump("seq:a");
          return { n: Number(event.data.n) + 1 };
        });
        const b = await step.run("b", () => {
          bump("seq:b");
          return a.n * 10;
        });
        const c = await step.run("c", () => {
          bump("seq:c");
          return `${a.n}-${b}`;
        });
        return { a, b, c };
      }),
      inngest.createFunction({ id: "parallel", triggers: [{ event: "test/parallel" }] }, async ({ step }) => {
        const results = await Promise.all(
          ["p1", "p2", "p3"].map((id) =>
            step.run(id, async () => {
              bump(`par:${id}`);
              await new Promise((r) => setTimeout(r, 30));
              return id.toUpperCase();
            }),
          ),
        );
        const after = await step.run("after", () => {
          bump("par:after");
          return results.join("+");
        });
        return { results, after };
      }),
      inngest.createFunction({ id: "sender", triggers: [{ event: "test/send" }] }, async ({ event, step }) => {
        const sent = await step.sendEvent("emit", { name: "test/received", data: { from: "sender", token: event.data.token } });
        await step.run("after-send", () => bump("sender:after"));
        return sent;
      }),
      inngest.createFunction({ id: "receiver", triggers: [{ event: "test/received" }] }, async ({ event }) => {
        received.push(event.data);
        return { got: event.data.token };
      }),
      inngest.createFunction(
        { id: "filtered", triggers: [{ event: "test/filtered", if: "event.data.kind == 'yes' && event.data.n > 1" }] },
        async ({ event }) => event.data.n,
      ),
      inngest.createFunction({ id: "deduped", triggers: [{ event: "test/dedupe" }] }, async () => "ok"),
      inngest.createFunction({ id: "sleeper", triggers: [{ event: "test/sleep" }] }, async ({ step }) => {
        const before = await step.run("before", () => Date.now());
        await step.sleep("nap", "1s");
        const after = await step.run("after", () => Date.now());
        return { slept: after - before };
      }),
      inngest.createFunction({ id: "parent", triggers: [{ event: "test/invoke" }] }, async ({ event, step }) => {
        const res = await step.invoke("call-child", { function: child, data: { n: event.data.n } });
        return { res };
      }),
      ];
    });
  });

  afterAll(async () => {
    await h?.stop();
    await db?.stop();
  });

  it("memoizes step results and runs each step body exactly once", async () => {
    await h.inngest.send({ name: "test/sequential", data: { n: 1 } });
    const run = await waitForRun(h, "sequential");
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ a: { n: 2 }, b: 20, c: "2-20" });
    expect([counts.get("seq:a"), counts.get("seq:b"), counts.get("seq:c")]).toEqual([1, 1, 1]);
    if (h.local) {
      expect(run.steps.map((s) => [s.name, s.status])).toEqual([
        ["a", "completed"],
        ["b", "completed"],
        ["c", "completed"],
      ]);
      expect(run.steps[0]?.result).toEqual({ data: { n: 2 } });
    }
  });

  it("runs parallel steps once each, then continues", async () => {
    await h.inngest.send({ name: "test/parallel", data: {} });
    const run = await waitForRun(h, "parallel");
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ results: ["P1", "P2", "P3"], after: "P1+P2+P3" });
    for (const key of ["par:p1", "par:p2", "par:p3", "par:after"]) expect(counts.get(key)).toBe(1);
  });

  it("step.sendEvent triggers another function", async () => {
    await h.inngest.send({ name: "test/send", data: { token: "t-1" } });
    const receiver = await waitForRun(h, "receiver");
    expect(receiver.status).toBe("completed");
    expect(receiver.output).toEqual({ got: "t-1" });
    const sender = await waitForRun(h, "sender");
    expect(sender.status).toBe("completed");
    expect(sender.output).toEqual({ ids: [expect.any(String)] });
    expect(counts.get("sender:after")).toBe(1);
    expect(received).toEqual([{ from: "sender", token: "t-1" }]);
  });

  it("starts runs only for events matching the trigger expression", async () => {
    await h.inngest.send([
      { name: "test/filtered", data: { kind: "no", n: 5 } },
      { name: "test/filtered", data: { kind: "yes", n: 1 } },
      { name: "test/filtered", data: { kind: "yes", n: 7 } },
      { name: "test/filtered", data: {} },
    ]);
    const run = await waitForRun(h, "filtered");
    expect(run.output).toBe(7);
    await new Promise((r) => setTimeout(r, 200));
    expect(await runsOf(h, "filtered")).toHaveLength(1);
  });

  it("deduplicates events by id and answers with ids", async () => {
    const first = await h.inngest.send({ name: "test/dedupe", id: "dedupe-1", data: {} });
    const second = await h.inngest.send({ name: "test/dedupe", id: "dedupe-1", data: {} });
    expect(first.ids).toHaveLength(1);
    expect(second.ids).toEqual(first.ids);
    await waitForRun(h, "deduped");
    await new Promise((r) => setTimeout(r, 200));
    expect(await runsOf(h, "deduped")).toHaveLength(1);

    const raw = await fetch(`${h.url}/e/some-key`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ name: "test/other", data: {} }, { name: "test/other" }]),
    });
    const body = (await raw.json()) as { ids: string[]; status: number };
    expect(raw.status).toBe(200);
    expect(body.status).toBe(200);
    expect(body.ids).toHaveLength(2);

    const bad = await fetch(`${h.url}/e/some-key`, { method: "POST", body: JSON.stringify({ data: {} }) });
    expect(bad.status).toBe(400);
  });

  it("step.sleep resumes after the duration", async () => {
    await h.inngest.send({ name: "test/sleep", data: {} });
    if (h.local) {
      const waiting = await waitForRun(h, "sleeper", (r) => r.status === "waiting");
      expect(waiting.steps.find((s) => s.name === "nap")?.status).toBe("sleeping");
    }
    const run = await waitForRun(h, "sleeper");
    expect(run.status).toBe("completed");
    expect((run.output as { slept: number }).slept).toBeGreaterThanOrEqual(950);
  });

  it("step.invoke runs another function and returns its result", async () => {
    await h.inngest.send({ name: "test/invoke", data: { n: 21 } });
    const run = await waitForRun(h, "parent");
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ res: { doubled: 42 } });
    const child = await waitForRun(h, "child");
    expect(child.event_name).toBe("inngest/function.invoked");
  });

  itLocal("reports health and run details", async () => {
    const health = await getJson<{ ok: boolean; functions: number; runs: Record<string, number> }>(h, "/health");
    expect(health.ok).toBe(true);
    expect(health.functions).toBe(9);
    expect(health.runs.completed).toBeGreaterThanOrEqual(5);
    expect(Object.keys(health.runs).sort()).toEqual(["cancelled", "completed", "failed", "queued", "running", "waiting"]);

    const [run] = await runsOf(h, "sequential");
    const detail = await getJson<{ id: string; stack: string[]; steps: unknown[] }>(h, `/runs/${run?.id}`);
    expect(detail.id).toBe(run?.id);
    expect(detail.stack).toHaveLength(3);
    const missing = await fetch(`${h.executor.url}/runs/nope`);
    expect(missing.status).toBe(404);
    await waitFor("finished events", async () => {
      const { events } = await getJson<{ events: { event: { name: string } }[] }>(h, "/events?limit=200");
      return events.some((e) => e.event.name === "inngest/function.finished");
    });
  });
});
