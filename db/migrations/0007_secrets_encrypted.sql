-- Webhook secrets are stored encrypted (lib/crypto/secrets.ts). Rows written before this migration keep
-- their plaintext value under the new name until `encryptPlaintextWebhookSecrets`
-- (lib/repositories/encrypt-stored-secrets.ts) encrypts them in place: `npm run db:migrate` and `npm start`
-- run it right after the migrations, so webhooks already configured on GitHub keep verifying.
ALTER TABLE "repositories" RENAME COLUMN "webhook_secret" TO "webhook_secret_encrypted";
