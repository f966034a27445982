import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";

/**
 * Prepares `process.env` for the embedded default before any module reads it: loads `.env` if present,
 * makes `DATA_DIR` absolute, and fills `BETTER_AUTH_SECRET` from `<DATA_DIR>/auth-secret` (generated
 * once). Must run before `lib/env` is imported.
 * @returns the absolute data directory
 */
export function bootstrapEnv(): string {
  if (existsSync(".env")) process.loadEnvFile(".env");
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  const dataDir = path.resolve(process.env.DATA_DIR || ".data");
  mkdirSync(dataDir, { recursive: true });
  process.env.DATA_DIR = dataDir;
  if (!process.env.BETTER_AUTH_SECRET) {
    const file = path.join(dataDir, "auth-secret");
    if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
    process.env.BETTER_AUTH_SECRET = readFileSync(file, "utf8").trim();
  }
  return dataDir;
}
