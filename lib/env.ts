import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

const optionalUrl = z.url().optional();
const flag = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((v) => v === "1" || v === "true");
/** Like {@link flag}, but unset stays `undefined` so the caller can pick a default from other settings. */
const optionalFlag = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === "1" || v === "true"));

/**
 * The one validated view of the process environment. Every setting the app reads comes from here
 * (scripts, `drizzle.config.ts` and the local executor included). See `.env.example` for each one.
 *
 * Values are validated when this module is first imported; a bad value throws with the variable's name.
 * `DATABASE_URL` and `BETTER_AUTH_SECRET` are optional here because `npm start` fills them in for the
 * embedded default (PGlite and a secret persisted under `DATA_DIR`); code that needs them calls
 * {@link requireEnv}.
 */
export const env = createEnv({
  server: {
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    /** postgres:// URL of the database. Unset under `npm start` means: launch embedded PGlite. */
    DATABASE_URL: z.string().min(1).optional(),
    /** Max connections in the postgres.js pool. */
    DATABASE_POOL_MAX: z.coerce.number().int().positive().default(10),
    /** Folder for embedded state: PGlite data, repositories, worktrees, the generated auth secret. */
    DATA_DIR: z.string().default(".data"),
    /** Public URL of the app, used for auth callbacks and webhook URLs. */
    APP_URL: z.url().default("http://localhost:3000"),
    /** better-auth signing secret (32+ chars). Generated and persisted by `npm start` when unset. */
    BETTER_AUTH_SECRET: z.string().min(32).optional(),
    /**
     * Key that encrypts stored secrets (repositories' webhook secrets) at rest, 32+ characters
     * (`lib/crypto/secrets.ts`). Unset: a key derived from `BETTER_AUTH_SECRET`. Values written before
     * it was set stay readable while `BETTER_AUTH_SECRET` is unchanged.
     */
    SECRETS_ENCRYPTION_KEY: z.string().min(32).optional(),
    /** `1` or the URL of an Inngest dev server / the local executor. Unset in production (Inngest Cloud). */
    INNGEST_DEV: z.string().optional(),
    INNGEST_EVENT_KEY: z.string().optional(),
    INNGEST_SIGNING_KEY: z.string().optional(),
    /** Where a non-dev SDK reaches Inngest (self-hosted, or the signed local executor). */
    INNGEST_BASE_URL: optionalUrl,
    /**
     * `1`: `npm start` runs the local executor even though `INNGEST_SIGNING_KEY` is set, and signs every
     * call to the app with it (production-like signed mode). Unset: a signing key means Inngest Cloud.
     */
    INNGEST_LOCAL: flag,
    /** OpenAI (or OpenAI-compatible: Ollama, vLLM, llama.cpp) credentials. */
    OPENAI_API_KEY: z.string().min(1).optional(),
    OPENAI_BASE_URL: optionalUrl,
    OPENAI_MODEL: z.string().default("gpt-4.1-mini"),
    ANTHROPIC_API_KEY: z.string().min(1).optional(),
    ANTHROPIC_BASE_URL: optionalUrl,
    ANTHROPIC_MODEL: z.string().default("claude-sonnet-5-5"),
    /** Simulated latency of each offline model call, in ms (lets tests stage a crash mid-run). */
    OFFLINE_MODEL_LATENCY_MS: z.coerce.number().int().min(0).default(0),
    /** Wall-time limit of one `run_tests` command, in ms. */
    WORKSPACE_COMMAND_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
    /**
     * `1`: Squadron runs as a hosted, multi-tenant service, and unsafe single-user conveniences default
     * to off (today: running agent commands without a sandbox). Unset or `0`: the embedded default.
     */
    SQUADRON_HOSTED: flag,
    /**
     * Folders under which `POST /api/v1/repositories` accepts a `localPath`, comma-separated absolute
     * paths (relative ones resolve against the working directory). Unset: `<DATA_DIR>/repos`.
     */
    LOCAL_REPOSITORY_ROOTS: z.string().optional(),
    /**
     * Whether agent commands (tests, builds) may run WITHOUT a sandbox when bubblewrap is unavailable.
     * Unset: allowed in the embedded default (with a warning atop the output), refused when
     * `SQUADRON_HOSTED=1`.
     */
    SANDBOX_ALLOW_UNSANDBOXED: optionalFlag,
    /** CPU time limit of each sandboxed process, in seconds (RLIMIT_CPU). Unset: the wall-time limit in seconds. */
    SANDBOX_CPU_SECONDS: z.coerce.number().int().positive().optional(),
    /** Writable memory limit of each sandboxed process, in MiB (RLIMIT_DATA: heap and private mappings). */
    SANDBOX_MEMORY_MB: z.coerce.number().int().min(64).default(2048),
    /** Most tasks (processes plus threads) a sandbox may run at once (RLIMIT_NPROC; bubblewrap only). */
    SANDBOX_MAX_PROCESSES: z.coerce.number().int().min(16).default(512),
    /** Largest file a sandboxed process may write, in MiB (RLIMIT_FSIZE). */
    SANDBOX_MAX_FILE_MB: z.coerce.number().int().positive().default(512),
    /** Size of the sandbox's private, memory-backed /tmp, in MiB (bubblewrap only). */
    SANDBOX_TMP_MB: z.coerce.number().int().positive().default(512),
    /**
     * Extra host folders mounted read-only inside the sandbox at the same path, comma-separated
     * (toolchains outside /usr, e.g. `/opt/toolchains`). Missing ones are skipped.
     */
    SANDBOX_READONLY_PATHS: z.string().optional(),
    /**
     * SMTP server for outgoing mail (invitations), as a nodemailer URL: `smtp://user:pass@host:587`,
     * `smtps://…:465`. Unset: mail goes to the outbox (the `/settings/outbox` page and the server log).
     */
    SMTP_URL: z.string().min(1).optional(),
    /** Sender of outgoing mail. */
    MAIL_FROM: z.string().min(1).default("Squadron <no-reply@squadron.local>"),
    /**
     * Requests per minute each API key and each signed-in user may make to `/api/v1` (fixed
     * one-minute windows counted in Postgres, so every app instance shares them); beyond it: 429
     * with `Retry-After`. 0 turns the limit off (benchmarks). Default 600 (10 per second).
     */
    API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
    /** Print each SQL statement (development aid). */
    DATABASE_DEBUG: flag,
  },
  runtimeEnv: process.env,
  emptyStringAsUndefined: true,
});

/**
 * Returns a setting that the current code path cannot work without.
 * @throws Error naming the variable and how to set it.
 */
export function requireEnv<K extends "DATABASE_URL" | "BETTER_AUTH_SECRET">(key: K): string {
  const value = env[key];
  if (!value) {
    throw new Error(
      `${key} is not set. Run the app with \`npm start\` (which fills it in for the embedded default) or set it in .env.`,
    );
  }
  return value;
}
