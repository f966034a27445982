import postgres from "postgres";
import { startStack, type Client, type Stack } from "../fixtures/stack";

/**
 * The API rate limit (`API_RATE_LIMIT_PER_MINUTE`, here 5): counted per user and per API key in
 * Postgres, refused with 429 and `Retry-After`, and shared by app instances (a second process
 * would read the same `rate_limit_counters` rows: the count lives in the database, not in memory).
 */
let stack: Stack;
let sql: postgres.Sql;
let ann: Client;

beforeAll(async () => {
  stack = await startStack("pglite", { env: { API_RATE_LIMIT_PER_MINUTE: "5" } });
  sql = postgres(stack.database.url, { prepare: false, max: 1, onnotice: () => {} });
  ann = await stack.signUp("Ann");
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await stack?.stop();
});

test("the sixth request of a minute is a 429 with Retry-After; others and other keys are unaffected", async () => {
  // Start at the beginning of a window so all six requests fall into the same one.
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 100));
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i < 6; i++) {
    last = await ann.fetch("/api/v1/squads");
    statuses.push(last.status);
    if (i < 5) expect(last.headers.get("ratelimit-remaining")).toBe(String(4 - i));
  }
  expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  const retryAfter = Number(last?.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  const body = (await last?.json()) as { error: { code: string; message: string } };
  expect(body.error).toMatchObject({ code: "rate_limited" });
  expect(body.error.message).toMatch(/5 per minute per user/);

  // The count is in Postgres, where every instance reads it.
  const [row] = await sql<{ count: number }[]>`select sum(count)::int as count from rate_limit_counters where subject like 'user:%'`;
  expect(row.count).toBeGreaterThanOrEqual(6);

  // Another user has their own allowance.
  const ben = await stack.signUp("Ben");
  expect((await ben.fetch("/api/v1/squads")).status).toBe(200);
});

test("webhook endpoints are rate-limited per endpoint like the API, and an oversized body is refused before it is read", async () => {
  const intoWindow = Date.now() % 60_000;
  if (intoWindow > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 100));
  // An unknown repository id: each delivery is counted before the signature is checked (a 404 here).
  const endpoint = `/api/webhooks/github/${crypto.randomUUID()}`;
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${stack.url}${endpoint}`, { method: "POST", body: "{}", headers: { "content-type": "application/json", "x-github-event": "ping" } });
    statuses.push(res.status);
    if (i === 5) expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
  }
  expect(statuses.slice(0, 5).every((s) => s !== 429)).toBe(true);
  expect(statuses[5]).toBe(429);
  // Another endpoint has its own allowance.
  const other = await fetch(`${stack.url}/api/webhooks/github/${crypto.randomUUID()}`, { method: "POST", body: "{}" });
  expect(other.status).not.toBe(429);
  // A declared Content-Length over the cap is a 413 (Stripe's endpoint takes at most 1 MB).
  const big = await fetch(`${stack.url}/api/webhooks/stripe`, { method: "POST", body: "x".repeat(1_000_001) });
  expect(big.status).toBe(413);
});
