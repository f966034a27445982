/** Variables passed through to sandboxed commands (plus every `LC_*`), unless their name looks secret. */
const allowedVariables = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "LANG",
  "LANGUAGE",
  "TZ",
  "TMPDIR",
  "TEMP",
  "TMP",
  "TERM",
]);
const secretLooking = /KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|DATABASE|DSN/i;

/**
 * The environment of a test command: an allowlist (PATH, HOME, USER, LANG, LC_*, TZ, TMPDIR, TERM, …)
 * rather than a denylist, so API keys, tokens, `DATABASE_URL` and anything added later never reach code
 * written by an agent. Adds `CI=1` and `NO_COLOR=1` so runners print plain, non-interactive output,
 * and `NODE_ENV=test` (what test runners expect; the app's own mode is not the test command's business).
 */
export function scrubEnvironment(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    if (!(allowedVariables.has(key) || key.startsWith("LC_"))) continue;
    if (secretLooking.test(key)) continue;
    out[key] = value;
  }
  return { ...out, CI: "1", NO_COLOR: "1", NODE_ENV: "test" };
}
