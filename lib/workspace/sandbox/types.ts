/** Which isolation a command ran under: `bubblewrap` (namespaces + limits) or `none` (a plain subprocess). */
export type SandboxKind = "bubblewrap" | "none";

/**
 * Resource limits of one command. Defaults come from {@link defaultSandboxLimits} (`lib/env.ts`).
 * The rlimits (`cpuSeconds`, `memoryBytes`, `maxProcesses`, `maxFileBytes`) are set with util-linux
 * `prlimit` on the command's shell and inherited by every process it starts.
 */
export type SandboxLimits = {
  /** Wall time of the whole command, in ms; then everything it started is killed (SIGKILL). */
  timeoutMs: number;
  /** Captured output (stdout + stderr), in bytes; beyond it the middle is cut out. */
  maxOutputBytes: number;
  /** CPU time of each process, in seconds (RLIMIT_CPU: SIGXCPU when reached, SIGKILL a second later). */
  cpuSeconds: number;
  /** Writable memory of each process, in bytes (RLIMIT_DATA: heap, stacks of threads, private mappings). */
  memoryBytes: number;
  /**
   * Tasks (processes plus threads) the sandbox may have at once (RLIMIT_NPROC, counted for the sandbox's
   * own user, so a fork bomb fails with EAGAIN). Applied by the bubblewrap driver only: outside a sandbox
   * the count would include every process of the app's user.
   */
  maxProcesses: number;
  /** Largest file a process may write, in bytes (RLIMIT_FSIZE; the write fails with EFBIG / SIGXFSZ). */
  maxFileBytes: number;
  /** Size of the private, memory-backed /tmp, in bytes (bubblewrap only; /dev/shm gets at most 64 MiB). */
  tmpBytes: number;
};

/** One command to run: `/bin/sh -c command` with the worktree as working directory. */
export type SandboxRequest = {
  /** The worktree (absolute path); the only host folder the command may write. */
  worktree: string;
  command: string;
  /** Its environment, already scrubbed of secrets (see `scrubEnvironment`). */
  env: NodeJS.ProcessEnv;
  limits: SandboxLimits;
};

/** What a command did. */
export type SandboxResult = {
  /** Exit code of the command; null when it was killed (timeout) or died of a signal. */
  exitCode: number | null;
  /** True only for exit code 0 within the time limit. */
  passed: boolean;
  timedOut: boolean;
  /** Wall time from start to the end of its output, in ms. */
  durationMs: number;
  /** stdout and stderr interleaved as they arrived, capped (first and last halves kept). */
  output: string;
  truncated: boolean;
  /** The isolation it ran under. */
  sandbox: SandboxKind;
};

/** Runs commands under one kind of isolation. */
export interface SandboxDriver {
  readonly kind: SandboxKind;
  /** One line saying what the isolation is (and, for `none`, why there is none). */
  readonly description: string;
  /** Runs the command to its end, its time limit or its death; never throws for the command's failures. */
  run(request: SandboxRequest): Promise<SandboxResult>;
}
