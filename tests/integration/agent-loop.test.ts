import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, expect, test } from "@jest/globals";
import { createTestDatabase, type TestDatabase } from "@/tests/fixtures/database";
import { openAiCompletion, startOpenAiStandIn } from "@/tests/fixtures/vendors/openai-stand-in";
import type { StandIn } from "@/tests/fixtures/vendors/stand-in-server";

// The agent loop through the real `openai` client against the local stand-in: unusable answers are
// re-prompted inside the loop, and a conversation nearing the model's window has its old tool outputs
// elided (and the timeline says so).

let pg: TestDatabase;
let openai: StandIn & { baseURL: string };
let dataDir: string;
let worktree: string;
let agent: typeof import("@/lib/agents/run-agent");
let scope: { organizationId: string; taskId: string };

const envKeys = ["DATABASE_URL", "DATA_DIR", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"] as const;
const savedEnv = Object.fromEntries(envKeys.map((k) => [k, process.env[k]]));

beforeAll(async () => {
  pg = await createTestDatabase("pglite");
  openai = await startOpenAiStandIn();
  dataDir = await mkdtemp(path.join(tmpdir(), "squadron-agent-loop-"));
  Object.assign(process.env, {
    DATABASE_URL: pg.url,
    DATA_DIR: dataDir,
    OPENAI_API_KEY: "sk-standin-openai",
    OPENAI_BASE_URL: openai.baseURL,
    OPENAI_MODEL: "gpt-4.1-mini",
  });
  // App modules read the environment when they load: import them only now.
  const { runMigrations } = await import("@/db/migrate");
  await runMigrations(pg.url);
  const { getDb } = await import("@/db/client");
  const { organization } = await import("@/db/schema/auth");
  const { squads, tasks } = await import("@/db/schema");
  const { ensureExampleRepository, prepareWorktree } = await import("@/lib/workspace");
  agent = await import("@/lib/agents/run-agent");
  // Load the tokenizer's ranks now (seconds on a busy machine), not between two calls to the stand-in,
  // whose idle keep-alive sockets close after 5 s.
  (await import("@/lib/agents/context-budget")).countTokens("warm up");
  const db = getDb();
  await db.insert(organization).values({ id: "org_loop", name: "Loop Org", slug: "loop-org" });
  const [squad] = await db.insert(squads).values({ organizationId: "org_loop", name: "Squad" }).returning();
  const [task] = await db
    .insert(tasks)
    .values({ organizationId: "org_loop", squadId: squad.id, title: "Fix it", source: "api", status: "running" })
    .returning();
  scope = { organizationId: "org_loop", taskId: task.id };
  const repo = await ensureExampleRepository(dataDir);
  worktree = (await prepareWorktree({ repoPath: repo, dataDir, taskId: "loop" })).path;
  // Files big enough that a few reads fill a 32k-token window.
  for (let i = 0; i < 6; i++) {
    const body = Array.from({ length: 400 }, (_, n) => `export const value_${i}_${n} = compute(${n}, "file ${i}");`).join("\n");
    await writeFile(path.join(worktree, `big-${i}.js`), `${body}\n`);
  }
}, 120_000);

afterAll(async () => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const { closeDb } = await import("@/db/client");
  await closeDb();
  await openai?.close();
  await pg?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(() => openai.reset());

/** Memoizing steps, as the workflow's would be. */
function memoSteps() {
  const memo = new Map<string, unknown>();
  return {
    memo,
    steps: {
      async run<T>(id: string, fn: () => Promise<T>): Promise<T> {
        if (memo.has(id)) return memo.get(id) as T;
        const value = await fn();
        memo.set(id, value);
        return value;
      },
      async sendEvent() {},
      async waitForEvent() {
        return null;
      },
    },
  };
}

function context(model: string, runId: string) {
  return {
    ...scope,
    runId,
    task: { title: "Fix it", description: "" },
    role: "developer" as const,
    modelRoute: [{ provider: "openai" as const, model }],
    instructions: null,
    workspace: { path: worktree, testCommand: "npm test" },
  };
}

type SentMessage = { role: string; content?: unknown };
const sentMessages = (i: number): SentMessage[] => {
  const body = openai.requests[i]?.body as { messages: SentMessage[] };
  return body.messages;
};

test("an empty answer and a refusal are re-prompted inside the loop; the third usable answer goes on", async () => {
  openai.enqueue(
    openAiCompletion({ content: "" }),
    openAiCompletion({ content: "I can't do that.", finishReason: "content_filter" }),
    openAiCompletion({ toolCalls: [{ id: "c1", name: "read_file", arguments: { path: "package.json" } }] }),
    openAiCompletion({ content: "Read package.json; nothing to change." }),
  );
  const { steps, memo } = memoSteps();
  const result = await agent.runAgent({ steps }, context("gpt-4.1-mini", "run-reprompt"), { stepPrefix: "dev", prompt: "Look around." });
  expect(result.content).toBe("Read package.json; nothing to change.");
  expect(result.toolResults.map((r) => [r.name, r.ok])).toEqual([["read_file", true]]);
  expect([...memo.keys()].filter((k) => k.includes("model"))).toEqual(["dev/model-0", "dev/model-0-retry-1", "dev/model-0-retry-2", "dev/model-1"]);
  // The second request tells the model what was wrong; the third also carries the refused text back.
  expect(JSON.stringify(sentMessages(1).at(-1))).toMatch(/could not be used: the answer was empty/);
  expect(JSON.stringify(sentMessages(2).slice(-2))).toMatch(/I can't do that\..*refused or stopped/);
});

test("three unusable answers in a row are a provider failure", async () => {
  openai.enqueue(openAiCompletion({ content: "" }), openAiCompletion({ content: " " }), openAiCompletion({ content: null }));
  const { steps } = memoSteps();
  await expect(agent.runAgent({ steps }, context("gpt-4.1-mini", "run-fail"), { stepPrefix: "dev", prompt: "Go." })).rejects.toMatchObject({
    code: "unavailable",
    message: expect.stringMatching(/gave no usable answer 3 times in a row/),
  });
  expect(openai.requests).toHaveLength(3);
});

test("near a local model's window, the oldest tool outputs are elided (calls kept) and the timeline records it", async () => {
  for (let i = 0; i < 6; i++) {
    openai.enqueue(openAiCompletion({ model: "local-coder", toolCalls: [{ id: `r${i}`, name: "read_file", arguments: { path: `big-${i}.js` } }] }));
  }
  openai.enqueue(openAiCompletion({ model: "local-coder", content: "Read them all." }));
  const { steps, memo } = memoSteps();
  const result = await agent.runAgent({ steps }, context("local-coder", "run-elide"), { stepPrefix: "dev", prompt: "Read the big files." });
  expect(result.content).toBe("Read them all.");
  const elisions = [...memo.keys()].filter((k) => k.includes("elide"));
  expect(elisions.length).toBeGreaterThan(0);
  const last = sentMessages(openai.requests.length - 1);
  const toolMessages = last.filter((m) => m.role === "tool");
  expect(toolMessages).toHaveLength(6);
  expect(String(toolMessages[0]?.content)).toMatch(/^\[output elided to save context: read_file → /);
  expect(String(toolMessages.at(-1)?.content)).toMatch(/value_5_0/);
  // Every tool call is still in the conversation, answered by its (possibly elided) result.
  expect(last.filter((m) => m.role === "assistant")).toHaveLength(6);

  const { getDb } = await import("@/db/client");
  const { taskEvents } = await import("@/db/schema");
  const { eq } = await import("drizzle-orm");
  const events = await getDb().select().from(taskEvents).where(eq(taskEvents.taskId, scope.taskId));
  const elided = events.find((e) => /context neared the model's window/.test(e.message));
  expect(elided?.message).toMatch(/of 32,768 tokens\): elided \d+ old tool output\(s\) \(read_file/);
});
