import { execute } from "./execute";
import { findExecutable } from "./host";
import { prlimitArgs } from "./limits";
import type { SandboxDriver, SandboxRequest, SandboxResult } from "./types";

/** How the warning line atop the output of an unsandboxed command starts. */
export const UNSANDBOXED_WARNING_PREFIX = "[squadron] WARNING: this command ran WITHOUT a sandbox";

/** The warning line (with its newline) put atop the output of every unsandboxed command. */
export function unsandboxedWarning(reason: string): string {
  return (
    `${UNSANDBOXED_WARNING_PREFIX} (${reason}): it could reach the network and read or write anything ` +
    "the Squadron server can. Install bubblewrap, or set SANDBOX_ALLOW_UNSANDBOXED=0 to refuse such runs.\n"
  );
}

/** Removes the unsandboxed warning line from the start of an output, if it is there. */
export function stripUnsandboxedWarning(output: string): string {
  if (!output.startsWith(UNSANDBOXED_WARNING_PREFIX)) return output;
  const end = output.indexOf("\n");
  return end === -1 ? "" : output.slice(end + 1);
}

/**
 * Runs commands as plain subprocesses of the app (`/bin/sh -c` in the worktree, own process group):
 * the scrubbed environment, wall time and output cap still apply, and the CPU, memory and file-size
 * rlimits when util-linux `prlimit` is present (not the process count: outside a sandbox it would count
 * every process of the app's user). Nothing else is isolated. Every output starts with
 * {@link unsandboxedWarning}.
 *
 * @param reason why there is no sandbox, quoted in the warning (e.g. "bubblewrap is not installed")
 */
export function unsandboxedDriver(reason: string): SandboxDriver {
  const banner = unsandboxedWarning(reason);
  return {
    kind: "none",
    description: `none (${reason})`,
    async run(request: SandboxRequest): Promise<SandboxResult> {
      const prlimit = await findExecutable("prlimit");
      const shell = ["/bin/sh", "-c", request.command];
      const launch = prlimit
        ? { file: prlimit, args: [...prlimitArgs(request.limits, { processes: false }), ...shell] }
        : { file: "/bin/sh", args: shell.slice(1) };
      return execute({ ...launch, cwd: request.worktree, env: request.env, banner }, request.limits, "none");
    },
  };
}
