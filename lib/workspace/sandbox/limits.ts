import { env } from "@/lib/env";
import type { SandboxLimits } from "./types";

/** Default cap on captured output, in bytes (64 KiB ≈ 16k tokens: what a model can usefully read). */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

const MiB = 1024 * 1024;

/**
 * The limits of a command: each field of `overrides`, else its setting in `lib/env.ts`:
 * `timeoutMs` ← `WORKSPACE_COMMAND_TIMEOUT_MS` (120 000 ms), `maxOutputBytes` ←
 * {@link DEFAULT_MAX_OUTPUT_BYTES} (64 KiB), `cpuSeconds` ← `SANDBOX_CPU_SECONDS` (unset: the wall time
 * rounded up to seconds, i.e. 120 s: one core busy for the whole run), `memoryBytes` ←
 * `SANDBOX_MEMORY_MB` (2048 MiB), `maxProcesses` ← `SANDBOX_MAX_PROCESSES` (512), `maxFileBytes` ←
 * `SANDBOX_MAX_FILE_MB` (512 MiB), `tmpBytes` ← `SANDBOX_TMP_MB` (512 MiB).
 */
export function defaultSandboxLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  const timeoutMs = overrides.timeoutMs ?? env.WORKSPACE_COMMAND_TIMEOUT_MS;
  return {
    timeoutMs,
    maxOutputBytes: Math.max(1024, overrides.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES),
    cpuSeconds: overrides.cpuSeconds ?? env.SANDBOX_CPU_SECONDS ?? Math.max(1, Math.ceil(timeoutMs / 1000)),
    memoryBytes: overrides.memoryBytes ?? env.SANDBOX_MEMORY_MB * MiB,
    maxProcesses: overrides.maxProcesses ?? env.SANDBOX_MAX_PROCESSES,
    maxFileBytes: overrides.maxFileBytes ?? env.SANDBOX_MAX_FILE_MB * MiB,
    tmpBytes: overrides.tmpBytes ?? env.SANDBOX_TMP_MB * MiB,
  };
}

/**
 * Arguments of util-linux `prlimit` for `limits`, ending with `--`; core dumps off. Soft and hard limits
 * are equal, except CPU: SIGXCPU ("CPU time limit exceeded") at `cpuSeconds`, SIGKILL one second later.
 * @param opts.processes include RLIMIT_NPROC (only meaningful when the command has a user of its own)
 */
export function prlimitArgs(limits: SandboxLimits, opts: { processes: boolean }): string[] {
  const whole = (n: number) => Math.max(1, Math.floor(n));
  return [
    `--cpu=${whole(limits.cpuSeconds)}:${whole(limits.cpuSeconds) + 1}`,
    `--data=${whole(limits.memoryBytes)}`,
    `--fsize=${whole(limits.maxFileBytes)}`,
    ...(opts.processes ? [`--nproc=${whole(limits.maxProcesses)}`] : []),
    "--core=0",
    "--",
  ];
}
