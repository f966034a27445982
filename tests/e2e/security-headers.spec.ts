import { expect, test } from "./fixtures";

test("pages cannot be framed and carry the security headers", async ({ request }) => {
  for (const path of ["/sign-in", "/api/health"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBeLessThan(400);
    const headers = res.headers();
    expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(headers["x-powered-by"], path).toBeUndefined();
  }
});
