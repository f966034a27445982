import { z } from "zod";

// Pure zod schemas of the GitHub connection (no server imports): the API routes and the
// Settings → Integrations → GitHub form validate with the same ones.

const fullName = z
  .string()
  .trim()
  .max(200)
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "repositoryFullName must look like owner/name");

/**
 * Body of `POST /api/v1/integrations/github/connections`:
 * - `{ kind: "token", repositoryFullName, token }` — a fine-grained personal access token for one
 *   repository (Contents, Pull requests, Issues, Commit statuses: read and write). Replaces that
 *   repository's previous token.
 * - `{ kind: "app", appId, privateKey, webhookSecret, installationId? }` — the organization's GitHub
 *   App (replaces the previous one). Without `installationId` the installation is looked up per repository.
 */
export const githubConnectionInputSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("token"),
    repositoryFullName: fullName,
    token: z.string().trim().min(20, "token must be a GitHub personal access token (github_pat_… or ghp_…)").max(500),
  }),
  z.object({
    kind: z.literal("app"),
    appId: z.string().trim().regex(/^\d{1,20}$/, "appId is the numeric App ID from the app's settings page"),
    privateKey: z
      .string()
      .trim()
      .max(10_000)
      .regex(/^-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----$/, "privateKey must be the app's .pem private key, BEGIN/END lines included"),
    webhookSecret: z.string().min(16, "webhookSecret must be at least 16 characters").max(500),
    // An empty form field means "not set".
    installationId: z.preprocess((v) => (v === "" || v === null ? undefined : v), z.coerce.number().int().positive().optional()),
  }),
]);
export type GithubConnectionInput = z.infer<typeof githubConnectionInputSchema>;

/** A connection as the API shows it: never a secret. */
export const githubConnectionSchema = z
  .strictObject({
    id: z.uuid(),
    kind: z.enum(["app", "token"]),
    appId: z.string().nullable(),
    installationId: z.number().int().nullable(),
    repositoryFullName: z.string().nullable(),
    /** For an app: where to point its webhook. */
    webhookUrl: z.url().nullable(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: "GithubConnection" });

/** `GET /api/v1/integrations/github`. */
export const githubIntegrationSchema = z
  .strictObject({
    apiUrl: z.url().meta({ description: "GITHUB_API_URL: where every GitHub call goes." }),
    fallbackToken: z.boolean().meta({ description: "Whether GITHUB_TOKEN is set (used for repositories without a connection)." }),
    connections: z.array(
      githubConnectionSchema.extend({
        reaches: z
          .strictObject({ repositories: z.array(z.string()), error: z.string().nullable() })
          .meta({ description: "Repositories the connection reaches (an app: its installations' repositories, at most 100), or why they could not be listed." }),
      }),
    ),
    repositories: z.array(
      z.strictObject({
        id: z.uuid(),
        name: z.string(),
        fullName: z.string(),
        webhookUrl: z.url().meta({ description: "The repository's own webhook URL (secret shown when it was registered)." }),
        reachedBy: z.enum(["token", "app", "env"]).nullable().meta({ description: "Which credentials reach it; null: none." }),
        error: z.string().nullable().meta({ description: "Why the credentials could not be checked (GitHub's message)." }),
      }),
    ),
  })
  .meta({ id: "GithubIntegration" });
export type GithubIntegration = z.infer<typeof githubIntegrationSchema>;

export const githubConnectionIdPathSchema = z.object({ id: z.uuid() });
