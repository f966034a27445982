import { spawn } from "node:child_process";
import { CappedOutput } from "./output";
import type { SandboxKind, SandboxLimits, SandboxResult } from "./types";

/** After the command exits, how long we wait for stragglers holding its pipes open, in ms. */
const PIPE_DRAIN_MS = 1_000;

/** A process to start: `file` with `args` (no shell around it), in `cwd`, with exactly `env`. */
export type Launch = {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Lines put before the command's output (not counted against the output cap). */
  banner?: string;
};

/**
 * Starts `launch` in its own process group and collects its output.
 *
 * - At `limits.timeoutMs` the whole process group gets SIGKILL (test runners spawn workers);
 *   `timedOut: true`, `exitCode: null`. Background processes still alive when the command exits are
 *   killed the same way.
 * - Output beyond `limits.maxOutputBytes` is cut from the middle.
 */
export async function execute(
  launch: Launch,
  limits: Pick<SandboxLimits, "timeoutMs" | "maxOutputBytes">,
  sandbox: SandboxKind,
): Promise<SandboxResult> {
  const output = new CappedOutput(Math.max(1024, limits.maxOutputBytes));
  const started = performance.now();
  const child = spawn(launch.file, launch.args, {
    cwd: launch.cwd,
    env: launch.env,
    detached: true, // own process group (and session), so a timeout can kill the runner's workers too
    stdio: ["ignore", "pipe", "pipe"],
  });
  const killGroup = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk));

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, limits.timeoutMs);

  const exitCode = await new Promise<number | null>((resolve) => {
    child.once("error", (error) => {
      output.push(Buffer.from(`\n[failed to start: ${error.message}]\n`));
      resolve(null);
    });
    child.once("exit", (code) => resolve(code));
  });
  clearTimeout(timer);
  // Background processes the command left behind would keep the pipes open.
  killGroup();
  await new Promise<void>((resolve) => {
    if (child.stdout.closed && child.stderr.closed) return resolve();
    const drain = setTimeout(() => {
      child.stdout.destroy();
      child.stderr.destroy();
      resolve();
    }, PIPE_DRAIN_MS);
    child.once("close", () => {
      clearTimeout(drain);
      resolve();
    });
  });

  const durationMs = Math.round(performance.now() - started);
  const finalCode = timedOut ? null : exitCode;
  return {
    exitCode: finalCode,
    passed: finalCode === 0,
    timedOut,
    durationMs,
    output: (launch.banner ?? "") + output.toString(),
    truncated: output.truncated,
    sandbox,
  };
}
