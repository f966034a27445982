import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { createTestDatabase, type TestDatabase } from "@/tests/fixtures/database";
import { loadTranscript, startReplayer, type ReplayVendor } from "@/tests/fixtures/vendors/replayer";

// A developer agent fixes a real bug in a 3,000-line file through the real `openai` and
// `@anthropic-ai/sdk` clients, driven by a recorded transcript (search → read range → edit → run tests),
// and every other line of the file is byte-identical afterwards.

const LINES = 3_000;
const BUG_LINE = 1_501; // 1-based line of `function clampPercent`
let pg: TestDatabase;
let dataDir: string;
let agent: typeof import("@/lib/agents/run-agent");
let scope: { organizationId: string; taskId: string };
let repoPath: string;
let prepareWorktree: typeof import("@/lib/workspace").prepareWorktree;

const envKeys = ["DATABASE_URL", "DATA_DIR", "OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"] as const;
const savedEnv = Object.fromEntries(envKeys.map((k) => [k, process.env[k]]));

function bigFile(): string {
  const lines: string[] = [];
  for (let n = 1; n <= LINES; n++) {
    if (n === BUG_LINE) lines.push("function clampPercent(value) {");
    else if (n === BUG_LINE + 1) lines.push("  return Math.min(100, value);");
    else if (n === BUG_LINE + 2) lines.push("}");
    else lines.push(`const filler_${n} = ${n} * 2; // line ${n}`);
  }
  lines.push("export { clampPercent };"); // the example repository is an ES module package
  return `${lines.join("\n")}\n`;
}

const TEST_JS = [
  'import assert from "node:assert";',
  'import { clampPercent } from "./big.js";',
  "assert.strictEqual(clampPercent(150), 100);",
  "assert.strictEqual(clampPercent(-5), 0);",
  "assert.strictEqual(clampPercent(42), 42);",
  'console.log("clampPercent ok");',
  "",
].join("\n");

beforeAll(async () => {
  pg = await createTestDatabase("pglite");
  dataDir = await mkdtemp(path.join(tmpdir(), "squadron-replay-agent-"));
  Object.assign(process.env, {
    DATABASE_URL: pg.url,
    DATA_DIR: dataDir,
    OPENAI_API_KEY: "sk-standin-openai",
    ANTHROPIC_API_KEY: "sk-ant-standin",
  });
  const { runMigrations } = await import("@/db/migrate");
  await runMigrations(pg.url);
  const { getDb } = await import("@/db/client");
  const { organization } = await import("@/db/schema/auth");
  const { squads, tasks } = await import("@/db/schema");
  const ws = await import("@/lib/workspace");
  prepareWorktree = ws.prepareWorktree;
  agent = await import("@/lib/agents/run-agent");
  (await import("@/lib/agents/context-budget")).countTokens("warm up");
  const db = getDb();
  await db.insert(organization).values({ id: "org_replay", name: "Replay Org", slug: "replay-org" });
  const [squad] = await db.insert(squads).values({ organizationId: "org_replay", name: "Squad" }).returning();
  const [task] = await db
    .insert(tasks)
    .values({ organizationId: "org_replay", squadId: squad.id, title: "Fix clampPercent", source: "api", status: "running" })
    .returning();
  scope = { organizationId: "org_replay", taskId: task.id };
  repoPath = await ws.ensureExampleRepository(dataDir);
}, 120_000);

afterAll(async () => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const { closeDb } = await import("@/db/client");
  await closeDb();
  await pg?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function memoSteps() {
  const memo = new Map<string, unknown>();
  return {
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
  };
}

test.each<[ReplayVendor, string]>([
  ["openai", "gpt-4.1-mini"],
  ["anthropic", "claude-sonnet-4-5"],
])("%s: search → read range → edit → run tests fixes a 3,000-line file, other lines byte-identical", async (vendor, model) => {
  const replayer = await startReplayer(vendor, loadTranscript(path.join(process.cwd(), "tests/fixtures/transcripts/fix-bug-3000-lines.json")));
  try {
    if (vendor === "openai") process.env.OPENAI_BASE_URL = replayer.baseURL;
    else process.env.ANTHROPIC_BASE_URL = replayer.baseURL;
    const worktree = (await prepareWorktree({ repoPath, dataDir, taskId: `replay-${vendor}` })).path;
    const before = bigFile();
    await writeFile(path.join(worktree, "big.js"), before);
    await writeFile(path.join(worktree, "clamp.test.js"), TEST_JS);
    const result = await agent.runAgent(
      { steps: memoSteps() },
      {
        ...scope,
        runId: `replay-${vendor}`,
        task: { title: "Fix clampPercent", description: "clampPercent(-5) should be 0" },
        role: "developer" as const,
        modelRoute: [{ provider: vendor, model }],
        instructions: null,
        workspace: { path: worktree, testCommand: "node clamp.test.js" },
      },
      { stepPrefix: "dev", prompt: "clampPercent lets negative values through; fix it." },
    );
    expect(replayer.verify()).toEqual([]);
    expect(result.content).toMatch(/Fixed clampPercent/);
    expect(result.toolResults.map((r) => [r.name, r.ok])).toEqual([
      ["search", true],
      ["read_file", true],
      ["edit_file", true],
      ["run_tests", true],
    ]);
    const after = (await readFile(path.join(worktree, "big.js"), "utf8")).split("\n");
    const orig = before.split("\n");
    expect(after).toHaveLength(orig.length);
    const changed = orig.map((line, i) => (line === after[i] ? -1 : i + 1)).filter((n) => n > 0);
    expect(changed).toEqual([BUG_LINE + 1]);
    expect(after[BUG_LINE]).toBe("  return Math.max(0, Math.min(100, value));");
  } finally {
    await replayer.close();
  }
}, 60_000);
