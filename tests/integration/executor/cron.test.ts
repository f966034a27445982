/**
 * Cron triggers: one run per tick with Inngest's `inngest/scheduled.timer` event, `TZ=` prefixes,
 * schedules that survive a restart without firing twice or skipping more than the missed ticks the
 * catch-up policy documents. The local executor's cron clock is driven by the test; against a real
 * server (conformance mode) the test waits for a real minute tick instead.
 */
import { dbTargets, getJson, isLocal, itLocal, runsOf, startHarness, waitFor, waitForRun, type Harness } from "./harness";

type CronJson = { function_id: string; cron: string; next_at: string; last_tick_at: string | null; last_run_id: string | null; skipped: number };

const itRemote: jest.It = isLocal ? it.skip : it;

describe.each(dbTargets)("cron triggers ($name)", (target) => {
  let db: { url: string; stop(): Promise<void> };
  let h: Harness;
  // 2031-01-06 is a Monday; Paris is UTC+1 in January.
  let clockMs = Date.parse("2031-01-06T08:59:30.000Z");
  const ticks: { fn: string; name: string; data: unknown; ts: number }[] = [];
  const cronOf = async (fn: string) =>
    (await getJson<{ crons: CronJson[] }>(h, "/crons")).crons.find((c) => c.function_id === `exec-test-${fn}`);

  beforeAll(async () => {
    db = await target.start();
    h = await startHarness(
      db,
      (inngest) => [
        inngest.createFunction({ id: "minutely", triggers: [{ cron: "* * * * *" }] }, async ({ event, step }) => {
          const seen = await step.run("record", () => {
            ticks.push({ fn: "minutely", name: event.name, data: event.data, ts: event.ts ?? 0 });
            return ticks.length;
          });
          return { cron: (event.data as { cron?: string }).cron, seen };
        }),
        inngest.createFunction({ id: "paris-nine", triggers: [{ cron: "TZ=Europe/Paris 0 9 * * 1-5" }] }, async ({ event }) => {
          ticks.push({ fn: "paris-nine", name: event.name, data: event.data, ts: event.ts ?? 0 });
          return "bonjour";
        }),
        inngest.createFunction(
          { id: "cron-or-event", triggers: [{ cron: "0 0 1 1 *" }, { event: "test/cron.poke" }] },
          async ({ event }) => event.name,
        ),
      ],
      { cronClock: () => clockMs },
    );
  });

  afterAll(async () => {
    await h?.stop();
    await db?.stop();
  });

  itLocal("fires once per tick with an inngest/scheduled.timer event", async () => {
    expect((await cronOf("minutely"))?.next_at).toBe("2031-01-06T09:00:00.000Z");
    clockMs = Date.parse("2031-01-06T09:00:00.400Z");
    const run = await waitForRun(h, "minutely");
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ cron: "* * * * *", seen: 1 });
    expect(run.event_name).toBe("inngest/scheduled.timer");
    expect(ticks[0]).toEqual({ fn: "minutely", name: "inngest/scheduled.timer", data: { cron: "* * * * *" }, ts: Date.parse("2031-01-06T09:00:00.000Z") });
    await new Promise((r) => setTimeout(r, 300));
    expect(await runsOf(h, "minutely")).toHaveLength(1);

    clockMs = Date.parse("2031-01-06T09:01:00.100Z");
    await waitFor("the second tick", async () => (await runsOf(h, "minutely")).filter((r) => r.status === "completed").length === 2);
    const cron = await cronOf("minutely");
    expect(cron?.next_at).toBe("2031-01-06T09:02:00.000Z");
    expect(cron?.last_tick_at).toBe("2031-01-06T09:01:00.000Z");
    expect(cron?.skipped).toBe(0);
  });

  itLocal("computes ticks in the TZ= time zone", async () => {
    // 09:00 in Paris on a weekday is 08:00 UTC in January; Monday 08:00 UTC has passed, so Tuesday.
    expect((await cronOf("paris-nine"))?.next_at).toBe("2031-01-07T08:00:00.000Z");
    expect((await cronOf("cron-or-event"))?.next_at).toBe("2032-01-01T00:00:00.000Z");
  });

  itLocal("keeps the schedule through a re-sync (no reset, no extra tick)", async () => {
    const before = await cronOf("minutely");
    await h.executor.sync();
    expect(await cronOf("minutely")).toEqual(before);
  });

  itLocal("after downtime, fires the oldest missed tick once and skips the rest; a restart never fires twice", async () => {
    const runsBefore = (await runsOf(h, "minutely")).length;
    await h.stopExecutor();
    // Ticks 09:02, 09:03 and 09:04 come due while no executor runs.
    clockMs = Date.parse("2031-01-06T09:04:10.000Z");
    await h.startExecutor();
    await waitFor("the catch-up run", async () => (await runsOf(h, "minutely")).filter((r) => r.status === "completed").length === runsBefore + 1);
    const cron = await cronOf("minutely");
    expect(cron?.last_tick_at).toBe("2031-01-06T09:02:00.000Z");
    expect(cron?.next_at).toBe("2031-01-06T09:05:00.000Z");
    expect(cron?.skipped).toBe(2);
    expect(ticks.at(-1)?.ts).toBe(Date.parse("2031-01-06T09:02:00.000Z"));
    expect(h.logs.some((l) => l.includes("2 missed tick(s) skipped"))).toBe(true);

    // Restart again without the clock moving: nothing is due, nothing fires.
    await h.restartExecutor();
    await new Promise((r) => setTimeout(r, 400));
    expect((await runsOf(h, "minutely")).length).toBe(runsBefore + 1);
  });

  itLocal("a function with a cron and an event trigger also runs on the event", async () => {
    await h.inngest.send({ name: "test/cron.poke", data: {} });
    const run = await waitForRun(h, "cron-or-event");
    expect(run.output).toBe("test/cron.poke");
  });

  itRemote(
    "fires a real minute tick (conformance mode)",
    async () => {
      const run = await waitForRun(h, "minutely", undefined, 70_000);
      expect(run.status).toBe("completed");
      expect(run.event_name).toBe("inngest/scheduled.timer");
      expect(ticks[0]?.data).toEqual({ cron: "* * * * *" });
    },
    90_000,
  );
});
