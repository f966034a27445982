// `npm run db:migrate`: applies db/migrations to DATABASE_URL, or to the embedded PGlite in DATA_DIR.
import path from "node:path";
import { bootstrapEnv } from "./bootstrap-env";

const dataDir = bootstrapEnv();
const { runMigrations } = await import("../db/migrate");
const { startEmbeddedPostgres } = await import("../db/embedded");

if (process.env.DATABASE_URL) {
  await runMigrations(process.env.DATABASE_URL);
  console.log("Migrations applied to DATABASE_URL.");
} else {
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pglite") });
  try {
    await runMigrations(embedded.url);
    console.log(`Migrations applied to the embedded database in ${path.join(dataDir, "pglite")}.`);
  } finally {
    await embedded.stop();
  }
}
