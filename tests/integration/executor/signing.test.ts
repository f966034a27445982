/**
 * Request signing with a signing key: the executor signs every call like Inngest Cloud, the app's SDK
 * runs in cloud mode and verifies it, a wrong key is rejected by the SDK (and by the executor at
 * sync), the app's signed answers are verified (a tampered answer is never applied), and the
 * environment returned by `sdkEnv()` is what the v4 SDK reads. Local only: the Inngest dev server
 * does not sign.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { sdkEnv, startLocalExecutor } from "@/inngest/local";
import { canonicalJson, hashSigningKey, signBody, verifySignature } from "@/inngest/local/signing";
import { dbTargets, isLocal, runsOf, startHarness, waitFor, waitForRun, type Harness } from "./harness";

const KEY = `signkey-test-${"a1b2c3d4".repeat(8)}`;
const WRONG_KEY = `signkey-test-${"0f1e2d3c".repeat(8)}`;
const silentLogger = { info() {}, warn() {}, error() {}, debug() {} };

async function listen(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Forwards to `target()`, rewriting answers that contain `from` (the SDK's signature header is kept). */
function tamperingProxy(target: () => string, from: string, to: string): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers };
      delete headers["content-length"];
      void fetch(`${target()}${req.url ?? "/"}`, {
        method: req.method,
        headers: headers as Record<string, string>,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : body,
      }).then(async (answer) => {
        const text = (await answer.text()).replaceAll(from, to);
        const out: Record<string, string> = {};
        answer.headers.forEach((v, k) => {
          if (k !== "content-length" && k !== "content-encoding" && k !== "transfer-encoding") out[k] = v;
        });
        res.writeHead(answer.status, out);
        res.end(text);
      });
    });
  };
}

(isLocal ? describe : describe.skip).each(dbTargets)("request signing ($name)", (target) => {
  let db: { url: string; stop(): Promise<void> };
  let h: Harness;
  const counts = new Map<string, number>();
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

  beforeAll(async () => {
    db = await target.start();
    h = await startHarness(
      db,
      (inngest) => [
        inngest.createFunction({ id: "signed", retries: 0, triggers: [{ event: "test/signed" }] }, async ({ event, step }) => {
          const a = await step.run("a", () => {
            bump("signed:a");
            return { word: `héllo ${String(event.data.who)}`, n: 1.5 };
          });
          const b = await step.run("b", () => {
            bump("signed:b");
            return a.n * 2;
          });
          return { a, b };
        }),
      ],
      { signingKey: KEY },
    );
  });

  afterAll(async () => {
    await h?.stop();
    await db?.stop();
  });

  it("signs every call (JCS body, 5-minute signature) and the SDK in cloud mode runs the function", async () => {
    await h.inngest.send({ name: "test/signed", data: { who: "wörld", z: 1, a: [3, { y: 2, x: 1 }] } });
    const run = await waitForRun(h, "signed");
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ a: { word: "héllo wörld", n: 1.5 }, b: 3 });
    expect([counts.get("signed:a"), counts.get("signed:b")]).toEqual([1, 1]);

    const calls = h.requests.filter((r) => r.method === "POST");
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      expect(call.headers["x-inngest-server-kind"]).toBe("cloud");
      const signature = String(call.headers["x-inngest-signature"]);
      expect(signature).toMatch(/^t=\d+&s=[0-9a-f]{64}$/);
      expect(verifySignature(signature, call.body, [KEY])).toBeNull();
      expect(verifySignature(signature, call.body, [WRONG_KEY])).toBe("signature does not match the signing key");
      expect(call.body).toBe(canonicalJson(JSON.parse(call.body))); // sent in canonical form
    }
    const sync = h.requests.find((r) => r.method === "PUT");
    expect(verifySignature(String(sync?.headers["x-inngest-signature"]), "", [KEY])).toBeNull();
  });

  it("the SDK rejects unsigned, expired and wrongly signed calls", async () => {
    const [run] = await runsOf(h, "signed");
    const body = canonicalJson({ event: run?.event, events: [run?.event], steps: {}, ctx: { run_id: "x", attempt: 0, stack: { stack: [], current: 0 } } });
    const url = `${h.appUrl}?fnId=exec-test-signed&stepId=step`;
    const post = (headers: Record<string, string>) =>
      fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    const before = counts.get("signed:a");
    expect((await post({})).status).toBe(401);
    expect((await post({ "x-inngest-signature": signBody(WRONG_KEY, body) })).status).toBe(401);
    expect((await post({ "x-inngest-signature": signBody(KEY, body, Date.now() - 6 * 60_000) })).status).toBe(401);
    expect(counts.get("signed:a")).toBe(before); // nothing ran
  });

  it("an executor with the wrong key: every call is refused by the SDK and the run fails with the reason", async () => {
    const port = h.executor.port;
    await h.stopExecutor();
    const wrong = await startLocalExecutor({
      databaseUrl: h.databaseUrl,
      appUrl: h.appUrl,
      port,
      pollIntervalMs: 20,
      retryBaseDelayMs: 20,
      syncOnStart: false,
      signingKey: WRONG_KEY,
      log: (m) => h.logs.push(m),
    });
    try {
      const before = counts.get("signed:a") ?? 0;
      await h.inngest.send({ name: "test/signed", data: { who: "mallory" } });
      const run = await waitForRun(h, "signed", (r) => r.event.data.who === "mallory" && r.status === "failed");
      expect(run.error?.message).toMatch(/HTTP 401 .*does its INNGEST_SIGNING_KEY match the executor's signing key\?/);
      expect(counts.get("signed:a") ?? 0).toBe(before);
      // …and the app cannot register with it either.
      await expect(wrong.sync()).rejects.toThrow(/HTTP 401: .*same INNGEST_SIGNING_KEY/);
    } finally {
      await wrong.stop();
      await h.startExecutor();
    }
  });

  it("verifies the app's signed answers: a tampered answer is never applied", async () => {
    const inngest = new Inngest({ id: "tamper-app", isDev: false, baseUrl: h.executor.url, signingKey: KEY, eventKey: "k", logger: silentLogger });
    const ran: string[] = [];
    let appUrl = "";
    const proxy = await listen(tamperingProxy(() => appUrl, '"amount":100', '"amount":999'));
    const app = await listen(
      serve({
        client: inngest,
        serveOrigin: proxy.url, // the SDK registers the proxy's URL, so every call goes through it
        functions: [
          inngest.createFunction({ id: "pay", retries: 0, triggers: [{ event: "test/pay" }] }, async ({ step }) => {
            const amount = await step.run("charge", () => {
              ran.push("charge");
              return { amount: 100 };
            });
            return amount;
          }),
        ],
      }) as unknown as http.RequestListener,
    );
    appUrl = app.url;
    try {
      const res = await fetch(`${proxy.url}/api/inngest`, { method: "PUT" });
      expect(res.status).toBe(200);
      await inngest.send({ name: "test/pay", data: {} });
      const run = await waitFor("the tampered run to fail", async () => {
        const res2 = await fetch(`${h.executor.url}/runs?function=tamper-app-pay`, { headers: { accept: "application/json" } });
        const { runs } = (await res2.json()) as { runs: { status: string; output: unknown; error: { name: string; message: string } | null }[] };
        return runs[0]?.status === "failed" ? runs[0] : undefined;
      });
      expect(run.error?.name).toBe("SignatureError");
      expect(run.error?.message).toContain("signature does not match the signing key");
      expect(run.output).toBeNull();
      expect(ran).toEqual(["charge"]); // the step ran; its tampered result was refused, never memoized
    } finally {
      await proxy.close();
      await app.close();
    }
  });

  it("the environment from sdkEnv() puts the v4 SDK in cloud mode against the executor", async () => {
    const env = sdkEnv(h.executor.url, { signingKey: KEY });
    expect(env).toEqual({ INNGEST_DEV: "0", INNGEST_BASE_URL: h.executor.url, INNGEST_SIGNING_KEY: KEY, INNGEST_EVENT_KEY: "local" });
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const done: string[] = [];
    try {
      const inngest = new Inngest({ id: "env-app", logger: silentLogger });
      const app = await listen(
        serve({
          client: inngest,
          functions: [inngest.createFunction({ id: "hello", triggers: [{ event: "test/env" }] }, async () => done.push("hello"))],
        }) as unknown as http.RequestListener,
      );
      try {
        // The SDK registers with Authorization: Bearer <hashed key>; the executor refuses anything else.
        const res = await fetch(`${app.url}/api/inngest`, { method: "PUT" });
        expect(res.status).toBe(200);
        const register = (authorization?: string) =>
          fetch(`${h.executor.url}/fn/register`, {
            method: "POST",
            headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
            body: JSON.stringify({ url: app.url, appName: "intruder", functions: [] }),
          });
        expect((await register()).status).toBe(401);
        expect((await register(`Bearer ${hashSigningKey(WRONG_KEY)}`)).status).toBe(401);
        expect((await register(`Bearer ${KEY}`)).status).toBe(401); // the raw key is not the token
        expect(hashSigningKey(KEY)).toMatch(/^signkey-test-[0-9a-f]{64}$/);
        await inngest.send({ name: "test/env", data: {} });
        await waitFor("the env-configured app to run", async () => done.length === 1);
      } finally {
        await app.close();
      }
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
