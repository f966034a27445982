/**
 * The executor's own, versioned schema `inngest_local`. It is created and upgraded by the executor
 * on start (never by the app's drizzle migrations). Append new versions; never edit a shipped one.
 */
import type postgres from "postgres";

export const SCHEMA = "inngest_local";

/** Advisory lock key held while migrating, so two executors starting together do not race. */
const MIGRATION_LOCK_KEY = 7_305_112_001;

type Migration = { version: number; name: string; sql: string };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
CREATE TABLE inngest_local.apps (
  id          text PRIMARY KEY,            -- the SDK client's id ("appName" at sync)
  url         text NOT NULL,               -- serve URL the app reported
  framework   text,
  sdk         text,
  synced_at   timestamptz NOT NULL
);

CREATE TABLE inngest_local.functions (
  id           text PRIMARY KEY,           -- "<appId>-<fnId>"
  app_id       text NOT NULL,
  name         text NOT NULL,
  url          text NOT NULL,              -- steps.step.runtime.url (…?fnId=…&stepId=step)
  triggers     jsonb NOT NULL,             -- [{ event, expression? }]
  retries      integer NOT NULL,           -- number of retries (tries = retries + 1)
  concurrency  jsonb NOT NULL,             -- [{ limit, key? }]
  cancel       jsonb NOT NULL,             -- [{ event, if?, timeout? }]
  idempotency  text,                       -- CEL key expression
  config       jsonb NOT NULL,             -- the config exactly as registered
  updated_at   timestamptz NOT NULL
);

CREATE TABLE inngest_local.events (
  internal_id  text PRIMARY KEY,           -- ULID
  name         text NOT NULL,
  payload      jsonb NOT NULL,             -- as handed to functions: { name, data, id, ts, ... }
  received_at  timestamptz NOT NULL
);
CREATE INDEX events_received_idx ON inngest_local.events (received_at DESC);

-- Deduplication of events by their sender-supplied id (24 h window).
CREATE TABLE inngest_local.event_ids (
  event_id     text PRIMARY KEY,
  internal_id  text NOT NULL,
  expires_at   timestamptz NOT NULL
);

CREATE TABLE inngest_local.runs (
  id                 text PRIMARY KEY,     -- ULID
  function_id        text NOT NULL,
  event_internal_id  text NOT NULL,
  event              jsonb NOT NULL,       -- trigger event payload
  status             text NOT NULL,        -- queued | running | waiting | completed | failed | cancelled
  parallel           boolean NOT NULL DEFAULT false,  -- sends disable_immediate_execution
  stack              text[] NOT NULL DEFAULT '{}',     -- memoized step hashes in completion order
  concurrency_keys   text[] NOT NULL DEFAULT '{}',     -- one per concurrency constraint
  parent_run_id      text,                 -- set for runs started by step.invoke
  parent_step        text,
  output             jsonb,
  error              jsonb,
  created_at         timestamptz NOT NULL,
  started_at         timestamptz,
  ended_at           timestamptz,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX runs_created_idx ON inngest_local.runs (created_at DESC);
CREATE INDEX runs_status_idx ON inngest_local.runs (status);
CREATE INDEX runs_function_idx ON inngest_local.runs (function_id, created_at DESC);

CREATE TABLE inngest_local.steps (
  run_id        text NOT NULL REFERENCES inngest_local.runs (id) ON DELETE CASCADE,
  hash          text NOT NULL,             -- the SDK's hashed step id
  op            text NOT NULL,             -- StepRun | StepPlanned | Sleep | WaitForEvent | InvokeFunction
  name          text,
  display_name  text,
  opts          jsonb,
  status        text NOT NULL,             -- planned | retrying | sleeping | waiting | invoking | completed | failed
  result        jsonb,                     -- memoized { data } | { error }; never overwritten
  attempts      integer NOT NULL DEFAULT 0,
  last_error    jsonb,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  ended_at      timestamptz,
  PRIMARY KEY (run_id, hash)
);

-- Due work. One row per (run, kind, step): at most one discovery call per run at a time.
CREATE TABLE inngest_local.queue (
  id           bigserial PRIMARY KEY,
  run_id       text NOT NULL REFERENCES inngest_local.runs (id) ON DELETE CASCADE,
  kind         text NOT NULL,              -- discover | step | sleep | wait | invoke
  step_hash    text NOT NULL DEFAULT '',   -- '' for discover
  attempt      integer NOT NULL DEFAULT 0,
  generation   integer NOT NULL DEFAULT 0, -- bumped when more discovery is requested while leased
  due_at       timestamptz NOT NULL,
  lease_token  text,
  lease_until  timestamptz,
  created_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX queue_item_uidx ON inngest_local.queue (run_id, kind, step_hash);
CREATE INDEX queue_due_idx ON inngest_local.queue (due_at);

CREATE TABLE inngest_local.waits (
  run_id      text NOT NULL REFERENCES inngest_local.runs (id) ON DELETE CASCADE,
  step_hash   text NOT NULL,
  event_name  text NOT NULL,
  expression  text,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (run_id, step_hash)
);
CREATE INDEX waits_event_idx ON inngest_local.waits (event_name);

CREATE TABLE inngest_local.idempotency_keys (
  function_id  text NOT NULL,
  key          text NOT NULL,
  run_id       text NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (function_id, key)
);
`,
  },
  {
    version: 2,
    name: "cron triggers and run timeouts",
    sql: `
ALTER TABLE inngest_local.functions ADD COLUMN crons jsonb NOT NULL DEFAULT '[]';   -- [{ cron, expression, tz }]
ALTER TABLE inngest_local.functions ADD COLUMN timeouts jsonb NOT NULL DEFAULT '{}'; -- { startMs?, finishMs? }

-- One row per cron trigger: when it fires next. Kept across re-syncs while the trigger is unchanged.
CREATE TABLE inngest_local.cron_schedules (
  function_id    text NOT NULL REFERENCES inngest_local.functions (id) ON DELETE CASCADE,
  cron           text NOT NULL,            -- the trigger as registered, e.g. "TZ=Europe/Paris 0 9 * * *"
  next_at        timestamptz NOT NULL,     -- the next tick to fire
  last_tick_at   timestamptz,              -- the tick that fired last
  last_fired_at  timestamptz,              -- when it fired (later than the tick after downtime)
  last_run_id    text,
  skipped        integer NOT NULL DEFAULT 0, -- ticks skipped in total by the catch-up policy
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (function_id, cron)
);
CREATE INDEX cron_schedules_next_idx ON inngest_local.cron_schedules (next_at);
`,
  },
];

/**
 * Creates schema `inngest_local` and applies pending migrations, each in its own transaction under
 * an advisory lock.
 * @throws the database error when a migration fails (nothing of that version is applied)
 */
export async function migrate(sql: postgres.Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
    await tx.unsafe(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA}.migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const rows = await tx<{ version: number }[]>`SELECT version FROM inngest_local.migrations`;
    const applied = new Set(rows.map((r) => r.version));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await tx.unsafe(migration.sql);
      await tx`INSERT INTO inngest_local.migrations (version, name) VALUES (${migration.version}, ${migration.name})`;
    }
  });
}
