import { bigint, index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, organizationId, updatedAt } from "./_columns";

export const githubConnectionKinds = ["app", "token"] as const;
export type GithubConnectionKind = (typeof githubConnectionKinds)[number];

/**
 * How Squadron authenticates to GitHub for an organization: a GitHub App (`kind = app`: app id,
 * private key, webhook secret; installation tokens are minted per call) or a fine-grained personal
 * access token for one repository (`kind = token`, `repositoryFullName` set). Secrets are encrypted at
 * rest (`lib/crypto/secrets.ts`) and never returned by the API. An organization has at most one
 * app connection and one token connection per repository (enforced by `lib/integrations/github`).
 */
export const githubConnections = pgTable(
  "github_connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: organizationId(),
    kind: text("kind", { enum: githubConnectionKinds }).notNull(),
    /** GitHub App id (numeric, as text) — `kind = app`. */
    appId: text("app_id"),
    /** PEM private key of the app, encrypted — `kind = app`. */
    privateKeyEncrypted: text("private_key_encrypted"),
    /** Webhook secret of the app (`X-Hub-Signature-256`), encrypted — `kind = app`. */
    webhookSecretEncrypted: text("webhook_secret_encrypted"),
    /** Installation the organization's repositories are reached through (null = looked up per repository). */
    installationId: bigint("installation_id", { mode: "number" }),
    /** Fine-grained personal access token, encrypted — `kind = token`. */
    tokenEncrypted: text("token_encrypted"),
    /** `owner/name` the token is for — `kind = token`. */
    repositoryFullName: text("repository_full_name"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("github_connections_organization_id_idx").on(t.organizationId)],
);
