/** Turns a better-auth client error (or a thrown network error) into a sentence for the form. */
export function authErrorMessage(error: unknown, fallback: string): string {
  if (error instanceof TypeError) return "Can't reach the server. Check your connection and try again.";
  if (typeof error === "object" && error !== null && "message" in error) {
    const { message } = error;
    if (typeof message === "string" && message.trim()) return message;
  }
  if (typeof error === "object" && error !== null && "status" in error && error.status === 429) {
    return "Too many attempts. Wait a moment and try again.";
  }
  return fallback;
}
