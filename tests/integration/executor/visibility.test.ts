/**
 * What a developer sees: the executor's HTML run list (`GET /`) and run page (`GET /runs/:id` with
 * `Accept: text/html`) — statuses, functions, steps, timings, errors (escaped), and why a run waits —
 * and the CLI's `runs` listing. Local only (these are inngest/local's own views).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { dbTargets, isLocal, startHarness, waitForRun, type Harness } from "./harness";

const run = promisify(execFile);
const EVIL = `<script>alert("x")</script>`;

(isLocal ? describe : describe.skip).each(dbTargets)("run visibility ($name)", (target) => {
  let db: { url: string; stop(): Promise<void> };
  let h: Harness;
  const html = async (path: string) => {
    const res = await fetch(`${h.url}${path}`, { headers: { accept: "text/html,application/xhtml+xml" } });
    return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
  };

  beforeAll(async () => {
    db = await target.start();
    h = await startHarness(db, (inngest) => [
      inngest.createFunction({ id: "vis-ok", triggers: [{ event: "test/vis.ok" }] }, async ({ step }) => {
        await step.run("fetch-data", () => ({ rows: 3 }));
        return step.run("summarize", () => "three rows");
      }),
      inngest.createFunction({ id: "vis-fail", retries: 0, triggers: [{ event: "test/vis.fail" }] }, async ({ step }) => {
        await step.run("explode", () => {
          throw new Error(`bad input ${EVIL}`);
        });
      }),
      inngest.createFunction({ id: "vis-wait", triggers: [{ event: "test/vis.wait" }] }, async ({ step }) => {
        await step.run("prepare", () => "ready");
        return step.waitForEvent("decision", { event: "test/vis.decided", timeout: "1h", if: "async.data.id == event.data.id" });
      }),
    ]);
    await h.inngest.send([
      { name: "test/vis.ok", data: { note: EVIL } },
      { name: "test/vis.fail", data: {} },
      { name: "test/vis.wait", data: { id: "w-1" } },
    ]);
    await waitForRun(h, "vis-ok");
    await waitForRun(h, "vis-fail");
    await waitForRun(h, "vis-wait", (r) => r.status === "waiting");
  });

  afterAll(async () => {
    await h?.stop();
    await db?.stop();
  });

  it("lists runs with status, function, steps and errors, escaped", async () => {
    const page = await html("/");
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    for (const fn of ["exec-test-vis-ok", "exec-test-vis-fail", "exec-test-vis-wait"]) expect(page.text).toContain(fn);
    expect(page.text).toMatch(/>completed</);
    expect(page.text).toMatch(/>failed</);
    expect(page.text).toMatch(/>waiting</);
    expect(page.text).toContain("decision (waiting)");
    expect(page.text).toContain("Error: bad input &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(page.text).not.toContain(EVIL);
    expect(page.text).not.toMatch(/<script/i);

    const failedOnly = await html("/?status=failed");
    expect(failedOnly.text).toContain("exec-test-vis-fail");
    expect(failedOnly.text).not.toContain("exec-test-vis-ok</td>");

    // API clients still get JSON at / and /runs.
    const api = await fetch(`${h.url}/`, { headers: { accept: "application/json" } });
    expect(((await api.json()) as { name: string }).name).toBe("inngest/local");
    const runs = await fetch(`${h.url}/runs`);
    expect(runs.headers.get("content-type")).toMatch(/application\/json/);
  });

  it("shows one run: steps with results and errors, timings, and why it is still waiting", async () => {
    const [waiting] = (await (await fetch(`${h.url}/runs?function=exec-test-vis-wait`)).json()).runs as { id: string }[];
    const page = await html(`/runs/${waiting?.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Why it is not done yet");
    expect(page.text).toContain(
      "Waiting in step &quot;decision&quot; for event &quot;test/vis.decided&quot; matching async.data.id == event.data.id until",
    );
    expect(page.text).toContain("prepare");
    expect(page.text).toContain("&quot;ready&quot;");
    expect(page.text).toContain("WaitForEvent");
    expect(page.text).toContain("&quot;id&quot;: &quot;w-1&quot;"); // the trigger event

    const [failed] = (await (await fetch(`${h.url}/runs?function=exec-test-vis-fail`)).json()).runs as { id: string }[];
    const failedPage = await html(`/runs/${failed?.id}`);
    expect(failedPage.text).toContain("explode");
    expect(failedPage.text).toContain("bad input &lt;script&gt;");
    expect(failedPage.text).not.toContain(EVIL);
    expect(failedPage.text).not.toContain("Why it is not done yet");

    const missing = await html("/runs/nope");
    expect(missing.status).toBe(404);
  });

  it("lists runs from the CLI, filtered by status", async () => {
    const { stdout } = await run(
      "node_modules/.bin/tsx",
      ["inngest/local/cli.ts", "runs", "--status", "failed", "--url", h.url],
      { timeout: 30_000, env: { ...process.env, NODE_OPTIONS: "" } },
    );
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^RUN\s+STATUS\s+FUNCTION/);
    expect(lines.slice(1).every((l) => l.includes(" failed "))).toBe(true);
    expect(stdout).toContain("exec-test-vis-fail");
    expect(stdout).toContain("Error: bad input");
    expect(stdout).not.toContain("exec-test-vis-ok");
  });
});
