import { z } from "zod";
import { runTests, type RunTestsResult } from "../run-tests";
import { defineTool, headAndTail } from "./shared";

/** The first line of a `run_tests` tool result; offline scenarios test for `status: passed`. */
export function testStatusLine(result: RunTestsResult): string {
  const status = result.timedOut ? "timed out" : result.passed ? "passed" : "failed";
  const code = result.exitCode === null ? "no exit code" : `exit code ${result.exitCode}`;
  return `status: ${status} (${code}, ${result.durationMs} ms)`;
}

/** `'it''s'`-style POSIX single quoting of one shell word. */
function shellWord(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

const schema = z.object({
  filter: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe("Passed to the test command as one extra argument, e.g. a test file path (test/todo.test.js) to run only it"),
});

/**
 * `run_tests(filter?)`: runs the repository's test command in the sandbox (see `runTests`), with
 * `filter` appended as one shell-quoted argument when given. First line {@link testStatusLine}, then
 * the output (head and tail kept). A failing run is `ok: true` (the tool worked) with `data.passed: false`.
 * `data`: the {@link RunTestsResult} plus `command`.
 */
export const runTestsTool = defineTool({
  name: "run_tests",
  description:
    "Run the repository's test command (optionally with a filter argument such as one test file). Returns a first line " +
    "`status: passed`, `status: failed` or `status: timed out`, then the output.",
  schema,
  async run(ctx, args) {
    const command = args.filter ? `${ctx.testCommand} ${shellWord(args.filter)}` : ctx.testCommand;
    const result = await runTests(ctx.worktree, command);
    const note = result.truncated ? "\n(output truncated in the middle)" : "";
    return { ok: true, output: `${testStatusLine(result)}\n\n${headAndTail(result.output)}${note}`, data: { ...result, command } };
  },
});
