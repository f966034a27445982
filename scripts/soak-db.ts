/**
 * The soak's database (`npm run soak`): a private, throwaway PostgreSQL cluster the soak may crash
 * and restart (`pg_ctl -m immediate stop` = the postmaster and every backend die without a
 * checkpoint, so the next start replays WAL like after a power cut), removed at the end.
 *
 * The machine's shared server (127.0.0.1:5432) is never restarted or stopped. Only when no private
 * cluster can be made (no PostgreSQL binaries, no `postgres` OS user while running as root) does the
 * soak fall back to a database of its own on a shared server, where a "restart" terminates that
 * database's backends only (`pg_terminate_backend`) — labelled as such in the output.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";

const run = promisify(execFile);

export type SoakDatabase = {
  url: string;
  /** `private cluster …` or `FALLBACK: …` — printed with the results. */
  label: string;
  private: boolean;
  /** Crash and restart (private) or terminate the database's backends (fallback). Returns the ms the database was down. */
  restart(): Promise<number>;
  /** Stops and removes the cluster (or drops the fallback database). Idempotent. */
  stop(): Promise<void>;
};

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function pgBinDir(): string | null {
  for (const dir of [process.env.SOAK_PG_BIN, "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"]) {
    if (dir && existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "pg_ctl"))) return dir;
  }
  return null;
}

/** The postgres OS user's uid/gid (needed as root: initdb refuses to run as root). */
async function postgresUser(): Promise<{ uid: number; gid: number } | null> {
  try {
    const { stdout: uid } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    return null;
  }
}

async function privateCluster(log: (m: string) => void): Promise<SoakDatabase> {
  const bin = pgBinDir();
  if (!bin) throw new Error("no PostgreSQL binaries (initdb, pg_ctl) in /usr/lib/postgresql/<15|16|17>/bin or SOAK_PG_BIN");
  const root = process.getuid?.() === 0;
  const owner = root ? await postgresUser() : null;
  if (root && !owner) throw new Error("running as root and there is no postgres OS user to run initdb as");
  const dir = mkdtempSync(path.join(tmpdir(), "squadron-soak-pg-"));
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const as = (cmd: string, args: string[]) =>
    owner ? run("runuser", ["-u", "postgres", "--", path.join(bin, cmd), ...args]) : run(path.join(bin, cmd), args);
  const port = await freePort();
  try {
    await as("initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync"]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Unix socket in the cluster's own folder (not /tmp's shared .s.PGSQL.<port>), TCP on loopback only.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  const start = () => as("pg_ctl", ["-D", dataDir, "-l", logFile, "-o", options, "-w", "-t", "60", "start"]);
  let stopped = false;
  try {
    await start();
    const admin = postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, onnotice: () => {} });
    await admin.unsafe("create database soak");
    await admin.end({ timeout: 2 });
  } catch (err) {
    await as("pg_ctl", ["-D", dataDir, "-m", "immediate", "stop"]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  log(`private PostgreSQL cluster (${bin}) in ${dataDir}, port ${port}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/soak`,
    label: `private cluster (${path.basename(path.dirname(bin))}, port ${port}): restart = pg_ctl -m immediate stop + start`,
    private: true,
    async restart() {
      const t0 = Date.now();
      await as("pg_ctl", ["-D", dataDir, "-m", "immediate", "stop"]);
      await start();
      return Date.now() - t0;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await as("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "stop"]).catch(() =>
        as("pg_ctl", ["-D", dataDir, "-m", "immediate", "stop"]).catch(() => {}),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function sharedServerDatabase(adminUrl: string, why: string, log: (m: string) => void): Promise<SoakDatabase> {
  const name = `squadron_soak_${randomBytes(5).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 2 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  log(`FALLBACK (${why}): database ${name} on the shared server; a "restart" terminates its backends only`);
  let stopped = false;
  return {
    url: url.toString(),
    label: `FALLBACK — no private cluster (${why}): database ${name} on a shared server; restart = pg_terminate_backend of its backends (the server itself is not restarted)`,
    private: false,
    async restart() {
      const t0 = Date.now();
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await a`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
      } finally {
        await a.end({ timeout: 2 });
      }
      return Date.now() - t0;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end({ timeout: 2 });
      }
    },
  };
}

/**
 * A private cluster, else (labelled) a database on the shared server at `SOAK_FALLBACK_DATABASE_URL`,
 * `TEST_DATABASE_URL` or postgres://postgres@127.0.0.1:5432/postgres. `SOAK_FORCE_FALLBACK=1` skips the
 * private cluster (to test the fallback).
 */
export async function startSoakDatabase(log: (m: string) => void): Promise<SoakDatabase> {
  let why = "SOAK_FORCE_FALLBACK=1";
  if (process.env.SOAK_FORCE_FALLBACK !== "1") {
    try {
      return await privateCluster(log);
    } catch (err) {
      why = err instanceof Error ? err.message.split("\n")[0] ?? "unknown" : String(err);
    }
  }
  const adminUrl = process.env.SOAK_FALLBACK_DATABASE_URL || process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  return sharedServerDatabase(adminUrl, why, log);
}
