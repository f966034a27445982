// `npm run db:migrate`: applies db/migrations to DATABASE_URL, or to the embedded PGlite in DATA_DIR.
import path from "node:path";
import { bootstrapEnv } from "./bootstrap-env";

const dataDir = bootstrapEnv();
const { runMigrations } = await import("../db/migrate");
const { startEmbeddedPostgres } = await import("../db/embedded");
const { encryptStoredSecrets } = await import("../lib/repositories/encrypt-stored-secrets");

/** Migrations, then the one-time encryption of secrets stored in plaintext before 0007. */
async function migrate(url: string): Promise<void> {
  await runMigrations(url);
  const upgraded = await encryptStoredSecrets(url);
  if (upgraded > 0) console.log(`Encrypted ${upgraded} webhook secret(s) stored in plaintext.`);
}

if (process.env.DATABASE_URL) {
  await migrate(process.env.DATABASE_URL);
  console.log("Migrations applied to DATABASE_URL.");
} else {
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pglite") });
  try {
    await migrate(embedded.url);
    console.log(`Migrations applied to the embedded database in ${path.join(dataDir, "pglite")}.`);
  } finally {
    await embedded.stop();
  }
}
