import { expect, test } from "./fixtures";

// Through the real `next start` server (next.config.ts headers() from lib/security/headers.ts): a page
// and an API route both carry the headers. The e2e server runs on http, so no HSTS here.
test("pages cannot be framed and carry the security headers", async ({ request }) => {
  for (const path of ["/sign-in", "/api/health"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBeLessThan(400);
    const headers = res.headers();
    const csp = headers["content-security-policy"] ?? "";
    for (const directive of ["frame-ancestors 'none'", "base-uri 'self'", "object-src 'none'", "form-action 'self'"]) {
      expect(csp, `${path} CSP`).toContain(directive);
    }
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(headers["permissions-policy"], path).toContain("camera=()");
    expect(headers["strict-transport-security"], `${path} (http: no HSTS)`).toBeUndefined();
    expect(headers["x-powered-by"], path).toBeUndefined();
  }
});
