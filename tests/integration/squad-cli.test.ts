import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startStack, type Client, type Stack } from "../fixtures/stack";
import type { runCli as RunCli } from "@/lib/cli/program";

// The `squad` CLI against the real app (route handlers + local executor): API key auth, every
// command's --help, outcomes as exit codes, approvals, and --json output.

let stack: Stack;
let owner: Client;
let apiKey: string;
let runCli: typeof RunCli;
const configDir = mkdtempSync(path.join(tmpdir(), "squad-cli-config-"));

type Run = { code: number; out: string; err: string };

async function squad(args: string[], env: Record<string, string | undefined> = {}, stdin = ""): Promise<Run> {
  let out = "";
  let err = "";
  const code = await runCli(args, {
    env: { SQUADRON_URL: stack.url, SQUADRON_API_KEY: apiKey, SQUADRON_CONFIG: path.join(configDir, "none.json"), ...env },
    stdout: (t) => {
      if (process.env.DEBUG_CLI) process.stderr.write(t);
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    readStdin: async () => stdin,
    isTty: false,
  });
  return { code, out, err };
}

beforeAll(async () => {
  stack = await startStack("pglite");
  ({ runCli } = await import("@/lib/cli/program"));
  owner = await stack.signUp("Cli owner");
  const created = await owner.json<{ key: string }>("/api/v1/api-keys", { method: "POST", body: JSON.stringify({ name: "cli test" }) });
  expect(created.status).toBe(201);
  apiKey = created.body.key;
}, 150_000);

afterAll(async () => {
  await stack?.stop();
});

test("`npm run squad -- <command> --help` prints usage without a stack trace, for every command", async () => {
  const { stdout, stderr } = await promisify(execFile)(path.join("node_modules", ".bin", "tsx"), ["scripts/squad-cli.ts", "follow", "--help"], {
    env: { ...process.env, SQUADRON_API_KEY: "" },
  });
  expect(stdout).toMatch(/Usage: squad follow \[options\] <task id>/);
  expect(stderr).not.toMatch(/at .*\.ts:\d+/);

  for (const command of ["login", "logout", "run", "list", "follow", "show", "diff", "cancel", "retry", "approve", "reject", "repos", "squads"]) {
    const r = await squad([command, "--help"], { SQUADRON_API_KEY: undefined });
    expect({ command, code: r.code }).toEqual({ command, code: 0 });
    expect(r.out).toContain(`Usage: squad ${command}`);
  }
  const top = await squad(["--help"]);
  expect(top.out).toMatch(/Exit codes:[\s\S]*3 {2}the task ended no_changes/);

  const unknown = await squad(["frobnicate"]);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toMatch(/unknown command 'frobnicate'/);
  const missing = await squad(["show"]);
  expect(missing.code).toBe(2);
  expect(missing.err).toMatch(/missing required argument/);
}, 60_000);

test("without an API key a command says how to get one (exit 2); a wrong key is refused (exit 1)", async () => {
  const none = await squad(["list"], { SQUADRON_API_KEY: undefined });
  expect(none.code).toBe(2);
  expect(none.err).toMatch(/SQUADRON_API_KEY.*squad login/);
  const wrong = await squad(["list"], { SQUADRON_API_KEY: "sq_wrong" });
  expect(wrong.code).toBe(1);
  expect(wrong.err).toMatch(/^squad: /);
});

test("`squad login` checks the key, stores it (mode 0600) and later commands use it; logout removes it", async () => {
  const file = path.join(configDir, "login", "config.json");
  const bad = await squad(["login", "--key", "sq_nope"], { SQUADRON_API_KEY: undefined, SQUADRON_CONFIG: file });
  expect(bad.code).toBe(1);
  expect(() => statSync(file)).toThrow();

  const ok = await squad(["login"], { SQUADRON_API_KEY: undefined, SQUADRON_CONFIG: file }, `${apiKey}\n`);
  expect(ok.code).toBe(0);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ url: stack.url, apiKey });
  // no env at all: the saved URL and key are used
  const listed = await squad(["list", "--json"], { SQUADRON_API_KEY: undefined, SQUADRON_URL: undefined, SQUADRON_CONFIG: file });
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.out)).toEqual(expect.any(Array));

  const out = await squad(["logout"], { SQUADRON_CONFIG: file });
  expect(out.code).toBe(0);
  expect((await squad(["list"], { SQUADRON_API_KEY: undefined, SQUADRON_CONFIG: file })).code).toBe(2);
});

test("`squad login --email` signs in once and stores a new API key", async () => {
  const email = `cli-login-${Date.now()}@example.test`;
  await stack.signUp("Login user", email);
  const file = path.join(configDir, "email", "config.json");
  const r = await squad(["login", "--email", email], { SQUADRON_API_KEY: undefined, SQUADRON_CONFIG: file, SQUADRON_PASSWORD: "correct-horse-battery" });
  expect(r.code).toBe(0);
  const saved = JSON.parse(readFileSync(file, "utf8")) as { apiKey: string };
  const me = await stack.withApiKey(saved.apiKey).json("/api/v1/tasks?limit=1");
  expect(me.status).toBe(200);
});

test("run --follow prints progress and exits 0 for a delivered patch; diff and show read it back", async () => {
  const squads = await squad(["squads", "--json"]);
  const [defaultSquad] = JSON.parse(squads.out) as { id: string; name: string }[];
  expect(defaultSquad).toBeDefined();
  const r = await squad(["run", "Add a DELETE /todos/:id endpoint", "--squad", defaultSquad.name, "--follow"]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/developer\s+.*started/);
  expect(r.out).toMatch(/\[[█░]{10}\] \d+\/\d+ subtasks · completed \(delivered\)/);
  const taskId = /Task (\S+) delivered/.exec(r.out)?.[1];
  expect(taskId).toBeDefined();

  const diff = await squad(["diff", String(taskId)]);
  expect(diff.code).toBe(0);
  expect(diff.out).toMatch(/^diff --git/m);

  const show = await squad(["show", String(taskId), "--json", "--exit-status"]);
  expect(show.code).toBe(0);
  expect(JSON.parse(show.out)).toMatchObject({ id: taskId, status: "completed", outcome: "delivered", source: "cli", squadId: defaultSquad.id });

  const list = await squad(["list", "--outcome", "delivered", "--squad", defaultSquad.id, "--json"]);
  expect((JSON.parse(list.out) as { id: string }[]).map((t) => t.id)).toContain(taskId);
  const none = await squad(["list", "--outcome", "no_changes", "--json"]);
  expect((JSON.parse(none.out) as { id: string }[]).map((t) => t.id)).not.toContain(taskId);
}, 150_000);

test("a task that changes nothing exits 3 (and has no diff: exit 3); an unknown --repository is a usage error", async () => {
  const r = await squad(["run", "Rewrite the app in Rust", "--follow", "--json"]);
  expect(r.code).toBe(3);
  const lines = r.out.trim().split("\n");
  // --json while following: one JSON event per line, then the task
  expect(JSON.parse(lines[0] ?? "")).toMatchObject({ type: expect.any(String), actor: expect.any(String) });
  const final = JSON.parse(r.out.slice(r.out.indexOf("{\n"))) as { id: string; outcome: string };
  expect(final.outcome).toBe("no_changes");
  expect((await squad(["diff", final.id])).code).toBe(3);

  const bad = await squad(["run", "x", "--repository", "no-such-repo"]);
  expect(bad.code).toBe(2);
  expect(bad.err).toMatch(/no repository "no-such-repo"/);
  const budget = await squad(["run", "x", "--budget", "-3"]);
  expect(budget.code).toBe(2);
}, 150_000);

test("a supervised squad: follow exits 6 at the approval; approve lets it deliver (0); reject ends it (5)", async () => {
  const [sq] = (await owner.json<{ id: string }[]>("/api/v1/squads")).body;
  const patched = await owner.json(`/api/v1/squads/${sq?.id}`, { method: "PATCH", body: JSON.stringify({ autonomy: "supervised" }) });
  expect(patched.status).toBe(200);

  const waiting = await squad(["run", "Add a DELETE /todos/:id endpoint", "--follow"]);
  expect(waiting.code).toBe(6);
  const taskId = String(/Task (\S+) waits for approval/.exec(waiting.out)?.[1]);
  expect(waiting.out).toContain(`squad approve ${taskId}`);
  expect((await squad(["show", taskId, "--exit-status"])).code).toBe(6);

  const approved = await squad(["approve", taskId, "-m", "ship it"]);
  expect(approved.code).toBe(0);
  expect(approved.out).toMatch(/Approved deliver of task/);
  const delivered = await squad(["follow", taskId]);
  expect(delivered.code).toBe(0);

  const second = await squad(["run", "Add a DELETE /todos/:id endpoint", "--follow"]);
  expect(second.code).toBe(6);
  const secondId = String(/Task (\S+) waits/.exec(second.out)?.[1]);
  const rejected = await squad(["reject", secondId, "-m", "not now"]);
  expect(rejected.code).toBe(0);
  const ended = await squad(["follow", secondId]);
  expect(ended.code).toBe(5);
  expect((await squad(["approve", secondId])).code).toBe(1);
}, 150_000);

test("cancel and retry a task that waits for approval; repos lists the organization's repositories", async () => {
  // The squad is supervised since the previous test: the task stops before delivering.
  const waiting = await squad(["run", "Add a DELETE /todos/:id endpoint", "--follow"]);
  expect(waiting.code).toBe(6);
  const taskId = String(/Task (\S+) waits/.exec(waiting.out)?.[1]);
  const cancelled = await squad(["cancel", taskId, "--reason", "changed my mind", "--json"]);
  expect(cancelled.code).toBe(0);
  expect(JSON.parse(cancelled.out)).toMatchObject({ id: taskId, status: "cancelled" });
  expect((await squad(["follow", taskId])).code).toBe(5);
  expect((await squad(["show", taskId, "--exit-status"])).code).toBe(5);
  const retried = await squad(["retry", taskId, "--follow"]);
  expect(retried.code).toBe(6);

  const repos = await squad(["repos", "--json"]);
  expect(repos.code).toBe(0);
  const [repo] = JSON.parse(repos.out) as { id: string; name: string }[];
  expect(repo).toBeDefined();
  const byRepo = await squad(["list", "--repository", String(repo?.name), "--json"]);
  expect((JSON.parse(byRepo.out) as { id: string }[]).map((t) => t.id)).toContain(taskId);
}, 150_000);
