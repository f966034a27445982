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

/** `metadata` Squadron stores on an API key: who created it (the key stops with their membership). */
export const apiKeyMetadataSchema = z.object({ createdByUserId: z.string().min(1) });

/** better-auth hands JSON columns back parsed or as their stored text; unreadable text is null. */
function fromStoredJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}

/** A stored key's creator, or null when its metadata is not Squadron's. */
export function storedKeyCreator(metadata: unknown): string | null {
  const parsed = apiKeyMetadataSchema.safeParse(fromStoredJson(metadata));
  return parsed.success ? parsed.data.createdByUserId : null;
}

/** A stored key's permissions, parsed with the schema keys are created with; unreadable → none. */
export function storedKeyPermissions(permissions: unknown): Permissions {
  const parsed = apiKeyPermissionsSchema.safeParse(fromStoredJson(permissions) ?? {});
  return parsed.success ? parsed.data : {};
}
