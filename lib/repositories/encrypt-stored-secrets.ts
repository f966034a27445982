import { and, eq, notLike } from "drizzle-orm";
import { createDatabase, type Database } from "@/db/client";
import { repositories } from "@/db/schema";
import { encryptSecret } from "@/lib/crypto/secrets";

/**
 * Encrypts, in place, the webhook secrets stored in plaintext before migration `0007_secrets_encrypted`
 * (values without better-auth's `$ba$` envelope). Idempotent; run right after the migrations
 * (`npm run db:migrate`, `npm start`), with the app's own BETTER_AUTH_SECRET / SECRETS_ENCRYPTION_KEY.
 * @returns how many repositories were upgraded
 * @throws Error when neither SECRETS_ENCRYPTION_KEY nor BETTER_AUTH_SECRET is set and a row needs it
 */
export async function encryptPlaintextWebhookSecrets(db: Database): Promise<number> {
  const rows = await db
    .select({ id: repositories.id, value: repositories.webhookSecretEncrypted })
    .from(repositories)
    .where(notLike(repositories.webhookSecretEncrypted, "$ba$%"));
  for (const row of rows) {
    // Guarded by the old value, so a concurrent run never encrypts twice.
    await db
      .update(repositories)
      .set({ webhookSecretEncrypted: await encryptSecret(row.value) })
      .where(and(eq(repositories.id, row.id), eq(repositories.webhookSecretEncrypted, row.value)));
  }
  return rows.length;
}

/**
 * {@link encryptPlaintextWebhookSecrets} on the database at `url` (scripts, after `runMigrations(url)`).
 * @returns how many repositories were upgraded
 */
export async function encryptStoredSecrets(url: string): Promise<number> {
  const { db, sql } = createDatabase(url, { max: 1 });
  try {
    return await encryptPlaintextWebhookSecrets(db);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
