import { z } from "zod";

// Client-safe: the repository forms validate with these same schemas.

/** Body of `POST /api/v1/repositories`. */
export const createRepositoryInputSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(100),
    localPath: z.string().trim().min(1).max(1_000).optional(),
    githubFullName: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "githubFullName must look like owner/name")
      .optional(),
    defaultBranch: z.string().trim().min(1).max(200).default("main"),
    testCommand: z.string().trim().min(1).max(1_000).default("npm test"),
  })
  .refine((r) => r.localPath !== undefined || r.githubFullName !== undefined, {
    message: "Give localPath or githubFullName",
    path: ["localPath"],
  });
export type CreateRepositoryInput = z.output<typeof createRepositoryInputSchema>;

/** Body of `PATCH /api/v1/repositories/{id}`: every field optional (the path and GitHub name stay). */
export const updateRepositoryInputSchema = z
  .object({
    name: z.string().trim().min(1, "Name is required").max(100, "Name must be at most 100 characters").optional(),
    defaultBranch: z.string().trim().min(1, "Default branch is required").max(200).optional(),
    testCommand: z.string().trim().min(1, "Test command is required").max(1_000, "Test command must be at most 1,000 characters").optional(),
  })
  .strict();
export type UpdateRepositoryInput = z.input<typeof updateRepositoryInputSchema>;
export type UpdateRepositoryData = z.output<typeof updateRepositoryInputSchema>;

