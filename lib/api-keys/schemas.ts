import { z } from "zod";
import { statements, type Permissions } from "@/lib/auth/permissions";

/** Resources an API key can be granted (Squadron's own; never organization or member administration). */
export const apiKeyResources = ["task", "approval", "squad", "repository", "usage", "apiKey", "audit"] as const;

/** `{ resource: actions[] }`, each action one of the resource's statements; unknown resources are refused. */
export const apiKeyPermissionsSchema = z
  .strictObject(
    Object.fromEntries(
      apiKeyResources.map((r) => [r, z.array(z.enum(statements[r] as unknown as [string, ...string[]])).max(10).optional()]),
    ) as Record<(typeof apiKeyResources)[number], z.ZodOptional<z.ZodArray<z.ZodEnum<Record<string, string>>>>>,
  )
  .transform((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v && v.length > 0)) as Permissions);

/**
 * Body of `POST /api/v1/api-keys`: a name (1–100 characters), optional permissions (default: all
 * of the creator's current permissions on Squadron's resources) and optional lifetime in days
 * (1–365; default: no expiry).
 */
export const createApiKeyInputSchema = z.object({
  name: z.string().trim().min(1, "name is required").max(100, "name must be at most 100 characters"),
  permissions: apiKeyPermissionsSchema.optional(),
  expiresInDays: z.number().int("expiresInDays must be an integer").min(1).max(365).optional(),
});
export type CreateApiKeyInput = z.output<typeof createApiKeyInputSchema>;
