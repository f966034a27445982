import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { eq } from "drizzle-orm";
import { createDatabase } from "@/db/client";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "@/db/embedded";
import { runMigrations } from "@/db/migrate";
import { organization } from "@/db/schema/auth";
import { llmCalls } from "@/db/schema/usage";
import { recordLlmCall } from "@/lib/llm/ledger";
import type { ModelResponse } from "@/lib/llm/types";

let pg: EmbeddedPostgres;
let handle: ReturnType<typeof createDatabase>;

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  await runMigrations(pg.url);
  handle = createDatabase(pg.url, { max: 2 });
  await handle.db.insert(organization).values({ id: "org_ledger", name: "Ledger Org", slug: "ledger-org" });
});

afterAll(async () => {
  await handle?.sql.end({ timeout: 5 });
  await pg?.stop();
});

const response: ModelResponse = {
  provider: "openai",
  model: "gpt-4.1-mini",
  offline: false,
  content: "ok",
  toolCalls: [],
  usage: { inputTokens: 1_000, outputTokens: 50 },
  costUsdMicros: 480,
  latencyMs: 1_234,
  finishReason: "stop",
};

test("records one row per (run, step); a replayed step is not counted twice", async () => {
  const input = { organizationId: "org_ledger", taskId: null, runId: "run_1", stepId: "developer-turn-0", agentRole: "developer", response };
  await recordLlmCall(handle.db, input);
  await recordLlmCall(handle.db, { ...input, response: { ...response, costUsdMicros: 999 } });
  await recordLlmCall(handle.db, { ...input, stepId: "developer-turn-1" });

  const rows = await handle.db.select().from(llmCalls).where(eq(llmCalls.runId, "run_1")).orderBy(llmCalls.stepId);
  expect(rows.map((r) => [r.stepId, r.costUsdMicros])).toEqual([
    ["developer-turn-0", 480],
    ["developer-turn-1", 480],
  ]);
  expect(rows[0]).toMatchObject({
    organizationId: "org_ledger",
    agentRole: "developer",
    provider: "openai",
    model: "gpt-4.1-mini",
    inputTokens: 1_000,
    outputTokens: 50,
    latencyMs: 1_234,
  });
});

test("works inside a transaction", async () => {
  await handle.db.transaction(async (tx) => {
    await recordLlmCall(tx, { organizationId: "org_ledger", taskId: null, runId: "run_2", stepId: "s", agentRole: "qa_engineer", response });
  });
  const rows = await handle.db.select().from(llmCalls).where(eq(llmCalls.runId, "run_2"));
  expect(rows).toHaveLength(1);
});

test("records why a call did not go to the route's first choice", async () => {
  const route = {
    skipped: [{ provider: "anthropic" as const, model: "claude-opus-4-8", reason: "over_max_cost", message: "worst-case cost 25000 µUSD is over the 10000 µUSD limit per call" }],
    failed: [{ provider: "openai" as const, model: "gpt-4.1", reason: "rate_limited", status: 429, message: "slow down" }],
  };
  await recordLlmCall(handle.db, {
    organizationId: "org_ledger",
    taskId: null,
    runId: "run_3",
    stepId: "s",
    agentRole: "developer",
    response: { ...response, route },
  });
  const [row] = await handle.db.select().from(llmCalls).where(eq(llmCalls.runId, "run_3"));
  expect(row?.route).toEqual(route);
  const [plain] = await handle.db.select().from(llmCalls).where(eq(llmCalls.runId, "run_2"));
  expect(plain?.route).toBeNull();
});
