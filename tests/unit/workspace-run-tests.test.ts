import { access, mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { runTests, scrubEnvironment, stripUnsandboxedWarning } from "@/lib/workspace";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "squadron-run-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("runTests", () => {
  test("reports exit code, pass/fail and output of stdout and stderr", async () => {
    const ok = await runTests(dir, "echo out; echo err 1>&2");
    expect(ok).toMatchObject({ exitCode: 0, passed: true, timedOut: false, truncated: false });
    expect(ok.output).toContain("out");
    expect(ok.output).toContain("err");

    const failed = await runTests(dir, "echo failing; exit 3");
    expect(failed).toMatchObject({ exitCode: 3, passed: false, timedOut: false });
  });

  test("runs in the worktree folder", async () => {
    const res = await runTests(dir, "pwd");
    // Where bubblewrap is missing, an unsandboxed run starts with a warning line.
    expect(stripUnsandboxedWarning(res.output).trim()).toBe(await realpath(dir));
  });

  test("a timeout kills the whole process group, background children included", async () => {
    const marker = path.join(dir, "survivor");
    const res = await runTests(dir, `(sleep 1 && touch ${marker}) & sleep 30`, { timeoutMs: 300 });
    expect(res).toMatchObject({ timedOut: true, exitCode: null, passed: false });
    expect(res.durationMs).toBeLessThan(10_000);
    await sleep(1_500);
    await expect(access(marker)).rejects.toThrow(); // the background child died with the group
  });

  test("output beyond the cap is cut from the middle, keeping its start and end", async () => {
    const script = "process.stdout.write('START' + 'x'.repeat(200000) + 'END')";
    const res = await runTests(dir, `node -e "${script}"`, { maxOutputBytes: 10_000 });
    const output = stripUnsandboxedWarning(res.output);
    expect(res.truncated).toBe(true);
    expect(output.startsWith("START")).toBe(true);
    expect(output.endsWith("END")).toBe(true);
    expect(output).toMatch(/\[… \d+ bytes of output omitted …\]/);
    expect(Buffer.byteLength(output)).toBeLessThan(10_200);
  });

  test("secrets in the environment never reach the command", async () => {
    const planted = {
      OPENAI_API_KEY: "sk-live-should-not-leak",
      DATABASE_URL: "postgres://user:pw@db/prod",
      GITHUB_TOKEN: "ghp_should_not_leak",
      BETTER_AUTH_SECRET: "s".repeat(40),
    };
    const saved = Object.fromEntries(Object.keys(planted).map((k) => [k, process.env[k]]));
    Object.assign(process.env, planted);
    try {
      const res = await runTests(
        dir,
        'echo "key=[$OPENAI_API_KEY] db=[$DATABASE_URL] gh=[$GITHUB_TOKEN] auth=[$BETTER_AUTH_SECRET] path=[$PATH]"',
      );
      expect(res.output).toContain("key=[] db=[] gh=[] auth=[]");
      expect(res.output).toMatch(/path=\[[^\]]+\]/); // PATH is kept so `npm test` works
      const env = await runTests(dir, "env");
      expect(env.output).not.toMatch(/should-not-leak|should_not_leak|postgres:\/\//);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  test("the environment is an allowlist", () => {
    const env = scrubEnvironment({
      PATH: "/bin",
      HOME: "/home/u",
      LANG: "C.UTF-8",
      LC_ALL: "C",
      STRIPE_SECRET_KEY: "sk",
      PINECONE_API_KEY: "pc",
      SOME_NEW_SETTING: "x",
      NODE_ENV: "production",
    });
    expect(env).toEqual({ PATH: "/bin", HOME: "/home/u", LANG: "C.UTF-8", LC_ALL: "C", CI: "1", NO_COLOR: "1", NODE_ENV: "test" });
  });
});
