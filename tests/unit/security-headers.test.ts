import { describe, expect, it } from "@jest/globals";
import { CSP_DIRECTIVES, HSTS_VALUE, securityHeaders, wantsHsts } from "@/lib/security/headers";

function asMap(env: { NODE_ENV?: string; APP_URL?: string }): Map<string, string> {
  return new Map(securityHeaders(env).map((h) => [h.key.toLowerCase(), h.value]));
}

describe("security headers (next.config.ts headers())", () => {
  it("sends the browser-facing basics on every response", () => {
    const h = asMap({ NODE_ENV: "production", APP_URL: "http://localhost:3000" });
    expect(h.get("x-content-type-options")).toBe("nosniff");
    expect(h.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(h.get("x-frame-options")).toBe("DENY");
    expect(h.get("permissions-policy")).toContain("camera=()");
    expect(h.get("permissions-policy")).toContain("microphone=()");
    expect(h.get("permissions-policy")).toContain("geolocation=()");
  });

  it("has a CSP that forbids framing, plugins, foreign <base> and foreign form targets", () => {
    const csp = asMap({})
      .get("content-security-policy")!
      .split(";")
      .map((d) => d.trim());
    for (const d of ["frame-ancestors 'none'", "base-uri 'self'", "object-src 'none'", "form-action 'self'"]) {
      expect(csp).toContain(d);
    }
    expect(csp).toEqual([...CSP_DIRECTIVES]);
  });

  it("adds HSTS only in production with an https APP_URL", () => {
    expect(asMap({ NODE_ENV: "production", APP_URL: "https://squadron.example.com" }).get("strict-transport-security")).toBe(HSTS_VALUE);
    expect(HSTS_VALUE).toMatch(/max-age=(\d+)/);
    expect(Number(/max-age=(\d+)/.exec(HSTS_VALUE)![1])).toBeGreaterThanOrEqual(31_536_000);
    expect(asMap({ NODE_ENV: "production", APP_URL: "http://squadron.example.com" }).has("strict-transport-security")).toBe(false);
    expect(asMap({ NODE_ENV: "development", APP_URL: "https://squadron.example.com" }).has("strict-transport-security")).toBe(false);
    expect(asMap({ NODE_ENV: "test" }).has("strict-transport-security")).toBe(false);
    expect(wantsHsts({ NODE_ENV: "production", APP_URL: "not a url" })).toBe(false);
    expect(wantsHsts({ NODE_ENV: "production" })).toBe(false);
  });

  it("is what next.config.ts serves", async () => {
    const { default: config } = await import("../../next.config");
    const rules = await config.headers!();
    const all = rules.find((r) => r.source === "/:path*");
    expect(all?.headers).toEqual(securityHeaders());
  });
});
