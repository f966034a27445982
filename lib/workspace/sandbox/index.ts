/**
 * Sandboxed execution of agent commands (tests, builds): a {@link SandboxDriver} interface with a
 * `bubblewrap` driver (namespaces, read-only toolchain, no network, rlimits) and an `unsandboxed`
 * fallback that only runs where the operator allows it (`SANDBOX_ALLOW_UNSANDBOXED`).
 */
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { bubblewrapAvailability } from "./bubblewrap";
import { unsandboxedDriver } from "./unsandboxed";
import type { SandboxDriver } from "./types";

export type { SandboxDriver, SandboxKind, SandboxLimits, SandboxRequest, SandboxResult } from "./types";
export { bubblewrapAvailability, bubblewrapArgs, SANDBOX_HOME, type BubblewrapPlan } from "./bubblewrap";
export { unsandboxedDriver, unsandboxedWarning, stripUnsandboxedWarning, UNSANDBOXED_WARNING_PREFIX } from "./unsandboxed";
export { defaultSandboxLimits, prlimitArgs, DEFAULT_MAX_OUTPUT_BYTES } from "./limits";
export { scrubEnvironment } from "./environment";
export { pickSandboxId, findExecutable } from "./host";

/**
 * Whether commands may run without a sandbox: `SANDBOX_ALLOW_UNSANDBOXED` when set, else yes for the
 * embedded single-user default and no when `SQUADRON_HOSTED=1`.
 */
export function unsandboxedAllowed(
  settings: { SANDBOX_ALLOW_UNSANDBOXED?: boolean | undefined; SQUADRON_HOSTED: boolean } = env,
): boolean {
  return settings.SANDBOX_ALLOW_UNSANDBOXED ?? !settings.SQUADRON_HOSTED;
}

const warned = new Set<string>();

/**
 * The driver commands run under: bubblewrap when it works here, else the unsandboxed driver if allowed.
 *
 * @param opts.allowUnsandboxed default {@link unsandboxedAllowed}
 * @param opts.bwrapPath the `bwrap` binary (default: found on PATH); `null` behaves as if it were absent
 * @throws AppError `unavailable` when bubblewrap cannot be used and unsandboxed runs are not allowed
 */
export async function selectSandboxDriver(
  opts: { allowUnsandboxed?: boolean; bwrapPath?: string | null } = {},
): Promise<SandboxDriver> {
  const availability =
    opts.bwrapPath === null
      ? { unavailable: "bubblewrap is not installed: no bwrap on PATH" }
      : await bubblewrapAvailability(opts.bwrapPath);
  if ("driver" in availability) return availability.driver;
  const reason = availability.unavailable;
  if (!(opts.allowUnsandboxed ?? unsandboxedAllowed())) {
    throw new AppError(
      "unavailable",
      `Agent commands must run in a sandbox, but the sandbox is unavailable: ${reason}. ` +
        "Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; it needs util-linux prlimit/setpriv), " +
        "or, on a single-user machine only, set SANDBOX_ALLOW_UNSANDBOXED=1.",
      { reason },
    );
  }
  if (!warned.has(reason)) {
    warned.add(reason);
    console.warn(`[sandbox] running agent commands WITHOUT a sandbox: ${reason}`);
  }
  return unsandboxedDriver(reason);
}
