import { z } from "zod";
import { runTests } from "../run-tests";
import { defineTool, headAndTail } from "./shared";

/** Default and largest time limit of one run_command call, in seconds. */
export const RUN_COMMAND_DEFAULT_TIMEOUT_S = 60;
export const RUN_COMMAND_MAX_TIMEOUT_S = 600;
/** Output captured from a command before the sandbox cuts its middle, in bytes (32 KiB). */
const RUN_COMMAND_MAX_OUTPUT_BYTES = 32 * 1024;

const schema = z.object({
  command: z.string().min(1).max(4_000).describe("A shell command run with /bin/sh -c in the repository root, e.g. node scripts/check.js"),
  timeout_s: z
    .int()
    .min(1)
    .max(RUN_COMMAND_MAX_TIMEOUT_S)
    .optional()
    .describe(`Time limit in seconds (default ${RUN_COMMAND_DEFAULT_TIMEOUT_S}, at most ${RUN_COMMAND_MAX_TIMEOUT_S})`),
});

/**
 * `run_command(command, timeout_s?)`: one shell command in the same sandbox as the tests (bubblewrap:
 * no network, only the worktree writable, CPU/memory/process/file limits; see `lib/workspace/sandbox`).
 * Output: `exit code: N (ms)` (or `timed out`), then stdout+stderr with the head and tail kept.
 * A non-zero exit is `ok: true` (the tool worked). `data`: `{ exitCode, timedOut, durationMs, sandbox, truncated }`.
 */
export const runCommandTool = defineTool({
  name: "run_command",
  description:
    "Run a shell command in the repository (sandboxed: no network, only the repository is writable, time-limited). " +
    "Returns the exit code and the output (long output keeps its beginning and end).",
  schema,
  async run(ctx, args) {
    const timeoutS = args.timeout_s ?? RUN_COMMAND_DEFAULT_TIMEOUT_S;
    const result = await runTests(ctx.worktree, args.command, { timeoutMs: timeoutS * 1000, maxOutputBytes: RUN_COMMAND_MAX_OUTPUT_BYTES });
    const head = result.timedOut
      ? `timed out after ${timeoutS} s (everything it started was killed)`
      : `exit code: ${result.exitCode ?? "none (killed by a signal)"} (${result.durationMs} ms)`;
    const output = result.output.trim() === "" ? "(no output)" : headAndTail(result.output);
    return {
      ok: true,
      output: `${head}\n\n${output}${result.truncated ? "\n(output truncated in the middle)" : ""}`,
      data: { exitCode: result.exitCode, timedOut: result.timedOut, durationMs: result.durationMs, sandbox: result.sandbox, truncated: result.truncated },
    };
  },
});
