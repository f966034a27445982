import { execFile, spawn } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { EvalTask } from "./tasks";

const exec = promisify(execFile);

/** Git with a fixed identity and no user or system config, so the harness behaves the same everywhere. */
function git(cwd: string, args: string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Squadron eval",
    GIT_AUTHOR_EMAIL: "eval@squadron.local",
    GIT_COMMITTER_NAME: "Squadron eval",
    GIT_COMMITTER_EMAIL: "eval@squadron.local",
  };
  if (input === undefined) return exec("git", args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(Object.assign(new Error(stderr.trim() || `git ${args[0]} exited ${code}`), { stdout, stderr }))));
    child.stdin.end(input);
  });
}

/**
 * Copies the task's vendored repository (never its hidden tests) to `dest` and makes it a git
 * repository with one commit on `main`, as a user's checkout would be. `dest` must not exist.
 */
export async function materializeRepository(task: EvalTask, dest: string): Promise<string> {
  if (existsSync(dest)) throw new Error(`${dest} already exists`);
  mkdirSync(path.dirname(dest), { recursive: true });
  cpSync(task.repoDir, dest, { recursive: true });
  await git(dest, ["init", "-q", "-b", "main"]);
  await git(dest, ["add", "-A"]);
  await git(dest, ["commit", "-q", "-m", `${task.upstream.repo} at ${task.upstream.commit.slice(0, 7)} (vendored for Squadron's eval)`]);
  return dest;
}

export type CommandResult = { exitCode: number | null; timedOut: boolean; output: string; ms: number };

/**
 * Runs `command` in `dir` the way Squadron runs an agent's tests: under the app's sandbox driver
 * (bubblewrap — no network, only `dir` writable, limits — or unsandboxed where the operator allows it),
 * bounded by `timeoutMs`. The judge runs code a model wrote, so it gets the same isolation.
 * Loaded lazily: the sandbox reads the app's settings, which must not load before Squadron boots.
 */
async function runJudged(command: string, dir: string, timeoutMs: number): Promise<CommandResult> {
  const sandbox = await import("@/lib/workspace/sandbox");
  const driver = await sandbox.selectSandboxDriver();
  const env = sandbox.scrubEnvironment();
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules etc. are not the repository's business
  delete env.NODE_TEST_CONTEXT; // set when the harness itself runs under `node --test`
  const r = await driver.run({ worktree: dir, command, env, limits: sandbox.defaultSandboxLimits({ timeoutMs, maxOutputBytes: 65_536 }) });
  return { exitCode: r.exitCode, timedOut: r.timedOut, output: r.output, ms: r.durationMs };
}

export type Verdict = {
  /** Hidden test passes AND the repository's own suite still passes (SWE-bench's FAIL_TO_PASS + PASS_TO_PASS). */
  resolved: boolean;
  /** The patch applied to a fresh copy (an empty or missing patch counts as applied: nothing to apply). */
  patchApplied: boolean;
  /** The hidden (upstream fix's) test passed. */
  hiddenPassed: boolean;
  /** The repository's own test command passed (before the hidden test was added). */
  suitePassed: boolean;
  /** Why it is not resolved, or "resolved". */
  reason: string;
  /** Tail of the hidden test's output (or of `git apply`'s error). */
  output: string;
};

const tail = (s: string, n = 2_000) => (s.length > n ? `…${s.slice(-n)}` : s);

/**
 * Judges a patch: applies it (`git apply`) to a fresh copy of the task's repository under `workDir`,
 * runs the repository's test command, then adds the hidden test(s) and runs them with `node --test`,
 * each in the sandbox agents' tests run in and bounded by `timeoutMs`. The copy is removed afterwards unless `keep`.
 */
export async function judgePatch(
  task: EvalTask,
  patch: string | null,
  opts: { workDir: string; timeoutMs?: number; keep?: boolean },
): Promise<Verdict> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const dir = path.join(opts.workDir, `${task.id}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`);
  await materializeRepository(task, dir);
  try {
    if (patch && patch.trim() !== "") {
      try {
        await git(dir, ["apply", "--whitespace=nowarn", "-"], patch.endsWith("\n") ? patch : `${patch}\n`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { resolved: false, patchApplied: false, hiddenPassed: false, suitePassed: false, reason: "the patch does not apply", output: tail(message) };
      }
    }
    const suite = await runJudged(task.testCommand, dir, timeoutMs);
    for (const f of task.hiddenFiles) copyFileSync(f, path.join(dir, path.basename(f)));
    const hidden = await runJudged(`node --test ${task.hidden.map((f) => `'${f}'`).join(" ")}`, dir, timeoutMs);
    const suitePassed = suite.exitCode === 0 && !suite.timedOut;
    const hiddenPassed = hidden.exitCode === 0 && !hidden.timedOut;
    const reason = hiddenPassed && suitePassed
      ? "resolved"
      : !hiddenPassed
        ? hidden.timedOut ? `the hidden test timed out after ${timeoutMs} ms` : "the hidden test fails"
        : suite.timedOut ? `the repository's tests timed out after ${timeoutMs} ms` : "the repository's own tests fail";
    return { resolved: hiddenPassed && suitePassed, patchApplied: true, hiddenPassed, suitePassed, reason, output: tail(hiddenPassed ? suite.output : hidden.output) };
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}
