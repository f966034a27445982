/**
 * Security headers sent on every response (pages and API routes), applied by `next.config.ts`
 * `headers()`. Kept in its own module, free of app imports, so next.config.ts can load it and a unit
 * test can assert the list (tests/unit/security-headers.test.ts); tests/e2e/security-headers.spec.ts
 * asserts them through the real `next start` server.
 *
 * The Content-Security-Policy restricts framing, plugins, `<base>` and form targets. It does not restrict
 * script sources yet: that needs a per-request nonce for Next's inline scripts (set in proxy.ts), which
 * makes every page dynamic and has not been verified against the whole e2e suite.
 */

export interface SecurityHeader {
  key: string;
  value: string;
}

/** The CSP directives enforced today (no `script-src`; see the module comment). */
export const CSP_DIRECTIVES: readonly string[] = [
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
  "form-action 'self'",
];

/** Browser features the app never uses, switched off for it and anything it embeds. */
export const PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=()";

/** Two years, subdomains included (the `preload` list is an operator's choice, not made here). */
export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

/**
 * HSTS only when the app is built for production and served over https: on http (local, e2e) the
 * header is ignored by browsers anyway, and on a localhost https dev setup it would pin the name.
 */
export function wantsHsts(env: { NODE_ENV?: string; APP_URL?: string }): boolean {
  if (env.NODE_ENV !== "production" || !env.APP_URL) return false;
  try {
    return new URL(env.APP_URL).protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * The headers for `env` (defaults to `process.env`). Note that Next evaluates next.config `headers()`
 * at `next build`, so HSTS follows the NODE_ENV / APP_URL of the build.
 */
export function securityHeaders(env: { NODE_ENV?: string; APP_URL?: string } = process.env): SecurityHeader[] {
  const headers: SecurityHeader[] = [
    { key: "Content-Security-Policy", value: CSP_DIRECTIVES.join("; ") },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
  ];
  if (wantsHsts(env)) headers.push({ key: "Strict-Transport-Security", value: HSTS_VALUE });
  return headers;
}
