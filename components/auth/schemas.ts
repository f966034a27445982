import { z } from "zod";

/** Mirrors better-auth's email + password rules on the server (`minPasswordLength: 8`, max 128). */
const password = z
  .string()
  .min(8, "Use at least 8 characters.")
  .max(128, "Use at most 128 characters.");

export const signInSchema = z.object({
  email: z.email("Enter a valid email address."),
  password: z.string().min(1, "Enter your password."),
});
export type SignInInput = z.infer<typeof signInSchema>;

export const signUpSchema = z.object({
  name: z.string().trim().min(1, "Enter your name.").max(100, "Use at most 100 characters."),
  email: z.email("Enter a valid email address."),
  password,
});
export type SignUpInput = z.infer<typeof signUpSchema>;

/**
 * The in-app path to continue to after signing in, or `/tasks`. Only same-origin absolute paths are
 * accepted (`/x`, not `//host` or `/\host`), so a crafted link cannot bounce the user off-site.
 */
export function safeNextPath(value: string | string[] | undefined): string {
  const next = Array.isArray(value) ? value[0] : value;
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/tasks";
  return next;
}
