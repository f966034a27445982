import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite and the postgres driver are server-only packages with native-style assets (WASM, sockets):
  // keep them out of the server bundle so Node loads them as-is.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@electric-sql/pglite-pgvector",
    "@electric-sql/pglite-socket",
    "postgres",
  ],
  poweredByHeader: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          // No framing (clickjacking), no plugins, no foreign <base> or form targets. Script sources are
          // not restricted yet: that needs per-request nonces for Next's inline scripts.
          {
            key: "Content-Security-Policy",
            value: "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'",
          },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
