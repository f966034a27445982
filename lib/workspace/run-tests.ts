import { stat } from "node:fs/promises";
import { AppError } from "@/lib/errors";
import {
  defaultSandboxLimits,
  scrubEnvironment,
  selectSandboxDriver,
  type SandboxDriver,
  type SandboxLimits,
  type SandboxResult,
} from "./sandbox";

export { DEFAULT_MAX_OUTPUT_BYTES, scrubEnvironment } from "./sandbox";

/**
 * What a test command did: `exitCode` (null when killed by the timeout or a signal), `passed` (exit
 * code 0 within the time limit), `timedOut`, `durationMs` (ms), `output` (stdout and stderr interleaved,
 * capped: first and last halves kept; an unsandboxed run starts with a warning line), `truncated`,
 * and `sandbox` (`"bubblewrap"` or `"none"`).
 */
export type RunTestsResult = SandboxResult;

/**
 * Runs a test command with `/bin/sh -c` in the worktree, through the sandbox driver
 * ({@link selectSandboxDriver}: bubblewrap, or unsandboxed only where `SANDBOX_ALLOW_UNSANDBOXED` allows).
 *
 * - `timeoutMs` (default `WORKSPACE_COMMAND_TIMEOUT_MS`, 120 000 ms): when reached, everything the
 *   command started gets SIGKILL; `timedOut: true`, `exitCode: null`.
 * - `maxOutputBytes` (default `DEFAULT_MAX_OUTPUT_BYTES`, 64 KiB): output beyond it is cut from the middle.
 * - `limits`: the other limits (CPU s, memory bytes, processes, file bytes, /tmp bytes); defaults in
 *   `defaultSandboxLimits` (from `lib/env.ts`).
 * - `sandbox`: the driver to use (tests); default the selected one.
 * - The environment is `scrubEnvironment`'s allowlist: no secrets reach the command.
 *
 * @throws AppError `invalid_input` when the worktree folder does not exist or the command is empty;
 *   `unavailable` when no sandbox can be used and unsandboxed runs are not allowed
 */
export async function runTests(
  worktree: string,
  command: string,
  opts: { timeoutMs?: number; maxOutputBytes?: number; limits?: Partial<SandboxLimits>; sandbox?: SandboxDriver } = {},
): Promise<RunTestsResult> {
  const info = await stat(worktree).catch(() => null);
  if (!info?.isDirectory()) throw new AppError("invalid_input", `Worktree folder not found: ${worktree}`);
  if (command.trim() === "") throw new AppError("invalid_input", "The test command is empty");
  const limits = defaultSandboxLimits({
    ...opts.limits,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.maxOutputBytes !== undefined ? { maxOutputBytes: opts.maxOutputBytes } : {}),
  });
  const driver = opts.sandbox ?? (await selectSandboxDriver());
  return driver.run({ worktree, command, env: scrubEnvironment(), limits });
}
