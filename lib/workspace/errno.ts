/**
 * Whether `error` is a Node system error with this `code` (ENOENT, ENOTDIR, …). Checked by shape, not
 * `instanceof Error`: errors raised by Node's built-ins belong to another realm under test sandboxes.
 */
export function hasErrorCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === "object" && error !== null && "code" in error && codes.some((c) => error.code === c);
}

/** The message of any thrown value, whatever realm it comes from. */
export function messageOf(error: unknown): string {
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    return error.message;
  }
  return String(error);
}
