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
    /**
     * Embedder of the knowledge index (`lib/knowledge/embeddings.ts`): `openai` (`OPENAI_EMBEDDING_MODEL`
     * through `OPENAI_API_KEY`/`OPENAI_BASE_URL`), `local` (offline Universal Sentence Encoder-lite,
     * 512 dims), or `auto` (default): `openai` when `OPENAI_API_KEY` is set, else `local`.
     */
    KNOWLEDGE_EMBEDDER: z.enum(["auto", "openai", "local"]).default("auto"),
    /**
     * Index a repository's code automatically when it is registered and after each completed task on
     * it (`index-repository`). Default on; `false` leaves indexing to `POST /api/v1/repositories/{id}/index`
     * (the test suites turn it off except where they test it, to keep unrelated runs lean).
     */
    KNOWLEDGE_AUTO_INDEX: z
      .enum(["true", "false", "1", "0"])
      .default("true")
      .transform((v) => v === "true" || v === "1"),
    /** OpenAI embedding model; `text-embedding-3-small` (1,536 dims) unless told otherwise. */
    OPENAI_EMBEDDING_MODEL: z.string().min(1).default("text-embedding-3-small"),
    /**
     * Pinecone vector store for the knowledge index (one namespace per organization). Set: Pinecone
     * holds the vectors; unset: pgvector when the database has it, else full-text retrieval only.
     */
    PINECONE_API_KEY: z.string().min(1).optional(),
    /** Name of the Pinecone index (its dimension must match the embedder's). Default `squadron-knowledge`. */
    PINECONE_INDEX: z.string().min(1).default("squadron-knowledge"),
    /** Data-plane host of the index (`https://<index>-<project>.svc.<env>.pinecone.io`); unset: looked up by name. */
    PINECONE_HOST: optionalUrl,
    /** Control-plane URL (default `https://api.pinecone.io`; tests' stand-in). */
    PINECONE_CONTROLLER_HOST: optionalUrl,
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
    /**
     * Stripe billing (`lib/billing`). Unset: billing is off and every organization is on the one
     * unlimited "self-hosted" plan. `sk_test_…` for Stripe's test mode, `sk_live_…` in production.
     */
    STRIPE_SECRET_KEY: z.string().min(1).optional(),
    /** Signing secret of the Stripe webhook endpoint `/api/webhooks/stripe` (`whsec_…`). */
    STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
    /** Stripe price ids (`price_…`) of the Team and Business monthly subscriptions. */
    STRIPE_PRICE_TEAM: z.string().min(1).optional(),
    STRIPE_PRICE_BUSINESS: z.string().min(1).optional(),
    /** Metered Stripe price (`price_…`) on the model-spend meter, billed per USD micro above a plan's included spend. */
    STRIPE_PRICE_MODEL_SPEND: z.string().min(1).optional(),
    /** `event_name` of the Stripe Billing Meter that counts model spend above the included amount (USD micros). */
    STRIPE_METER_EVENT_NAME: z.string().min(1).default("squadron_model_spend"),
    /** Where the Stripe client sends requests instead of `https://api.stripe.com` (tests' stand-in, stripe-mock). */
    STRIPE_API_URL: optionalUrl,
    /** Free plan limits, overridable for self-hosting and tests (defaults in `lib/billing/plans.ts`). */
    BILLING_FREE_TASKS_PER_MONTH: z.coerce.number().int().min(0).optional(),
    BILLING_FREE_SPEND_USD_MICROS: z.coerce.number().int().min(0).optional(),
    /** Days an organization keeps working after a failed payment before new tasks are refused. */
    BILLING_GRACE_PERIOD_DAYS: z.coerce.number().min(0).default(7),
    /** When the metering function reports model spend to Stripe (cron, UTC). */
    BILLING_METER_CRON: z.string().min(1).default("*/15 * * * *"),
    /**
     * Waits between attempts of one outbound webhook delivery, in ms, comma-separated; attempts =
     * waits + 1. Default: the Standard Webhooks / Svix schedule after the first try (5 s, 5 min,
     * 30 min, 2 h, 5 h, 10 h, 10 h).
     */
    OUTBOUND_WEBHOOK_RETRY_DELAYS_MS: z
      .string()
      .regex(/^\d+(,\d+)*$/, "comma-separated milliseconds")
      .default("5000,300000,1800000,7200000,18000000,36000000,36000000"),
    /** Time limit of one outbound webhook request, in ms (Standard Webhooks suggests a short one). */
    OUTBOUND_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
    /** When the outbox dispatcher sweeps events not yet fanned out (cron, UTC); it also runs on task events. */
    OUTBOUND_WEBHOOK_DISPATCH_CRON: z.string().min(1).default("* * * * *"),
    /**
     * REST API of GitHub (or GitHub Enterprise Server, e.g. `https://ghe.example.com/api/v3`); every
     * GitHub call (`@octokit/*`) goes there.
     */
    GITHUB_API_URL: z.url().default("https://api.github.com"),
    /**
     * Token (classic or fine-grained PAT, or an installation token) used for every GitHub repository
     * that has no connection of its own in Settings → Integrations → GitHub (self-hosted instances).
     */
    GITHUB_TOKEN: z.string().min(1).optional(),
    /**
     * Bearer token that `GET /api/metrics` (Prometheus exposition) requires. Unset: the endpoint is off
     * (404). Scrapers send `Authorization: Bearer <token>`.
     */
    METRICS_TOKEN: z.string().min(16).optional(),
    /**
     * OTLP/HTTP endpoint of a trace collector (e.g. `http://otel-collector:4318`); traces go to
     * `<endpoint>/v1/traces`. Unset: no traces are exported. `OTEL_EXPORTER_OTLP_HEADERS` is read by
     * the OTLP exporter itself (not validated here). The service name is fixed (`squadron`, in
     * `lib/observability/tracing.ts`): `OTEL_SERVICE_NAME` is not applied.
     */
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
    /** Least severity the server logs (pino levels). Default `info` (`warn` under `NODE_ENV=test`). */
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional(),
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
