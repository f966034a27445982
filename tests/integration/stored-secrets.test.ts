import { createHmac } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "@jest/globals";

// lib/env reads the environment once, on first import: set the key material before importing the app.
process.env.BETTER_AUTH_SECRET = "stored-secrets-test-secret-0123456789abcdef";
delete process.env.SECRETS_ENCRYPTION_KEY;

const { eq } = await import("drizzle-orm");
const { createDatabase } = await import("@/db/client");
const { startEmbeddedPostgres } = await import("@/db/embedded");
const { runMigrations } = await import("@/db/migrate");
const { organization, repositories } = await import("@/db/schema");
const { decryptSecret } = await import("@/lib/crypto/secrets");
const { receiveGithubWebhook } = await import("@/lib/integrations/github/receive-webhook");
const { encryptPlaintextWebhookSecrets } = await import("@/lib/repositories/encrypt-stored-secrets");
const { createDefaultSquad } = await import("@/lib/squads/default-squad");

let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
let handle: ReturnType<typeof createDatabase>;

beforeAll(async () => {
  pg = await startEmbeddedPostgres();
  await runMigrations(pg.url);
  handle = createDatabase(pg.url, { max: 2 });
  await handle.db.insert(organization).values({ id: "org_s", name: "Secrets", slug: "secrets" });
}, 60_000);

afterAll(async () => {
  await handle?.sql.end({ timeout: 5 });
  await pg?.stop();
});

/** A `ping` delivery signed with `secret` (Squadron records it as ignored, no workflow involved). */
function ping(repositoryId: string, secret: string, delivery: string) {
  const rawBody = JSON.stringify({ zen: "Keep it logically awesome." });
  const headers = new Headers({
    "x-github-event": "ping",
    "x-github-delivery": delivery,
    "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`,
  });
  return receiveGithubWebhook(handle.db, { repositoryId, rawBody, headers });
}

test("new repositories store their webhook secret encrypted", async () => {
  const { repositoryId } = await createDefaultSquad(handle.db, "org_s");
  const [row] = await handle.db.select().from(repositories).where(eq(repositories.id, repositoryId));
  expect(row.webhookSecretEncrypted).toMatch(/^\$ba\$1\$[0-9a-f]+$/);
  const secret = await decryptSecret(row.webhookSecretEncrypted);
  expect(secret).toMatch(/^[0-9a-f]{64}$/);
  expect(row.webhookSecretEncrypted).not.toContain(secret);
  expect(await ping(repositoryId, secret, "d-new")).toMatchObject({ outcome: "ignored" });
  await expect(ping(repositoryId, "wrong", "d-wrong")).rejects.toMatchObject({ code: "unauthorized" });
});

test("a plaintext secret from before the migration is encrypted in place and keeps verifying", async () => {
  const legacy = "f".repeat(64);
  const [row] = await handle.db
    .insert(repositories)
    .values({ organizationId: "org_s", name: "legacy", localPath: "/nowhere", webhookSecretEncrypted: legacy })
    .returning();
  // Before the upgrade the row cannot be used: a clear error, not a silent mismatch.
  await expect(ping(row.id, legacy, "d-legacy-0")).rejects.toMatchObject({
    code: "internal",
    message: "Cannot decrypt repositories.webhook_secret_encrypted: it is not an encrypted value",
  });

  expect(await encryptPlaintextWebhookSecrets(handle.db)).toBe(1);
  expect(await encryptPlaintextWebhookSecrets(handle.db)).toBe(0);
  const [after] = await handle.db.select().from(repositories).where(eq(repositories.id, row.id));
  expect(after.webhookSecretEncrypted).toMatch(/^\$ba\$1\$/);
  expect(await decryptSecret(after.webhookSecretEncrypted)).toBe(legacy);
  expect(await ping(row.id, legacy, "d-legacy-1")).toMatchObject({ outcome: "ignored" });
});
