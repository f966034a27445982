/**
 * The chaos soak's short form (`npm run soak`, RELIABILITY.md): 12 tasks of the scripted mix (code,
 * approve, reject, cancel, retry) while the app and the executor are SIGKILLed 3 times and PostgreSQL
 * is crash-restarted once; every check of the soak must pass (end states, no duplicate ledger rows
 * or effects, no event a client could miss, no stuck run, no orphan worktree or sandbox).
 *
 * The database is a private throwaway cluster (PostgreSQL binaries under /usr/lib/postgresql, run as
 * the `postgres` OS user when root). Where none can be made the soak falls back, labelled, to a
 * database of its own on the server at TEST_DATABASE_URL, where the "restart" terminates that
 * database's backends: the process kills are exercised either way.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

type Result = {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
  notes: string[];
  figures: { database: string; tasks: number; kills: number; dbRestarts: number; lost: number; duplicated: number; stuck: number; orphans: number };
};

describe("chaos soak (short form)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "squadron-soak-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "12 tasks, 3 kills of app/executor, 1 database restart: nothing lost, duplicated, stuck or left behind",
    async () => {
      const out = path.join(dir, "result.json");
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "" };
      delete env.INNGEST_DEV;
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "scripts/soak.ts", "--tasks", "12", "--kills", "3", "--db-restarts", "1", "--minutes", "3", "--concurrency", "8", "--sse", "4", "--json", out],
        { cwd: process.cwd(), env, stdio: ["ignore", "pipe", "pipe"] },
      );
      const lines: string[] = [];
      const collect = (chunk: Buffer) => lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => child.kill("SIGINT"), 230_000);
        child.once("exit", (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      const printed = lines.slice(-60).join("\n");
      let result: Result;
      try {
        result = JSON.parse(readFileSync(out, "utf8")) as Result;
      } catch {
        throw new Error(`the soak wrote no result (exit ${code}):\n${printed}`);
      }
      if (!result.ok || code !== 0) throw new Error(`soak failed (exit ${code}):\n${printed}`);
      expect(result.checks.every((c) => c.ok)).toBe(true);
      expect(result.figures).toMatchObject({ tasks: 12, kills: 3, dbRestarts: 1, lost: 0, duplicated: 0, stuck: 0, orphans: 0 });
      if (result.figures.database.startsWith("FALLBACK")) console.warn(`soak ran on the fallback database: ${result.figures.database}`);
    },
    240_000,
  );
});
